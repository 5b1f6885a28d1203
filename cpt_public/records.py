"""The record-level input format, and its validation.

A CPT exports its *already linked* data into one folder holding one file per table below,
each either ``NAME.csv`` (UTF-8, comma-separated, header row) or ``NAME.parquet``.
Every file shares one ``person_id`` namespace: the id the linkage assigned to a person.
Dates are ISO ``YYYY-MM-DD`` and must fall inside the study period declared in the release spec.

This module is only ever imported by the publish step (and ``synth``): nothing in the app
reads record-level data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pyarrow_
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .errors import InputError

# --- Codebooks: the only values accepted in category columns (decided before seeing data). ---
GENDER = ("Female", "Male", "Another gender identity", "Unknown")
RACE_ETHNICITY = (
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Hispanic or Latino",
    "White",
    "Another or multiple races",
    "Unknown",
)
CHARGE_LEVEL = ("Felony", "Misdemeanor", "Other")
# HMIS-style project types (HUD data standards, simplified).
PROJECT_TYPE = (
    "Emergency Shelter",
    "Transitional Housing",
    "Street Outreach",
    "Rapid Re-Housing",
    "Permanent Supportive Housing",
    "Other",
)
SHELTER_PROJECT_TYPES = ("Emergency Shelter", "Transitional Housing")

CODEBOOKS: dict[str, tuple[str, ...]] = {
    "gender": GENDER,
    "race_ethnicity": RACE_ETHNICITY,
    "charge_level": CHARGE_LEVEL,
    "project_type": PROJECT_TYPE,
}


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "id" | "year" | "text" | "date" | "category"
    description: str
    required: bool = True  # False: the value may be blank (the column must still exist)


@dataclasses.dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    # (start, end) date columns: end must not be before start.
    interval: tuple[str, str] | None = None


PID = Column("person_id", "id", "The linked person identifier, shared by every file.")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "people",
            "One row per linked person (no duplicates).",
            (
                PID,
                Column("birth_year", "year", "Four-digit year of birth; blank if unknown.", required=False),
                Column("gender", "category", "One of the gender codebook values."),
                Column("race_ethnicity", "category", "One of the race/ethnicity codebook values."),
                Column("area", "text", "Area of residence or last known address area (e.g. a district)."),
            ),
        ),
        Table(
            "jail_bookings",
            "One row per jail booking.",
            (
                PID,
                Column("booking_date", "date", "Date booked into jail."),
                Column("release_date", "date", "Date released; blank if still in custody.", required=False),
                Column("charge_level", "category", "Most serious charge level at booking."),
            ),
            interval=("booking_date", "release_date"),
        ),
        Table(
            "homeless_enrollments",
            "One row per homeless-services project enrollment (HMIS-style).",
            (
                PID,
                Column("project_type", "category", "HMIS project type of the enrollment."),
                Column("entry_date", "date", "Project entry date."),
                Column("exit_date", "date", "Project exit date; blank if still enrolled.", required=False),
            ),
            interval=("entry_date", "exit_date"),
        ),
        Table(
            "ems_encounters",
            "One row per emergency medical services (ambulance) encounter.",
            (PID, Column("encounter_date", "date", "Date of the EMS encounter.")),
        ),
        Table(
            "ed_visits",
            "One row per emergency-department visit.",
            (PID, Column("visit_date", "date", "Date of the ED visit.")),
        ),
        Table(
            "program_enrollment",
            "One row per person enrolled in the program being evaluated.",
            (
                PID,
                Column("cohort", "text", "Program cohort label, e.g. '2023'."),
                Column("start_date", "date", "Date the person started the program."),
            ),
        ),
        Table(
            "comparison_group",
            "One row per member of the comparison group (not enrolled in the program).",
            (
                PID,
                Column("cohort", "text", "The program cohort this person is compared with."),
                Column("index_date", "date", "The date follow-up starts (matched to the cohort's start)."),
            ),
        ),
    )
}

EVENT_DATE = {
    "jail_bookings": "booking_date",
    "homeless_enrollments": "entry_date",
    "ems_encounters": "encounter_date",
    "ed_visits": "visit_date",
}


@dataclasses.dataclass
class Records:
    """Validated record-level data. ``people`` row i is person code i; every other table
    carries a ``person`` column of int32 person codes in place of ``person_id``."""

    people: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    period_start: np.datetime64
    period_end: np.datetime64

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.people if name == "people" else self.tables[name]

    @property
    def n_people(self) -> int:
        return len(self.people)


# ----------------------------------------------------------------------------- reading


def find_file(folder: Path, name: str) -> Path:
    candidates = [p for p in (folder / f"{name}.csv", folder / f"{name}.parquet") if p.exists()]
    if not candidates:
        raise InputError([f"missing table {name!r}: expected {name}.csv or {name}.parquet in {folder}"])
    if len(candidates) > 1:
        raise InputError([f"table {name!r} is given twice ({name}.csv and {name}.parquet): keep one"])
    return candidates[0]


def read_table(path: Path, table: Table) -> pd.DataFrame:
    """Read one input file with every column as text, so that validation sees what was written."""
    if path.stat().st_size == 0:
        raise InputError([f"{path.name}: the file is empty (expected a header row: {_header(table)})"])
    try:
        if path.suffix == ".csv":
            arrow = pa_csv.read_csv(
                path,
                read_options=pa_csv.ReadOptions(encoding="utf8", block_size=1 << 24),
                convert_options=pa_csv.ConvertOptions(
                    column_types={c.name: pyarrow_.string() for c in table.columns},
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
        else:
            arrow = pq.read_table(path)
    except (pyarrow_.ArrowInvalid, pyarrow_.ArrowNotImplementedError, OSError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0]
        if "utf8" in reason.lower() or "utf-8" in reason.lower():
            reason = "the file is not valid UTF-8 text (save it as UTF-8 CSV)"
        raise InputError([f"{path.name}: cannot be read as {path.suffix[1:].upper()}: {reason}"]) from None
    missing = [c.name for c in table.columns if c.name not in arrow.column_names]
    if missing:
        raise InputError(
            [f"{path.name}: missing column(s) {', '.join(missing)} (expected header: {_header(table)})"]
        )
    cols = {}
    for c in table.columns:
        col = arrow.column(c.name)
        if not pyarrow_.types.is_string(col.type) and not pyarrow_.types.is_large_string(col.type):
            col = col.cast(pyarrow_.string())  # Parquet: dates/ints to their ISO text form
        cols[c.name] = col
    return pyarrow_.table(cols).to_pandas()


def _header(table: Table) -> str:
    return ",".join(c.name for c in table.columns)


# ----------------------------------------------------------------------------- validation


def _schema(table: Table, start: dt.date, end: dt.date) -> pa.DataFrameSchema:
    cols = {}
    for c in table.columns:
        checks: list[pa.Check] = []
        if c.kind in ("id", "text"):
            checks.append(pa.Check(lambda s: s.str.strip().str.len() > 0, name="blank", element_wise=False))
        elif c.kind == "category":
            checks.append(pa.Check(lambda s, v=CODEBOOKS[c.name]: s.isin(v), name="codebook"))
        elif c.kind == "year":
            checks.append(pa.Check(lambda s: s.str.fullmatch(r"\d{4}"), name="year_format"))
            checks.append(
                pa.Check(
                    lambda s, lo=start.year - 120, hi=end.year: pd.to_numeric(s, errors="coerce").between(lo, hi)
                    | ~s.str.fullmatch(r"\d{4}"),
                    name=f"year_range:{start.year - 120}:{end.year}",
                )
            )
        elif c.kind == "date":
            checks.append(pa.Check(_is_iso_date, name="date_format"))
            checks.append(
                pa.Check(lambda s, a=start, b=end: _in_period(s, a, b), name=f"date_range:{start}:{end}")
            )
        cols[c.name] = pa.Column(
            str, checks=checks, nullable=not c.required, unique=(table.name == "people" and c.name == "person_id")
        )
    return pa.DataFrameSchema(cols, strict=False)


def _is_iso_date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna() & s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")


def _in_period(s: pd.Series, start: dt.date, end: dt.date) -> pd.Series:
    d = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    return d.isna() | ((d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end)))


def _describe(check: str, value, column: str) -> str:
    if check == "not_nullable":
        return "is blank (a value is required)"
    if check == "field_uniqueness":
        return f"duplicate person_id {value!r} (each person appears once in people)"
    if check == "codebook":
        return f"{value!r} is not one of: {', '.join(CODEBOOKS[column])}"
    if check == "blank":
        return "is blank (a value is required)"
    if check == "year_format":
        return f"{value!r} is not a four-digit year"
    if check.startswith("year_range"):
        _, lo, hi = check.split(":")
        return f"year {value} is outside {lo}–{hi}"
    if check == "date_format":
        return f"{value!r} is not a date in YYYY-MM-DD form"
    if check.startswith("date_range"):
        _, lo, hi = check.split(":")
        return f"date {value} is outside the study period {lo} to {hi}"
    if check.startswith("dtype") or check.startswith("coerce_dtype"):
        return f"{value!r} is not text"
    return f"{value!r} fails {check}"


def _failures(file: str, err: pa.errors.SchemaErrors) -> list[str]:
    fc = err.failure_cases
    problems = []
    for row in fc.itertuples(index=False):
        where = f"row {int(row.index) + 1}" if pd.notna(row.index) else "the whole column"
        problems.append(f"{file}, column {row.column}, {where}: {_describe(str(row.check), row.failure_case, row.column)}")
    return problems


def load_records(folder: Path | str, period_start: dt.date, period_end: dt.date) -> Records:
    """Read and validate every input table. Raises InputError listing the problems found, each
    naming the file, column, row and what is wrong (rows count from 1 after the header)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([f"input folder {folder} does not exist"])
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    problems: list[str] = []
    for name, table in TABLES.items():
        try:
            path = find_file(folder, name)
            files[name] = path.name
            df = read_table(path, table)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if name == "people" and len(df) == 0:
            problems.append(f"{path.name}: has a header but no rows (at least one person is needed)")
            continue
        try:
            _schema(table, period_start, period_end).validate(df, lazy=True)
        except pa.errors.SchemaErrors as exc:
            problems.extend(_failures(path.name, exc))
            continue
        frames[name] = df
    if problems:
        raise InputError(problems)
    return _convert(frames, files, period_start, period_end)


