"""The input format: every broken input gets a clear error naming file, column and row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from cpt_public import synth
from cpt_public.errors import InputError
from cpt_public.records import CODEBOOKS, TABLES, load_records

START, END = dt.date(2022, 1, 1), dt.date(2025, 12, 31)


def edit(folder: Path, name: str, change) -> None:
    path = folder / f"{name}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(df)
    df.to_csv(path, index=False)


def set_cell(name, column, row, value):
    def change(df):
        df.loc[row, column] = value
    return name, change  # (table, change): the table name documents the call site


def error_of(folder: Path) -> str:
    with pytest.raises(InputError) as info:
        load_records(folder, START, END)
    return str(info.value)


BROKEN = {
    "missing column": (lambda f: edit(f, "jail_bookings", lambda df: df.__delitem__("charge_level")),
                       ["jail_bookings.csv", "missing column(s) charge_level"]),
    "missing table": (lambda f: (f / "ems_encounters.csv").unlink(), ["missing table 'ems_encounters'"]),
    "text in a date column": (lambda f: edit(f, "jail_bookings", set_cell("jail_bookings", "booking_date", 2, "last Tuesday")[1]),
                              ["jail_bookings.csv, column booking_date, row 3", "'last Tuesday' is not a date in YYYY-MM-DD form"]),
    "impossible date": (lambda f: edit(f, "ed_visits", set_cell("ed_visits", "visit_date", 0, "2023-02-30")[1]),
                        ["ed_visits.csv, column visit_date, row 1", "'2023-02-30' is not a date"]),
    "date out of range": (lambda f: edit(f, "ed_visits", set_cell("ed_visits", "visit_date", 4, "2031-01-01")[1]),
                          ["ed_visits.csv, column visit_date, row 5", "outside the study period 2022-01-01 to 2025-12-31"]),
    "empty file": (lambda f: (f / "people.csv").write_bytes(b""), ["people.csv: the file is empty"]),
    "header only": (lambda f: (f / "people.csv").write_text("person_id,birth_year,gender,race_ethnicity,area\n"),
                    ["people.csv: has a header but no rows"]),
    "not UTF-8": (lambda f: (f / "people.csv").write_bytes(
        (f / "people.csv").read_bytes().replace(b"North", "Nörth".encode("latin-1"), 1)),
                  ["people.csv: cannot be read as CSV", "not valid UTF-8"]),
    "garbage bytes": (lambda f: (f / "ed_visits.csv").write_bytes(bytes(range(256)) * 40),
                      ["ed_visits.csv"]),
    "duplicate person ids": (lambda f: edit(f, "people", lambda df: df.__setitem__(
        "person_id", df["person_id"].where(df.index != 5, df["person_id"].iat[4]))),
                             ["people.csv, column person_id, row 6", "duplicate person_id"]),
    "unknown person": (lambda f: edit(f, "ems_encounters", set_cell("ems_encounters", "person_id", 1, "P9999999")[1]),
                       ["ems_encounters.csv, column person_id, row 2", "'P9999999' is not in people"]),
    "release before booking": (lambda f: edit(f, "jail_bookings", lambda df: df.__setitem__(
        "release_date", df["release_date"].where(df.index != 0, "2022-01-01")) if df["booking_date"].iat[0] > "2022-01-01" else None),
                               ["jail_bookings.csv, column release_date, row 1", "is before booking_date"]),
    "not in the codebook": (lambda f: edit(f, "people", set_cell("people", "gender", 7, "F")[1]),
                            ["people.csv, column gender, row 8", "'F' is not one of: Female, Male"]),
    "blank required value": (lambda f: edit(f, "people", set_cell("people", "race_ethnicity", 9, "")[1]),
                             ["people.csv, column race_ethnicity, row 10", "is blank"]),
    "bad birth year": (lambda f: edit(f, "people", set_cell("people", "birth_year", 3, "19x0")[1]),
                       ["people.csv, column birth_year, row 4", "'19x0' is not a four-digit year"]),
    "person in both groups": (lambda f: edit(f, "comparison_group", lambda df: df.__setitem__(
        "person_id", df["person_id"].where(df.index != 0, pd.read_csv(f / "program_enrollment.csv", dtype=str)["person_id"].iat[0]))),
                              ["in both program_enrollment and comparison_group"]),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_input_gets_a_clear_error(input_copy, case):
    breaker, expected = BROKEN[case]
    breaker(input_copy)
    message = error_of(input_copy)
    for part in expected:
        assert part in message, message
    assert "Traceback" not in message


def test_valid_input_loads_with_person_codes(county_input):
    rec = load_records(county_input, START, END)
    assert rec.n_people == 3000
    assert rec.people["person_id"].is_unique
    for name in TABLES:
        if name != "people":
            df = rec[name]
            assert "person_id" not in df and df["person"].between(0, rec.n_people - 1).all()


def test_parquet_input_is_read_like_csv(tmp_path):
    tables = synth.synthesize(400, seed=3)
    synth.write(tables, tmp_path / "csv", "csv")
    synth.write(tables, tmp_path / "parquet", "parquet")
    a = load_records(tmp_path / "csv", START, END)
    b = load_records(tmp_path / "parquet", START, END)
    pd.testing.assert_frame_equal(a.people, b.people)
    for name in a.tables:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_a_table_given_twice_is_refused(tmp_path):
    tables = synth.synthesize(50, seed=1)
    synth.write(tables, tmp_path)
    synth.write({"ed_visits": tables["ed_visits"]}, tmp_path, "parquet")
    assert "given twice" in error_of(tmp_path)


def test_many_problems_are_listed_together(input_copy):
    edit(input_copy, "people", set_cell("people", "gender", 0, "?")[1])
    (input_copy / "ed_visits.csv").unlink()
    message = error_of(input_copy)
    assert "people.csv, column gender, row 1" in message and "missing table 'ed_visits'" in message


def test_codebooks_are_documented():
    """The README's input-format section lists every table, column and codebook value."""
    readme = (Path(__file__).resolve().parents[2] / "docs" / "input-format.md").read_text(encoding="utf-8")
    for table in TABLES.values():
        assert f"`{table.name}`" in readme
        for column in table.columns:
            assert f"`{column.name}`" in readme, column.name
    for values in CODEBOOKS.values():
        for v in values:
            assert v in readme, v
