"""``python -m cpt_public import-hmis``: a HUD HMIS CSV export (FY2024 columns) into the input
format a spec asks for — the people file and one homeless-services system's file.

Read: ``Client.csv``, ``Enrollment.csv``, ``Exit.csv``, ``Project.csv`` and ``Export.csv``. Rows
with a ``DateDeleted`` are left out. Written, under the spec's file and column names:
- people: ``PersonalID``; the birth date (``DOB`` when ``DOBDataQuality`` is 1 or 2, full or
  approximate) or its year; and the codebook columns this importer can fill — ``gender``,
  ``race_ethnicity`` and ``veteran_status`` (HUD_FIELDS) — named so in the spec;
- the system's file: one row per enrollment — ``PersonalID``, ``EntryDate``, the ``ExitDate``
  of its exit (blank while enrolled) and, for a system attribute whose column is
  ``project_type``, the project's HUD type (PROJECT_TYPES).

HUD's race and gender fields are yes/no columns of which several may be 1 at once: one field
set gives its label (RACES, GENDERS); several give ``Multiracial`` or ``More than one gender``;
none (or only "client doesn't know", "prefers not to answer", "not collected") leaves the cell
blank, which the spec publishes as its *not recorded* category. A spec whose codebooks use other
words maps HUD's with ``recode``. Problems are summarised like the publish step's.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from ..errors import InputError
from ..release.spec import Age, Spec
from .inputs import MAX_EXAMPLES, close_connection, connect, lit, q, row_list

FILES = {
    "Client": ("PersonalID", "DOB", "DOBDataQuality", "VeteranStatus"),
    "Enrollment": ("EnrollmentID", "PersonalID", "ProjectID", "EntryDate"),
    "Exit": ("EnrollmentID", "PersonalID", "ExitDate"),
    "Project": ("ProjectID", "ProjectType"),
    "Export": ("ExportID", "ExportDate", "ExportStartDate", "ExportEndDate"),
}
RACES = {
    "AmIndAKNative": "American Indian, Alaska Native, or Indigenous",
    "Asian": "Asian or Asian American",
    "BlackAfAmerican": "Black, African American, or African",
    "HispanicLatinaeo": "Hispanic/Latina/e/o",
    "MidEastNAfrican": "Middle Eastern or North African",
    "NativeHIPacific": "Native Hawaiian or Pacific Islander",
    "White": "White",
}
MULTIRACIAL = "Multiracial"
GENDERS = {
    "Woman": "Woman",
    "Man": "Man",
    "NonBinary": "Non-binary",
    "CulturallySpecific": "Culturally specific identity",
    "Transgender": "Transgender",
    "Questioning": "Questioning",
    "DifferentIdentity": "Different identity",
}
MORE_THAN_ONE_GENDER = "More than one gender"
PROJECT_TYPES = {  # HUD's project type codes (HMIS Data Standards FY2024, 2.02.6)
    "0": "Emergency Shelter - Entry Exit",
    "1": "Emergency Shelter - Night-by-Night",
    "2": "Transitional Housing",
    "3": "PH - Permanent Supportive Housing",
    "4": "Street Outreach",
    "6": "Services Only",
    "7": "Other",
    "8": "Safe Haven",
    "9": "PH - Housing Only",
    "10": "PH - Housing with Services",
    "11": "Day Shelter",
    "12": "Homelessness Prevention",
    "13": "PH - Rapid Re-Housing",
    "14": "Coordinated Entry",
}
VETERAN = {"0": "No", "1": "Yes"}
HUD_FIELDS = ("gender", "race_ethnicity", "veteran_status")
DATE = "CAST(try_strptime(trim({c}), ['%Y-%m-%d', '%Y-%m-%d %H:%M:%S']) AS DATE)"


def _flags_label(fields: dict[str, str], several: str) -> str:
    """SQL: the label of the one field that is 1, ``several`` when more are, NULL when none is."""
    ones = " + ".join(f"(trim(c.{q(f)}) = '1')::INT" for f in fields)
    single = " ".join(f"WHEN trim(c.{q(f)}) = '1' THEN {lit(label)}" for f, label in fields.items())
    return f"CASE WHEN {ones} > 1 THEN {lit(several)} {single} END"


def _mapping(codes: dict[str, str], col: str) -> str:
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in codes.items())
    return f"CASE trim({col}) {whens} END"


def import_hmis(export_dir: Path | str, out_dir: Path | str, spec: Spec, system: str | None = None) -> dict[str, int]:
    """Write the spec's people file and the HMIS system's file from an export; returns row counts."""
    export_dir, out_dir = Path(export_dir), Path(out_dir)
    s = _system(spec, system)
    people_cols = _people_columns(spec)
    con, spill = connect()
    try:
        problems = _read(con, export_dir)
        if problems:
            raise InputError(problems)
        problems = _check(con)
        if problems:
            raise InputError(problems)
        people = con.sql(
            f"SELECT {', '.join(f'{sql} AS {q(name)}' for name, sql in people_cols.items())} "
            "FROM client c ORDER BY c.PersonalID"
        ).to_arrow_table()
        cols = {s.person: "e.PersonalID", s.date: DATE.format(c="e.EntryDate")}
        if s.end_date:
            cols[s.end_date] = DATE.format(c="x.ExitDate")
        for cb in s.attributes.values():
            if cb.column != "project_type":
                raise InputError(
                    [f"system {s.id!r}: import-hmis can fill the attribute column 'project_type', not {cb.column!r}"]
                )
            cols[cb.column] = _mapping(PROJECT_TYPES, "p.ProjectType")
        enrollments = con.sql(
            f"SELECT {', '.join(f'{sql} AS {q(name)}' for name, sql in cols.items())} FROM enrollment e "
            "LEFT JOIN exit x ON x.EnrollmentID = e.EnrollmentID LEFT JOIN project p ON p.ProjectID = e.ProjectID "
            "ORDER BY e.PersonalID, e.EntryDate, e.EnrollmentID"
        ).to_arrow_table()
    finally:
        close_connection(con, spill)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(people, out_dir / f"{spec.people.file}.csv")
    _write_csv(enrollments, out_dir / f"{s.file}.csv")
    return {spec.people.file: people.num_rows, s.file: enrollments.num_rows}


def _system(spec: Spec, system: str | None):
    if system is None:
        if len(spec.system) != 1:
            raise InputError(
                [
                    f"the spec has {len(spec.system)} systems: say which one the HMIS export is with "
                    f"--system ({', '.join(spec.systems)})"
                ]
            )
        return spec.system[0]
    if system not in spec.systems:
        raise InputError([f"--system {system!r} is not in the spec (its systems: {', '.join(spec.systems)})"])
    return spec.systems[system]


def _people_columns(spec: Spec) -> dict[str, str]:
    """The people file's columns, as SQL over Client.csv (aliased ``c``)."""
    dob = f"CASE WHEN trim(c.DOBDataQuality) IN ('1', '2') THEN {DATE.format(c='c.DOB')} END"
    cols = {spec.people.id: "c.PersonalID"}
    fill = {
        "gender": _flags_label(GENDERS, MORE_THAN_ONE_GENDER),
        "race_ethnicity": _flags_label(RACES, MULTIRACIAL),
        "veteran_status": _mapping(VETERAN, "c.VeteranStatus"),
    }
    for name, attr in spec.people.attributes.items():
        if isinstance(attr, Age):
            cols[attr.column] = dob if attr.birth_date else f"year({dob})"
        elif attr.column in fill:
            cols[attr.column] = fill[attr.column]
        else:
            raise InputError(
                [
                    f"people.attributes.{name}: import-hmis can fill the columns {', '.join(HUD_FIELDS)} "
                    f"and a birth date or year, not {attr.column!r}"
                ]
            )
    return cols