def _convert(frames: dict[str, pd.DataFrame], files: dict[str, str], start: dt.date, end: dt.date) -> Records:
    problems: list[str] = []
    people = frames["people"]
    people = pd.DataFrame(
        {
            "person_id": people["person_id"].str.strip(),
            "birth_year": pd.to_numeric(people["birth_year"]).astype("Int64"),
            "gender": people["gender"],
            "race_ethnicity": people["race_ethnicity"],
            "area": people["area"],
        }
    )
    index = pd.Index(people["person_id"])
    tables: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        if name == "people":
            continue
        raw = frames[name]
        codes = index.get_indexer(raw["person_id"].str.strip())
        unknown = np.flatnonzero(codes < 0)
        for i in unknown[:5]:
            problems.append(
                f"{files[name]}, column person_id, row {i + 1}: {raw['person_id'].iat[i]!r} is not in people"
            )
        if len(unknown) > 5:
            problems.append(f"{files[name]}: … {len(unknown) - 5} more person_id values not in people")
        out = pd.DataFrame({"person": codes.astype(np.int32)})
        for c in table.columns:
            if c.name == "person_id":
                continue
            out[c.name] = (
                pd.to_datetime(raw[c.name], format="%Y-%m-%d").to_numpy(dtype="datetime64[D]")
                if c.kind == "date"
                else raw[c.name].to_numpy()
            )
        if table.interval:
            a, b = table.interval
            bad = np.flatnonzero(out[b].to_numpy() < out[a].to_numpy())  # NaT compares False
            for i in bad[:5]:
                problems.append(f"{files[name]}, column {b}, row {i + 1}: {out[b].iat[i]:%Y-%m-%d} is before {a}")
        tables[name] = out
    # A person is either in the program or in the comparison group, once.
    for name in ("program_enrollment", "comparison_group"):
        dup = tables[name]["person"].duplicated()
        for i in np.flatnonzero(dup.to_numpy())[:5]:
            problems.append(f"{files[name]}, column person_id, row {i + 1}: this person is listed twice")
    both = np.intersect1d(tables["program_enrollment"]["person"], tables["comparison_group"]["person"])
    if len(both):
        problems.append(
            f"{len(both)} person(s) are in both program_enrollment and comparison_group, "
            f"e.g. {people['person_id'].iat[int(both[0])]!r}"
        )
    if problems:
        raise InputError(problems)
    return Records(people, tables, np.datetime64(start, "D"), np.datetime64(end, "D"))
