"""The input format follows from the spec: every broken input gets one clear, summarised error
naming the file, column, rows and an example; records outside the period are left out and counted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cpt_public.errors import InputError
from cpt_public.publish import synth
from cpt_public.publish.inputs import load_inputs
from cpt_public.release.spec import load_spec

SPEC = load_spec()


def edit(folder: Path, name: str, change) -> None:
    path = folder / f"{name}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(df)
    df.to_csv(path, index=False)


def set_cell(column, row, value):
    def change(df):
        df.loc[row, column] = value

    return change


def error_of(folder: Path, spec=SPEC) -> str:
    with pytest.raises(InputError) as info:
        load_inputs(folder, spec)
    return str(info.value)


BROKEN = {
    "missing column": (
        lambda f: edit(f, "jail_bookings", lambda df: df.__delitem__("charge_level")),
        ["jail_bookings.csv: missing column(s) charge_level"],
    ),
    "missing file": (lambda f: (f / "ems_encounters.csv").unlink(), ["missing file 'ems_encounters'"]),
    "text in a date column": (
        lambda f: edit(f, "jail_bookings", set_cell("booking_date", 2, "last Tuesday")),
        ["jail_bookings.csv, column booking_date: row is not a date (YYYY-MM-DD) (row 3; e.g. 'last Tuesday')"],
    ),
    "impossible date": (
        lambda f: edit(f, "ed_visits", set_cell("visit_date", 0, "2023-02-30")),
        ["ed_visits.csv, column visit_date: row is not a date", "(row 1; e.g. '2023-02-30')"],
    ),
    "date after the export": (
        lambda f: edit(f, "ed_visits", set_cell("visit_date", 4, "2031-01-01")),
        ["ed_visits.csv, column visit_date: row is after the export date 2026-01-15 (row 5"],
    ),
    "event before birth": (
        lambda f: edit(
            f,
            "ems_encounters",
            lambda df: df.__setitem__("encounter_date", df["encounter_date"].where(df.index != 3, "1901-05-05")),
        ),
        ["ems_encounters.csv, column encounter_date: row is before the person was born (row 4"],
    ),
    "empty file": (lambda f: (f / "people.csv").write_bytes(b""), ["people.csv: the file is empty"]),
    "header only": (
        lambda f: (f / "people.csv").write_text("person_id,birth_year,gender,race_ethnicity\n"),
        ["people.csv: has a header but no rows"],
    ),
    "not UTF-8": (
        lambda f: (f / "people.csv").write_bytes(
            (f / "people.csv").read_bytes().replace(b"Female", "Fémale".encode("latin-1"), 1)
        ),
        ["people.csv: cannot be read as CSV", "not valid UTF-8"],
    ),
    "garbage bytes": (lambda f: (f / "ed_visits.csv").write_bytes(bytes(range(256)) * 40), ["ed_visits.csv"]),
    "duplicate person ids": (
        lambda f: edit(
            f,
            "people",
            lambda df: df.__setitem__("person_id", df["person_id"].where(df.index != 5, df["person_id"].iat[4])),
        ),
        ["people.csv, column person_id: 1 duplicate id(s)", "rows 5, 6"],
    ),
    "unknown person": (
        lambda f: edit(f, "ems_encounters", set_cell("person_id", 1, "P9999999")),
        ["ems_encounters.csv, column person_id: row is not an id in the people file (row 2; e.g. 'P9999999')"],
    ),
    "release before booking": (
        lambda f: edit(
            f,
            "jail_bookings",
            lambda df: df.__setitem__("release_date", df["release_date"].where(df.index != 0, "2000-01-01")),
        ),
        ["jail_bookings.csv, column release_date: row is before booking_date (row 1"],
    ),
    "not in the codebook": (
        lambda f: edit(f, "people", set_cell("gender", 7, "F")),
        ["people.csv, column gender: row is not in the codebook (Female, Male", "(row 8; e.g. 'F')"],
    ),
    "blank id": (
        lambda f: edit(f, "people", set_cell("person_id", 9, "")),
        ["people.csv, column person_id: row is blank (every person needs an id) (row 10)"],
    ),
    "bad birth year": (
        lambda f: edit(f, "people", set_cell("birth_year", 3, "19x0")),
        ["people.csv, column birth_year: row is not a four-digit birth year", "(row 4; e.g. '19x0')"],
    ),
    "person in both groups": (
        lambda f: edit(
            f,
            "comparison_group",
            lambda df: df.__setitem__(
                "person_id",
                df["person_id"].where(
                    df.index != 0, pd.read_csv(f / "program_enrollment.csv", dtype=str)["person_id"].iat[0]
                ),
            ),
        ),
        ["in both program_enrollment.csv and comparison_group.csv"],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_input_gets_a_clear_error(input_copy, case):
    breaker, expected = BROKEN[case]
    breaker(input_copy)
    message = error_of(input_copy)
    for part in expected:
        assert part in message, message
    assert "Traceback" not in message


def test_thousands_of_bad_rows_are_one_summary(input_copy):
    edit(
        input_copy,
        "ed_visits",
        lambda df: df.__setitem__("visit_date", df["visit_date"].where(df.index % 2 == 1, "01/02/2023")),
    )
    message = error_of(input_copy)
    lines = [line for line in message.splitlines() if "ed_visits.csv" in line]
    assert len(lines) == 1, message
    assert "rows are not a date" in lines[0] and "rows 1, 3, 5, 7, 9, …" in lines[0] and "'01/02/2023'" in lines[0]


def test_valid_input_loads_and_reports_what_it_left_out(county_input):
    inputs = load_inputs(county_input, SPEC)
    assert inputs.n_people == 3000
    assert inputs.con.execute("SELECT count(DISTINCT person) FROM people_ids").fetchone()[0] == 3000
    assert inputs.outside["jail_bookings"] > 0 and inputs.outside["ed_visits"] > 0
    assert "left out as outside the study period" in inputs.summary()
    # what is kept overlaps the period; a stay that began before it is kept
    s, e = SPEC.release.period.start, SPEC.release.period.end
    kept_stays = inputs.con.execute(f"SELECT count(*) FROM ev_homeless WHERE d < DATE '{s}'").fetchone()[0]
    assert kept_stays > 0
    assert (
        inputs.con.execute(f"SELECT count(*) FROM ev_ed WHERE d NOT BETWEEN DATE '{s}' AND DATE '{e}'").fetchone()[0]
        == 0
    )


def test_parquet_and_excel_are_read_like_csv(tmp_path):
    tables = synth.synthesize(300, seed=3)
    synth.write(tables, tmp_path / "csv", "csv")
    synth.write(tables, tmp_path / "parquet", "parquet")
    xlsx = tmp_path / "xlsx"
    synth.write(tables, xlsx, "csv")
    for name in ("people", "ed_visits"):  # a workbook beside CSV files: each file is read by its own kind
        df = pd.read_csv(xlsx / f"{name}.csv", dtype=str, keep_default_na=False)
        _write_xlsx(df, xlsx / f"{name}.xlsx")
        (xlsx / f"{name}.csv").unlink()
    results = []
    for folder in ("csv", "parquet", "xlsx"):
        inputs = load_inputs(tmp_path / folder, SPEC)
        results.append(
            {
                t: inputs.con.execute(f"SELECT * FROM {t} ORDER BY ALL").df().drop(columns="_bad", errors="ignore")
                for t in ("people_ids", "ev_jail", "ev_homeless", "ev_ed", "cohort_program")
            }
        )
    for other in results[1:]:
        for t, frame in results[0].items():
            pd.testing.assert_frame_equal(frame, other[t], check_dtype=False)


def _write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """A minimal workbook, written with the standard library (no writer in our dependencies)."""
    import zipfile
    from xml.sax.saxutils import escape

    def col(i):
        return chr(ord("A") + i)

    rows = [df.columns.tolist(), *df.values.tolist()]
    xml = "".join(
        f'<row r="{r + 1}">'
        + "".join(
            f'<c r="{col(c)}{r + 1}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
            for c, v in enumerate(row)
            if v != ""
        )
        + "</row>"
        for r, row in enumerate(rows)
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {ns} {rel}><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {ns}><sheetData>{xml}</sheetData></worksheet>'
        )


def test_a_file_given_twice_is_refused(tmp_path):
    tables = synth.synthesize(50, seed=1)
    synth.write(tables, tmp_path)
    synth.write({"ed_visits": tables["ed_visits"]}, tmp_path, "parquet")
    assert "given 2 times" in error_of(tmp_path)


def test_many_problems_are_listed_together(input_copy):
    edit(input_copy, "people", set_cell("gender", 0, "?"))
    (input_copy / "ed_visits.csv").unlink()
    message = error_of(input_copy)
    assert "people.csv, column gender: row is not in the codebook" in message and "missing file 'ed_visits'" in message


def test_blanks_are_not_recorded_and_recodes_apply(input_copy):
    edit(input_copy, "people", set_cell("gender", 0, ""))
    edit(input_copy, "people", set_cell("gender", 1, "F"))
    spec = load_spec()
    people = spec.people.model_copy(
        update={
            "attributes": {
                **spec.people.attributes,
                "gender": spec.people.attributes["gender"].model_copy(update={"recode": {"F": "Female"}}),
            }
        }
    )
    inputs = load_inputs(input_copy, spec.model_copy(update={"people": people}))
    codes = inputs.con.execute("SELECT gender FROM people_ids ORDER BY person LIMIT 2").fetchall()
    assert codes == [(3,), (0,)]  # "Unknown" (not recorded) and "Female"


def test_export_date_defaults_to_today(input_copy):
    edit(input_copy, "ed_visits", set_cell("visit_date", 0, (dt.date.today() + dt.timedelta(days=2)).isoformat()))
    spec = SPEC.model_copy(update={"release": SPEC.release.model_copy(update={"export_date": None})})
    assert "is after the export date" in error_of(input_copy, spec)


def test_the_input_format_doc_is_what_the_demo_spec_asks_for():
    """docs/input-format.md is generated from the demo spec; regenerate it with
    `python -m cpt_public input-format > docs/input-format.md`."""
    from cpt_public.release.inputdoc import document

    doc = (Path(__file__).resolve().parents[2] / "docs" / "input-format.md").read_text(encoding="utf-8")
    assert doc == document(SPEC)
    for f in SPEC.input_files():
        assert f"`{f}`" in doc