def _read(con, folder: Path) -> list[str]:
    if not folder.is_dir():
        return [f"HMIS export folder {folder} does not exist"]
    problems = []
    for name, needed in FILES.items():
        path = folder / f"{name}.csv"
        if not path.exists():
            problems.append(
                f"missing {name}.csv in {folder} (an HMIS CSV export has Client, Enrollment, Exit, "
                "Project and Export files)"
            )
            continue
        columns = [*GENDERS, *RACES] if name == "Client" else []
        try:
            con.execute(
                f"CREATE TEMP TABLE _file AS SELECT * FROM read_csv({lit(str(path))}, all_varchar = true, "
                "header = true)"
            )  # kept in file order: rowid + 1 is the row number
            con.execute(f"CREATE TABLE {name.lower()} AS SELECT rowid + 1 AS _row, * FROM _file; DROP TABLE _file")
            con.execute(f"CREATE TEMP TABLE {name.lower()}_all AS SELECT * FROM {name.lower()}")  # deleted rows too
        except Exception as exc:  # DuckDB's error types: the file is not CSV, not UTF-8, ...
            problems.append(f"{name}.csv: cannot be read as CSV: {str(exc).splitlines()[0]}")
            continue
        have = {r[0] for r in con.execute(f"DESCRIBE {name.lower()}").fetchall()}
        missing = [c for c in dict.fromkeys([*needed, *columns]) if c not in have]
        if missing:
            problems.append(f"{name}.csv: missing column(s) {', '.join(missing)} (not an FY2024 HMIS CSV export?)")
            continue
        if "DateDeleted" in have:
            con.execute(f"DELETE FROM {name.lower()} WHERE trim(coalesce(DateDeleted, '')) <> ''")
    if not problems:  # what hangs on a deleted record goes with it: a client's enrollments, an enrollment's exit
        con.execute(
            "DELETE FROM enrollment WHERE PersonalID NOT IN (SELECT PersonalID FROM client) "
            "AND PersonalID IN (SELECT PersonalID FROM client_all)"
        )
        con.execute(
            "DELETE FROM exit WHERE EnrollmentID NOT IN (SELECT EnrollmentID FROM enrollment) "
            "AND EnrollmentID IN (SELECT EnrollmentID FROM enrollment_all)"
        )
    return problems


