"""The baseline: the same exact counts as the demo release, by bare DuckDB GROUP BYs.

No validation, no protection, no audit, no manifest: read the demo county's files, group,
count. It is the denominator of the publish benchmark's ratio and, written by hand for the demo
spec (cpt_public/specs/demo.toml) and independently of the vocabulary and atom model, the oracle
that tests/unit/test_aggregate.py checks the publish step's exact counts against. Interior
cells only (no Total margins), keyed like the release tables.

The demo's measures: a system is used in the period if an event falls in it or a stay overlaps
it; age at the start of the period; the last 12 months are the period's final 365 days; monthly
contacts count a stay in every month it was active; program windows must lie inside the period.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

S, E = "DATE '2022-01-01'", "DATE '2025-12-31'"
W0 = f"({E} - 364)"
SYSTEMS = {  # file: (label, flag, date, end date)
    "jail_bookings": ("Jail", "jail", "booking_date", "release_date"),
    "homeless_enrollments": ("Homeless services", "homeless", "entry_date", "exit_date"),
    "ems_encounters": ("EMS", "ems", "encounter_date", None),
    "ed_visits": ("Emergency department", "ed", "visit_date", None),
}
AGE = (
    "CASE WHEN birth_year IS NULL THEN 'Unknown' WHEN a < 18 THEN 'Under 18' WHEN a < 25 THEN '18-24' "
    "WHEN a < 35 THEN '25-34' WHEN a < 45 THEN '35-44' WHEN a < 55 THEN '45-54' WHEN a < 65 THEN '55-64' ELSE '65+' END"
)


def read(folder: Path) -> duckdb.DuckDBPyConnection:
    """Each file read once, with DuckDB's own type detection, into an in-memory table."""
    con = duckdb.connect()
    for p in Path(folder).glob("*.csv"):
        con.execute(f"CREATE TABLE {p.stem} AS SELECT * FROM read_csv('{p}')")
    return con


def _active(file: str, a: str, b: str) -> str:
    _, _, d, e = SYSTEMS[file]
    if e:
        return f"{d} <= {b} AND coalesce({e}, DATE '9999-12-31') >= {a}"
    return f"{d} BETWEEN {a} AND {b}"


def _series(con, sql: str, keys: list[str]) -> pd.Series:
    df = con.execute(sql).df()
    return df.set_index(keys)["n"] if len(keys) > 1 else df.set_index(keys[0])["n"]


