"""Reading and validating a team's record files with DuckDB: the input format follows from the spec.

Each file the spec names (people, one per system, the program's cohorts) is ``NAME.csv``
(UTF-8, header row), ``NAME.parquet`` or ``NAME.xlsx`` (first sheet, header row) in one folder.
Every value is read as text and checked as the spec declares it; each file is read once: one
DuckDB statement parses, checks (a bit per problem, ``_bad``) and stores the typed rows, in
whatever order DuckDB's threads finish. Only when a file has a problem is it read again, in file
order, to name the rows.

Problems are reported as summaries — the file, the column, what is wrong, how many rows, the
first few row numbers and an example value — never one line per row. Rows count from 1 after
the header, so row *n* is line *n*+1 of a CSV file without line breaks inside quotes.

Events outside the study period are normal (partners export what they have): they are left out
and counted for the publish summary. A stay that overlaps the period is active within it.
Impossible dates — an event before the person's birth, after the export date, or a stay ending
before it began — are errors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import tempfile
import weakref
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import InputError
from ..release.spec import Age, Codebook, Cohort, Spec

FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f")
EXTENSIONS = (".csv", ".parquet", ".xlsx")
MAX_EXAMPLES = 5


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A quoted SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def date_lit(d: dt.date) -> str:
    return f"DATE '{d.isoformat()}'"


def str_list(values) -> str:
    return "([" + ", ".join(lit(v) for v in values) + "]::VARCHAR[])"


_FORMATS_SQL = str_list(FORMATS)


def parse_date(col: str) -> str:
    return f"CAST(try_strptime(trim({col}), {_FORMATS_SQL}) AS DATE)"


def blank(col: str) -> str:
    return f"({col} IS NULL OR trim({col}) = '')"


@dataclasses.dataclass(frozen=True)
class Check:
    """One kind of problem: the column it concerns, how to word it, and the SQL condition that is
    true for a bad row (over the raw text columns and the typed ones, ``_v_<name>``)."""

    column: str
    problem: str  # e.g. "is not a date (YYYY-MM-DD)"; "is" becomes "are" for several rows
    condition: str
    show_birth: bool = False  # show the person's birth year beside the value


@dataclasses.dataclass
class FileSpec:
    """What the spec asks of one file: its typed columns, as SQL over the raw text columns, and its checks."""

    name: str
    person: str
    select: dict[str, str]  # typed column -> SQL expression
    checks: list[Check]
    required: list[str]  # raw columns that must exist
    outside: str | None = None  # SQL condition: the row lies outside the study period (left out, counted)
    join_people: bool = True

    def all_checks(self) -> list[Check]:
        """Every check, in order: the problem bit of check i is ``1 << i``."""
        if not self.join_people:
            return self.checks
        pid = q(self.person)
        return [
            Check(self.person, "is blank (every row needs the person's id)", blank(pid)),
            Check(self.person, "is not an id in the people file", "NOT _pid_blank AND _p.person IS NULL"),
            *self.checks,
        ]


@dataclasses.dataclass
class Inputs:
    """Validated records inside one DuckDB connection: ``people`` (person code = row number) and
    ``ev_<system>`` / ``cohort_<group>`` tables keyed by person code."""

    con: duckdb.DuckDBPyConnection
    spec: Spec
    files: dict[str, str]  # file name in the spec -> file found
    rows: dict[str, int]
    outside: dict[str, int]  # events left out because they lie outside the study period
    spill: Path  # where DuckDB may spill to disk

    @property
    def n_people(self) -> int:
        return self.rows[self.spec.people.file]

    def __post_init__(self) -> None:
        # closed and its spill folder removed by close(), or else when it is garbage or at exit
        self._closer = weakref.finalize(self, close_connection, self.con, self.spill)

    def close(self) -> None:
        self._closer()

    def summary(self) -> str:
        parts = [f"{self.rows[self.spec.people.file]:,} people"]
        parts += [f"{self.rows[f]:,} rows of {self.files[f]}" for f in self.rows if f != self.spec.people.file]
        text = "read " + ", ".join(parts)
        left = {f: n for f, n in self.outside.items() if n}
        if left:
            text += "; left out as outside the study period: " + ", ".join(
                f"{n:,} rows of {self.files[f]}" for f, n in left.items()
            )
        return text


MEMORY_LIMIT = "2GB"  # DuckDB's share; beyond it, it spills to disk (the whole step stays under 3 GB)


def close_connection(con: duckdb.DuckDBPyConnection, spill: Path) -> None:
    con.close()
    shutil.rmtree(spill, ignore_errors=True)


def connect(memory_limit: str = MEMORY_LIMIT) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """An in-memory database that holds at most ``memory_limit`` and spills the rest to a
    temporary folder of its own. Rows are not kept in file order (that costs time on every
    file); ``in_order`` reads a file again in order when needed."""
    con = duckdb.connect(config={"preserve_insertion_order": False})
    spill = Path(tempfile.mkdtemp(prefix="cpt-publish-"))
    con.execute(f"SET temp_directory = {lit(str(spill))}")
    try:
        con.execute(f"SET memory_limit = {lit(memory_limit)}")
    except duckdb.Error:
        close_connection(con, spill)
        raise InputError(
            [f"memory limit {memory_limit!r} is not a size DuckDB understands (e.g. 2GB, 500MB)"]
        ) from None
    return con, spill


# ----------------------------------------------------------------------------- files


def find_file(folder: Path, name: str) -> Path:
    found = [folder / f"{name}{ext}" for ext in EXTENSIONS if (folder / f"{name}{ext}").exists()]
    if not found:
        raise InputError([f"missing file {name!r}: expected {name}.csv, {name}.parquet or {name}.xlsx in {folder}"])
    if len(found) > 1:
        raise InputError([f"file {name!r} is given {len(found)} times ({', '.join(p.name for p in found)}): keep one"])
    return found[0]


def source_sql(con: duckdb.DuckDBPyConnection, path: Path, view: str) -> list[str]:
    """Make ``view`` read ``path`` with every column as text; returns the columns found."""
    if path.stat().st_size == 0:
        raise InputError([f"{path.name}: the file is empty (expected a header row)"])
    try:
        if path.suffix == ".csv":
            con.execute(
                f"CREATE OR REPLACE VIEW {q(view)} AS SELECT * FROM read_csv({lit(str(path))}, all_varchar = true, "
                "header = true, delim = ',', quote = '\"', escape = '\"')"
            )
        elif path.suffix == ".parquet":
            cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(str(path))})").fetchall()]
            casts = ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in cols)
            con.execute(f"CREATE OR REPLACE VIEW {q(view)} AS SELECT {casts} FROM read_parquet({lit(str(path))})")
        else:
            table = _read_excel(path)
            con.register(f"{view}_arrow", table)
            con.execute(f"CREATE OR REPLACE VIEW {q(view)} AS SELECT * FROM {q(view + '_arrow')}")
        return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {q(view)}").fetchall()]
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        if "utf" in str(exc).lower() or "unicode" in str(exc).lower():
            line = re.search(r"Line: (\d+)", str(exc))
            reason = "the file is not valid UTF-8 text (save it as UTF-8 CSV)" + (
                f"; near line {line[1]}" if line else ""
            )
        raise InputError([f"{path.name}: cannot be read as {path.suffix[1:].upper()}: {reason}"]) from None


def _read_excel(path: Path) -> pa.Table:
    """The first sheet of a workbook as text columns (python-calamine: DuckDB's own Excel
    extension is not published on PyPI for the pinned DuckDB, and nothing downloads at run time)."""
    from python_calamine import CalamineWorkbook

    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=True)
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise InputError([f"{path.name}: cannot be read as an Excel workbook: {exc}"]) from None
    if not rows:
        raise InputError([f"{path.name}: the first sheet is empty (expected a header row)"])
    header = [str(h).strip() for h in rows[0]]
    cols = {h: [_cell(r[i]) if i < len(r) else None for r in rows[1:]] for i, h in enumerate(header) if h}
    return pa.table({h: pa.array(v, pa.string()) for h, v in cols.items()})


def _cell(v) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# ----------------------------------------------------------------------------- what each file must hold


def category(cb: Codebook, typed: str | None = None, col: str | None = None) -> tuple[str, Check]:
    """The code of a codebook column (0-based; blank = not recorded; recodes applied) and the
    check of its values: the code is NULL exactly for a value outside the codebook. ``typed``:
    the name the code is stored under in a file's projection (its check then reads ``_v_<typed>``
    instead of looking the value up again); ``col``: SQL of the raw text (default: the file's column)."""
    col = col or q(cb.column)
    value = f"trim({col})"
    if cb.recode:
        value = f"coalesce({str_list(cb.recode.values())}[list_position({str_list(cb.recode)}, {value})], {value})"
    cats = str_list(cb.categories)
    code = f"CASE WHEN {blank(col)} THEN {len(cb.categories) - 1} ELSE list_position({cats}, {value}) - 1 END"
    problem = f"is not in the codebook ({', '.join(cb.codebook)}; blank = {cb.not_recorded!r})"
    return code, Check(cb.column, problem, f"{q('_v_' + typed) if typed else '(' + code + ')'} IS NULL")


def people_file(spec: Spec, export: dt.date) -> FileSpec:
    pid = q(spec.people.id)
    select = {"id": f"trim({pid})"}
    checks = [Check(spec.people.id, "is blank (every person needs an id)", blank(pid))]
    required = [spec.people.id]
    for name, attr in spec.people.attributes.items():
        col = q(attr.column)
        required.append(attr.column)
        if isinstance(attr, Age) and attr.birth_year:
            select["birth_year"] = f"CASE WHEN {blank(col)} THEN NULL ELSE TRY_CAST(trim({col}) AS INTEGER) END"
            select["birth_date"] = "CAST(NULL AS DATE)"
            ok = f"regexp_full_match(trim({col}), '\\d{{4}}') AND _v_birth_year BETWEEN 1880 AND {export.year}"
            checks.append(
                Check(
                    attr.column,
                    f"is not a four-digit birth year between 1880 and {export.year}",
                    f"NOT {blank(col)} AND NOT ({ok})",
                )
            )
        elif isinstance(attr, Age):
            select["birth_date"] = parse_date(col)
            select["birth_year"] = f"year({parse_date(col)})"
            bad = f"_v_birth_date IS NULL OR _v_birth_date > {date_lit(export)} OR _v_birth_year < 1880"
            checks.append(
                Check(
                    attr.column,
                    "is not a birth date (YYYY-MM-DD) between 1880 and the export date",
                    f"NOT {blank(col)} AND ({bad})",
                )
            )
        else:
            select[name], check = category(attr, name)
            checks.append(check)
    return FileSpec(spec.people.file, spec.people.id, select, checks, required, join_people=False)


def _dates(date: str) -> list[Check]:
    """A required date column, parsed into ``_v_d``."""
    d = q(date)
    return [
        Check(date, "is blank (a date is required)", blank(d)),
        Check(date, "is not a date (YYYY-MM-DD)", f"NOT {blank(d)} AND _v_d IS NULL"),
    ]


def event_file(spec: Spec, system_id: str, export: dt.date) -> FileSpec:
    s = spec.systems[system_id]
    p = spec.release.period
    select = {"d": parse_date(q(s.date))}
    checks = [
        *_dates(s.date),
        Check(s.date, f"is after the export date {export}", f"_v_d > {date_lit(export)}"),
        Check(s.date, "is before the person was born", BEFORE_BIRTH, show_birth=True),
    ]
    required = [s.person, s.date]
    if s.end_date:
        e = q(s.end_date)
        required.append(s.end_date)
        select["e"] = parse_date(e)
        checks += [
            Check(
                s.end_date,
                "is not a date (YYYY-MM-DD); leave it blank while the stay goes on",
                f"NOT {blank(e)} AND _v_e IS NULL",
            ),
            Check(s.end_date, f"is before {s.date}", "_v_e < _v_d"),
            Check(s.end_date, f"is after the export date {export}", f"_v_e > {date_lit(export)}"),
        ]
        outside = f"(d > {date_lit(p.end)} OR coalesce(e, {date_lit(p.end)}) < {date_lit(p.start)})"
    else:
        select["e"] = "CAST(NULL AS DATE)"
        outside = f"(d NOT BETWEEN {date_lit(p.start)} AND {date_lit(p.end)})"
    for name, cb in s.attributes.items():
        required.append(cb.column)
        select[name], check = category(cb, name)
        checks.append(check)
    return FileSpec(s.file, s.person, select, checks, required, outside)


def cohort_file(c: Cohort) -> FileSpec:
    return FileSpec(c.file, c.person, {"d": parse_date(q(c.date))}, _dates(c.date), [c.person, c.date])


# ----------------------------------------------------------------------------- loading


BEFORE_BIRTH = (
    "(_p.birth_date IS NOT NULL AND _v_d < _p.birth_date) OR "
    "(_p.birth_date IS NULL AND _p.birth_year IS NOT NULL AND year(_v_d) < _p.birth_year)"
)


def _projection(fs: FileSpec, source: str, row: str, raw: tuple[str, ...] = ()) -> str:
    """One pass over a file: typed columns, the person code, and a bit per problem (``raw``:
    text columns to keep beside them, as ``_raw_<name>``, for describing problems). A row's own
    values are checked before the join with people, so that no text but the id crosses the join."""
    typed = [q("_v_" + k) for k in fs.select]
    bits = [(c.condition, 1 << i) for i, c in enumerate(fs.all_checks())]
    own = " | ".join(f"(CASE WHEN {c} THEN {b} ELSE 0 END)" for c, b in bits if "_p." not in c) or "0"
    joined = " | ".join(f"(CASE WHEN {c} THEN {b} ELSE 0 END)" for c, b in bits if "_p." in c) or "0"
    keep = [*typed, *(q(c) for c in raw), *([row] if row != "NULL" else []), f"({own})::UINTEGER AS _own"]
    cols = [f"{v} AS {q(k)}" for v, k in zip(typed, fs.select)] + [f"_src.{q(c)} AS {q('_raw_' + c)}" for c in raw]
    parsed = f"SELECT *, {', '.join(f'{sql} AS {v}' for v, sql in zip(typed, fs.select.values()))} FROM {source}"
    join = ""
    if fs.join_people:
        keep += [f"{blank(q(fs.person))} AS _pid_blank", f"trim({q(fs.person)}) AS _pid"]
        cols = ["_p.person AS person", "_p.birth_year AS _birth_year", *cols]
        join = " LEFT JOIN people_ids _p ON _p.id = _src._pid"
    return (
        f"SELECT {row} AS _row, {', '.join(cols)}, (_own | {joined})::UINTEGER AS _bad "
        f"FROM (SELECT {', '.join(keep)} FROM ({parsed})) _src{join}"
    )


def load_inputs(folder: Path | str, spec: Spec, memory_limit: str = MEMORY_LIMIT) -> Inputs:
    """Read and check every file the spec names. Raises InputError with every problem found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([f"input folder {folder} does not exist"])
    con, spill = connect(memory_limit)
    export = spec.release.export_date or dt.date.today()
    problems: list[str] = []
    files: dict[str, str] = {}
    rows: dict[str, int] = {}
    outside: dict[str, int] = {}

    plan: list[tuple[str, FileSpec]] = [("people", people_file(spec, export))]
    plan += [(f"ev_{s.id}", event_file(spec, s.id, export)) for s in spec.system]
    if spec.program:
        plan += [
            ("cohort_program", cohort_file(spec.program.enrolled)),
            ("cohort_comparison", cohort_file(spec.program.comparison)),
        ]
    people_ok = True
    for table, fs in plan:
        try:
            path = find_file(folder, fs.name)
            files[fs.name] = path.name
            view = f"src_{table}"
            columns = source_sql(con, path, view)
        except InputError as exc:
            problems.extend(exc.problems)
            people_ok = people_ok and table != "people"
            continue
        missing = [c for c in dict.fromkeys(fs.required) if c not in columns]
        if missing:
            problems.append(f"{path.name}: missing column(s) {', '.join(missing)} (it has: {', '.join(columns)})")
            people_ok = people_ok and table != "people"
            continue
        if not people_ok:  # without the people file, other files can only be looked for
            continue
        keep = ", ".join(["person"] * fs.join_people + [q(k) for k in fs.select] + ["_bad"])
        within = f", NOT {fs.outside} AS _in" if fs.outside else ""
        con.execute(
            f"CREATE OR REPLACE TABLE {q(table)} AS SELECT {keep}{within} FROM ({_projection(fs, q(view), 'NULL')})"
        )
        n, bad = con.execute(f"SELECT count(*), bit_or(_bad) FROM {q(table)}").fetchone()
        rows[fs.name] = n
        if table == "people":
            problems += _people_problems(con, path.name, n, fs, view, bad)
            people_ok = n > 0
            births = (
                ""
                if "birth_year" in fs.select
                else ", CAST(NULL AS INTEGER) AS birth_year, CAST(NULL AS DATE) AS birth_date"
            )
            con.execute(  # person: a code for joins; key: the same for a person in every run, whatever the order
                f"CREATE OR REPLACE TABLE people_ids AS SELECT (rowid)::INTEGER AS person, hash(id) AS key, "
                f"* EXCLUDE (_bad){births} FROM people; DROP TABLE people"
            )
            continue
        if bad:
            problems += describe(con, path.name, fs, view, bad)
            continue
        if fs.outside:
            outside[fs.name] = con.execute(f"DELETE FROM {q(table)} WHERE NOT _in").fetchone()[0]
    if not problems and spec.program:
        problems += _cohort_problems(con, spec, files)
    if problems:
        close_connection(con, spill)
        raise InputError(problems)
    return Inputs(con, spec, files, rows, outside, spill)


def _people_problems(con, file: str, n: int, fs: FileSpec, view: str, bad: int | None) -> list[str]:
    if n == 0:
        return [f"{file}: has a header but no rows (at least one person is needed)"]
    problems = describe(con, file, fs, view, bad) if bad else []
    # distinct 64-bit hashes first (fast); only if two collide are the ids themselves compared
    dup = con.execute("SELECT count(*) - count(DISTINCT hash(id)) FROM people WHERE id <> ''").fetchone()[0]
    if dup:
        dup = con.execute("SELECT count(*) - count(DISTINCT id) FROM people WHERE id <> ''").fetchone()[0]
    if dup:
        in_order(con, "_raw", q(view))
        key = f"trim({q(fs.person)})"
        n, first, example = _repeated(con, "_raw", key, f"{key} <> ''")
        problems.append(
            f"{file}, column {fs.person}: {dup:,} duplicate id(s): each person appears once "
            f"(rows {row_list(first, n)}; e.g. {example!r})"
        )
    return problems


def in_order(con, table: str, source: str) -> None:
    """``table``: ``source`` as a table in file order, so that ``rowid + 1`` is the row number."""
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {source}")
    con.execute("SET preserve_insertion_order = false")


def _repeated(con, table: str, key: str, where: str = "TRUE") -> tuple[int, list[int], str]:
    """Rows whose ``key`` another row has too: how many, the first row numbers, an example key."""
    return con.execute(
        f"SELECT count(*), list(_row ORDER BY _row)[1:{MAX_EXAMPLES}], CAST(arg_min(_key, _row) AS VARCHAR) FROM ("
        f"SELECT rowid + 1 AS _row, {key} AS _key, count(*) OVER (PARTITION BY {key}) AS n FROM {table} WHERE {where}) "
        "WHERE n > 1"
    ).fetchone()


def row_list(rows: list[int], total: int) -> str:
    text = ", ".join(str(r) for r in rows)
    return text + (", …" if total > len(rows) else "")


def describe(con, file: str, fs: FileSpec, view: str, bad: int) -> list[str]:
    """Read the file again, in order, to summarise each problem: how many rows, which, an example."""
    in_order(con, "_raw", q(view))
    failed = [(1 << i, c) for i, c in enumerate(fs.all_checks()) if bad & (1 << i)]
    raw = tuple(dict.fromkeys(c.column for _, c in failed))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _diag AS "
        + _projection(fs, "(SELECT rowid + 1 AS _rowno, * FROM _raw)", "_rowno", raw)
    )
    out = []
    for bit, c in failed:
        value = q("_raw_" + c.column)
        if c.show_birth:
            value = f"{value} || ' (born ' || coalesce(CAST(_birth_year AS VARCHAR), '?') || ')'"
        n, first, example = con.execute(
            f"SELECT count(*), list(_row ORDER BY _row)[1:{MAX_EXAMPLES}], arg_min({value}, _row) "
            f"FROM _diag WHERE _bad & {bit} <> 0"
        ).fetchone()
        if not n:
            continue
        rows, problem = ("row", c.problem) if n == 1 else (f"{n:,} rows", re.sub(r"^is\b", "are", c.problem))
        ex = "" if example is None else f"; e.g. {example!r}"
        out.append(f"{file}, column {c.column}: {rows} {problem} (row{'s' if n > 1 else ''} {row_list(first, n)}{ex})")
    con.execute("DROP TABLE _diag; DROP TABLE _raw")
    return out or [f"{file}: has problems that could not be located (please report this)"]


def _cohort_problems(con, spec: Spec, files: dict[str, str]) -> list[str]:
    problems = []
    for group, c in (("program", spec.program.enrolled), ("comparison", spec.program.comparison)):
        in_order(con, "_raw", q(f"src_cohort_{group}"))
        n, first, _ = _repeated(con, "_raw", f"trim({q(c.person)})")
        if n:
            problems.append(
                f"{files[c.file]}, column {c.person}: {n:,} rows list a person more than once "
                f"(rows {row_list(first, n)}): each person starts once"
            )
    both = con.execute(
        "SELECT count(*) FROM (SELECT DISTINCT person FROM cohort_program) "
        "JOIN (SELECT DISTINCT person FROM cohort_comparison) USING (person)"
    ).fetchone()[0]
    if both:
        problems.append(
            f"{both:,} person(s) are in both {files[spec.program.enrolled.file]} and "
            f"{files[spec.program.comparison.file]}: a person is in the program or the comparison group"
        )
    return problems