def _check(con) -> list[str]:
    """What the publish step could not catch later: each check is (file, column, problem, SQL over
    the file's rows that is true for a bad row)."""
    checks = [
        ("client", "PersonalID", "is blank", "trim(coalesce(PersonalID, '')) = ''"),
        (
            "enrollment",
            "PersonalID",
            "is not a PersonalID in Client.csv",
            "PersonalID NOT IN (SELECT PersonalID FROM client)",
        ),
        ("enrollment", "EntryDate", "is not a date (YYYY-MM-DD)", f"{DATE.format(c='EntryDate')} IS NULL"),
        (
            "enrollment",
            "ProjectID",
            "is not a ProjectID in Project.csv",
            "ProjectID NOT IN (SELECT ProjectID FROM project)",
        ),
        (
            "exit",
            "EnrollmentID",
            "is not an EnrollmentID in Enrollment.csv",
            "EnrollmentID NOT IN (SELECT EnrollmentID FROM enrollment)",
        ),
        ("exit", "ExitDate", "is not a date (YYYY-MM-DD)", f"{DATE.format(c='ExitDate')} IS NULL"),
        (
            "project",
            "ProjectType",
            f"is not a HUD project type ({', '.join(PROJECT_TYPES)})",
            f"trim(coalesce(ProjectType, '')) NOT IN ({', '.join(lit(k) for k in PROJECT_TYPES)})",
        ),
    ]
    problems = []
    for table, column, problem, condition in checks:
        n, first, example = con.execute(
            f"SELECT count(*), list(_row ORDER BY _row)[1:{MAX_EXAMPLES}], arg_min({q(column)}, _row) FROM {table} "
            f"WHERE {condition}"
        ).fetchall()[0]
        if n:
            rows = "row" if n == 1 else f"{n:,} rows"
            verb = problem if n == 1 else problem.replace("is ", "are ", 1)
            problems.append(
                f"{table.capitalize()}.csv, column {column}: {rows} {verb} "
                f"(row{'s' if n > 1 else ''} {row_list(first, n)}; e.g. {example!r})"
            )
    for table, key in (("client", "PersonalID"), ("enrollment", "EnrollmentID"), ("exit", "EnrollmentID")):
        n = con.execute(f"SELECT count(*) - count(DISTINCT {key}) FROM {table}").fetchall()[0][0]
        if n:
            problems.append(f"{table.capitalize()}.csv, column {key}: {n:,} duplicate value(s): each appears once")
    return problems


def _write_csv(table: pa.Table, path: Path) -> None:
    pa_csv.write_csv(table, path, pa_csv.WriteOptions(quoting_style="needed"))