def exact_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pd.Series]:
    flags = ", ".join(
        f"CASE WHEN person_id IN (SELECT person_id FROM {f} WHERE {_active(f, S, E)}) THEN 'Yes' ELSE 'No' END AS {fl}"
        for f, (_, fl, _, _) in SYSTEMS.items()
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE p AS SELECT person_id, gender, race_ethnicity, birth_year, "
        f"greatest(0, year({S}) - birth_year) AS a, {flags} FROM people"
    )
    n = " + ".join(f"({fl} = 'Yes')::INT" for _, fl, _, _ in SYSTEMS.values())
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE pp AS SELECT *, ({n})::VARCHAR AS systems_used, "
        f"CASE WHEN {n} >= 2 THEN 'Yes' ELSE 'No' END AS multi_system, {AGE} AS age_group FROM p"
    )
    out = {
        "people_by_systems_used": _series(
            con, "SELECT systems_used, count(*) n FROM pp GROUP BY ALL", ["systems_used"]
        ),
        "system_overlap": _series(
            con, "SELECT jail, homeless, ems, ed, count(*) n FROM pp GROUP BY ALL", ["jail", "homeless", "ems", "ed"]
        ),
    }
    for name, col in (("age", "age_group"), ("gender", "gender"), ("race", "race_ethnicity")):
        out[f"{name}_by_multi_system"] = _series(
            con,
            f"SELECT multi_system, coalesce({col}, 'Unknown') AS {col}, count(*) n FROM pp GROUP BY ALL",
            ["multi_system", col],
        )
    out["frequent_jail_use"] = _series(
        con,
        f"""
        SELECT CASE WHEN b = 1 THEN '1' WHEN b = 2 THEN '2' WHEN b <= 4 THEN '3-4' ELSE '5+' END AS bookings_12m,
               CASE WHEN person_id IN (SELECT person_id FROM homeless_enrollments
                                       WHERE {_active("homeless_enrollments", W0, E)}) THEN 'Yes' ELSE 'No' END AS homeless_12m,
               count(*) n
        FROM (SELECT person_id, count(*) b FROM jail_bookings WHERE booking_date BETWEEN {W0} AND {E} GROUP BY ALL)
        GROUP BY ALL""",
        ["bookings_12m", "homeless_12m"],
    )
    out["release_transitions"] = _series(
        con,
        f"""
        WITH r AS (SELECT person_id, min(release_date) r FROM jail_bookings
                   WHERE release_date BETWEEN {S} AND {E} - 30 GROUP BY ALL)
        SELECT CASE WHEN EXISTS (SELECT 1 FROM ed_visits v WHERE v.person_id = r.person_id
                                 AND v.visit_date > r.r AND v.visit_date <= r.r + 30) THEN 'Yes' ELSE 'No' END AS ed,
               CASE WHEN EXISTS (SELECT 1 FROM homeless_enrollments h WHERE h.person_id = r.person_id
                                 AND h.project_type IN ('Emergency Shelter', 'Transitional Housing')
                                 AND h.entry_date > r.r AND h.entry_date <= r.r + 30) THEN 'Yes' ELSE 'No' END AS shelter,
               count(*) n
        FROM r GROUP BY ALL""",
        ["ed", "shelter"],
    )
    months = []
    for f, (label, _, d, e) in SYSTEMS.items():  # month numbers from the start of the period
        if e:
            first, last = f"greatest({d}, {S})", f"least(coalesce({e}, {E}), {E})"
            months.append(
                f"SELECT person_id, unnest(range(date_diff('month', {S}, {first}), "
                f"date_diff('month', {S}, {last}) + 1)) AS m, '{label}' AS s FROM {f} WHERE {_active(f, S, E)}"
            )
        else:
            months.append(
                f"SELECT person_id, date_diff('month', {S}, {d}) AS m, '{label}' AS s FROM {f} "
                f"WHERE {d} BETWEEN {S} AND {E}"
            )
    out["monthly_contacts"] = _series(
        con,
        f"SELECT strftime({S} + to_months(m::INT), '%Y-%m') AS month, s AS system, count(*) n "
        f"FROM (SELECT DISTINCT * FROM ({' UNION ALL '.join(months)})) GROUP BY ALL",
        ["month", "system"],
    )
    use = " UNION ALL ".join(
        f"SELECT person_id, '{label}' AS system, count(*) AS c FROM {f} WHERE {d} BETWEEN {W0} AND {E} GROUP BY ALL"
        for f, (label, _, d, _) in SYSTEMS.items()
    )
    out["service_use_cost"] = _series(
        con,
        f"""
        SELECT system, multi_system, sum(c) n FROM (
            SELECT system, c, CASE WHEN count(*) OVER (PARTITION BY person_id) >= 2 THEN 'Yes' ELSE 'No' END AS multi_system
            FROM ({use})) GROUP BY ALL""",
        ["system", "multi_system"],
    )
    return out


def program_outcomes(con: duckdb.DuckDBPyConnection) -> pd.Series:
    """People followed and with each outcome, by window and group (interior cells)."""
    events = {
        "Jail booking": ("jail_bookings", "booking_date"),
        "Emergency department visit": ("ed_visits", "visit_date"),
        "Homeless services entry": ("homeless_enrollments", "entry_date"),
    }
    cohorts = (
        "SELECT person_id, start_date AS s, 'Program' AS g FROM program_enrollment UNION ALL "
        "SELECT person_id, index_date, 'Comparison' FROM comparison_group"
    )
    windows = "VALUES ('Months 1-6', 0, 6), ('Months 7-12', 6, 12), ('Months 13-18', 12, 18), ('Months 19-24', 18, 24)"
    base = (
        f"SELECT c.person_id, c.g, w.label, c.s + to_months(w.lo) AS ws, c.s + to_months(w.hi) AS we "
        f"FROM ({cohorts}) c CROSS JOIN ({windows}) w(label, lo, hi) "
        f"WHERE c.s >= {S} AND c.s + to_months(w.hi) <= {E} + 1"
    )
    parts = [f"SELECT label, 'People followed' AS outcome, g, count(*) n FROM ({base}) GROUP BY ALL"]
    for outcome, (f, d) in events.items():
        parts.append(
            f"SELECT label, '{outcome}', g, count(DISTINCT b.person_id || b.label) n FROM ({base}) b "
            f"JOIN {f} e ON e.person_id = b.person_id AND e.{d} >= b.ws AND e.{d} < b.we GROUP BY ALL"
        )
    return _series(con, " UNION ALL ".join(parts), ["label", "outcome", "g"])


def without_contribution_bounds(spec):
    """The spec with every noisy table allowed every unit and any value: its exact counts are the
    true ones (for comparing with this file's counts, and with published noisy counts)."""
    unbounded = {"max_units_per_person": 10**6, "max_value_per_unit": 10**6}
    tables = [
        t.model_copy(update={"protection": t.protection.model_copy(update=unbounded)})
        if t.protection.method.startswith("dp")
        else t
        for t in spec.tables
    ]
    return spec.model_copy(update={"table": tables})
