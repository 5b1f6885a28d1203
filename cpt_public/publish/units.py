"""Each population's units, built by one DuckDB query over the validated records, and counted
into the atoms of its model. Only those small atom counts leave DuckDB.

A unit's attributes are integer codes: the position of its category in the population's list
(Yes = 0, No = 1). The kinds follow ``release.vocabulary``:
- people: everyone in the people file; a flag per system (and subset) used in the period;
- monthly: a person, a month and a system with contact in that month (or a stay active in it);
- frequent_use: people with an event of one system in the last N days, by how many;
- transitions: people leaving one system (first time in the period), with flags for what followed;
- program_outcomes: program and comparison members, one unit per follow-up window fully observed;
- service_use: a person and a system, weighted by the events in the last N days;
- custom: a team's own query.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..errors import InputError
from ..release.model import UniverseModel
from ..release.spec import Age, Spec, parse_band
from ..release.vocabulary import OUTCOME, Population, band_edges, system_refs, table_systems, window_days
from .inputs import Inputs, category, date_lit, q, str_list

FAR = "DATE '9999-12-31'"


def _active(spec: Spec, system: str, a: str, b: str, alias: str = "") -> str:
    """A row of the system is active within [a, b]: an event on a day in it, or a stay overlapping it."""
    p = f"{alias}." if alias else ""
    if spec.systems[system].end_date:
        return f"({p}d <= {b} AND coalesce({p}e, {FAR}) >= {a})"
    return f"({p}d BETWEEN {a} AND {b})"


def _subset(spec: Spec, system: str, subset: str | None, alias: str = "") -> str:
    if subset is None:
        return "TRUE"
    p = f"{alias}." if alias else ""
    s = spec.systems[system]
    parts = []
    for attr, values in s.subsets[subset].where.items():
        codes = [s.attributes[attr].categories.index(v) for v in values]
        parts.append(f"{p}{q(attr)} IN ({', '.join(map(str, codes))})")
    return "(" + " AND ".join(parts) + ")"


def _flag_targets(spec: Spec, needed: list[str], prefix: str = "") -> list[tuple[str, str, str | None]]:
    """(attribute, system, subset) for each system flag attribute the model needs (named with ``prefix``)."""
    by_attr = {prefix + attr: (ref.split(".")[0], sub) for ref, (attr, _, sub) in system_refs(spec).items()}
    return [(a, *by_attr[a]) for a in needed if a in by_attr]


def _window_start(spec: Spec, t) -> str:
    return date_lit(spec.release.period.end - dt.timedelta(days=window_days(t) - 1))


def _band_code(value: str, labels: tuple[str, ...]) -> str:
    edges = band_edges(labels)
    whens = " ".join(f"WHEN {value} < {int(hi)} THEN {i}" for i, hi in enumerate(edges[1:]) if np.isfinite(hi))
    return f"(CASE {whens} ELSE {len(labels) - 1} END)"


def _person_attr(spec: Spec, attr: str, ref: str | None) -> str:
    """The code of a person attribute; ages at ``ref`` (SQL date) or at the start of the period."""
    a = spec.people.attributes[attr]
    if not isinstance(a, Age):
        return f"_pp.{q(attr)}"
    at = ref if (a.at == "event" and ref) else date_lit(spec.release.period.start)
    age = (
        f"greatest(0, CASE WHEN _pp.birth_date IS NOT NULL THEN date_sub('year', _pp.birth_date, {at}) "
        f"ELSE year({at}) - _pp.birth_year END)"
    )
    return f"(CASE WHEN _pp.birth_year IS NULL THEN {len(a.bands)} ELSE {_band_code(age, tuple(a.bands))} END)"


def _with_people(spec: Spec, units: str, attrs: list[str], ref: str | None) -> str:
    """Add person attributes to units (a query with a ``person`` column)."""
    person = [a for a in attrs if a in spec.people.attributes]
    if not person:
        return units
    cols = ", ".join(f"{_person_attr(spec, a, ref)} AS {q(a)}" for a in person)
    return f"SELECT _u.*, {cols} FROM ({units}) _u JOIN people_ids _pp ON _pp.person = _u.person"


def _flags(spec: Spec, targets, rows: dict[str, str]) -> str:
    """``person, f`` with bit i of ``f`` set when the i-th target has a row: ``rows`` maps system
    to a query of (person, and the system's columns) restricted as the population needs."""
    parts = []
    for i, (_, system, subset) in enumerate(targets):
        parts.append(
            f"SELECT person, {1 << i}::UBIGINT AS b FROM ({rows[system]}) WHERE {_subset(spec, system, subset)}"
        )
    if not parts:
        return "SELECT NULL::INTEGER AS person, 0::UBIGINT AS f WHERE FALSE"
    return f"SELECT person, bit_or(b) AS f FROM ({' UNION ALL '.join(parts)}) GROUP BY person"


def _flag_cols(targets, source: str = "_f.f") -> str:
    return "".join(
        f", CASE WHEN coalesce({source}, 0) & {1 << i} <> 0 THEN 0 ELSE 1 END AS {q(a)}"
        for i, (a, _, _) in enumerate(targets)
    )


def build_units(inputs: Inputs, pop: Population, attrs: list[str], t) -> str:
    """The SQL of a population's units, whatever its kind, in narrow types (a code is a small
    number): at 10M people a population can have tens of millions of units."""
    sql = custom_units(inputs, pop, attrs) if pop.kind == "custom" else units_sql(inputs.spec, pop, attrs, t)
    codes = "".join(f", {q(a)}::USMALLINT AS {q(a)}" for a in attrs)
    return f"SELECT person::INTEGER AS person, w::BIGINT AS w{codes} FROM ({sql})"


def units_sql(spec: Spec, pop: Population, attrs: list[str], t) -> str:
    """The population's units: ``person``, the code of each attribute in ``attrs``, and ``w``
    (the weight; 1 for populations of people). ``t`` is one of its tables (for its parameters)."""
    p = spec.release.period
    S, E = date_lit(p.start), date_lit(p.end)
    targets = _flag_targets(spec, attrs)
    kind = pop.kind
    if kind == "people":
        rows = {s: f"SELECT * FROM {q('ev_' + s)} WHERE {_active(spec, s, S, E)}" for s in spec.systems}
        units = (
            f"SELECT _p.person, 1 AS w{_flag_cols(targets)} FROM people_ids _p "
            f"LEFT JOIN ({_flags(spec, targets, rows)}) _f ON _f.person = _p.person"
        )
        return _with_people(spec, units, attrs, None)
    if kind == "monthly":
        ids = table_systems(spec, t)
        first = date_lit(p.start.replace(day=1))
        parts = []
        for i, s in enumerate(ids):
            if spec.systems[s].end_date:
                m0 = f"date_diff('month', {first}, greatest(d, {S}))"
                m1 = f"date_diff('month', {first}, least(coalesce(e, {E}), {E}))"
                months = f"SELECT person, unnest(range({m0}, {m1} + 1))::SMALLINT AS m FROM {q('ev_' + s)} "
                months += f"WHERE {_active(spec, s, S, E)}"
            else:
                months = f"SELECT person, date_diff('month', {first}, d)::SMALLINT AS m FROM {q('ev_' + s)} "
                months += f"WHERE d BETWEEN {S} AND {E}"
            # one system at a time: smaller distinct sets, no global DISTINCT (the systems differ)
            parts.append(f"SELECT person, m AS month, {i} AS system FROM (SELECT DISTINCT person, m FROM ({months}))")
        units = f"SELECT *, 1 AS w FROM ({' UNION ALL '.join(parts)})"
        return _with_people(spec, units, attrs, f"({first} + to_months(month::INTEGER))")
    if kind == "frequent_use":
        w0 = _window_start(spec, t)
        rows = {s: f"SELECT * FROM {q('ev_' + s)} WHERE {_active(spec, s, w0, E)}" for s in spec.systems}
        units = (
            f"SELECT _n.person, {_band_code('_n.n', pop.attrs['events'])} AS events, 1 AS w{_flag_cols(targets)} "
            f"FROM (SELECT person, count(*) AS n FROM {q('ev_' + t.system)} WHERE d BETWEEN {w0} AND {E} "
            f"GROUP BY person) _n LEFT JOIN ({_flags(spec, targets, rows)}) _f ON _f.person = _n.person"
        )
        return _with_people(spec, units, attrs, w0)
    if kind == "transitions":
        days = t.after_days
        left = "e" if spec.systems[t.system].end_date else "d"
        last = date_lit(p.end - dt.timedelta(days=days))
        base = (
            f"SELECT person, min({left}) AS r FROM {q('ev_' + t.system)} WHERE {left} BETWEEN {S} AND {last} "
            "GROUP BY person"
        )
        rows = {
            s: (
                f"SELECT _t.* FROM {q('ev_' + s)} _t JOIN ({base}) _r ON _r.person = _t.person "
                f"WHERE _t.d > _r.r AND _t.d <= _r.r + {days}"
            )
            for s in spec.systems
        }
        units = (
            f"SELECT _b.person, _b.r, 1 AS w{_flag_cols(targets)} FROM ({base}) _b "
            f"LEFT JOIN ({_flags(spec, targets, rows)}) _f ON _f.person = _b.person"
        )
        return f"SELECT * EXCLUDE (r) FROM ({_with_people(spec, units, attrs, '_u.r')})"
    if kind == "program_outcomes":
        return _program_units(spec, pop, attrs, t, S, E)
    if kind == "service_use":
        ids = table_systems(spec, t)
        w0 = _window_start(spec, t)
        parts = [
            f"SELECT person, {i} AS system, count(*) AS w FROM {q('ev_' + s)} WHERE d BETWEEN {w0} AND {E} "
            "GROUP BY person"
            for i, s in enumerate(ids)
        ]
        k = spec.release.multi_system_min
        units = (
            f"SELECT person, system, w, CASE WHEN count(*) OVER (PARTITION BY person) >= {k} THEN 0 ELSE 1 END "
            f"AS multi_system FROM ({' UNION ALL '.join(parts)})"
        )
        return _with_people(spec, units, attrs, w0)
    raise ValueError(f"no units for kind {kind!r}")  # custom populations: custom_units


def _program_units(spec: Spec, pop: Population, attrs: list[str], t, S: str, E: str) -> str:
    windows = []
    for w, label in enumerate(t.windows):
        lo, hi = parse_band(label.removeprefix("Months "))
        windows.append(f"({w}, {lo - 1}, {int(hi) - 1})")
    cohorts = (
        "SELECT person, d AS start, 0 AS g FROM cohort_program UNION ALL SELECT person, d, 1 FROM cohort_comparison"
    )
    base = (
        f"SELECT row_number() OVER (ORDER BY _c.person, _w.w) AS uid, _c.person, _c.g, _w.w, "
        f"_c.start + to_months(_w.a) AS ws, _c.start + to_months(_w.b) AS we, _c.start FROM ({cohorts}) _c "
        f"CROSS JOIN (VALUES {', '.join(windows)}) _w(w, a, b) "
        f"WHERE _c.start >= {S} AND _c.start + to_months(_w.b) <= {E} + 1"
    )
    targets = _flag_targets(spec, attrs, prefix=OUTCOME)
    parts = []
    for i, (_, system, subset) in enumerate(targets):
        parts.append(
            f"SELECT _u.uid, {1 << i}::UBIGINT AS b FROM ({base}) _u JOIN {q('ev_' + system)} _t "
            f"ON _t.person = _u.person WHERE _t.d >= _u.ws AND _t.d < _u.we AND {_subset(spec, system, subset, '_t')}"
        )
    flags = (
        f"SELECT uid, bit_or(b) AS f FROM ({' UNION ALL '.join(parts)}) GROUP BY uid"
        if parts
        else "SELECT NULL::BIGINT AS uid, 0::UBIGINT AS f WHERE FALSE"
    )
    units = (
        f"SELECT _u.person, _u.g AS {q('group')}, _u.w AS followup_window, _u.start, 1 AS w"
        f"{_flag_cols(targets)} FROM ({base}) _u LEFT JOIN ({flags}) _f ON _f.uid = _u.uid"
    )
    return f"SELECT * EXCLUDE (start) FROM ({_with_people(spec, units, attrs, '_u.start')})"


# ----------------------------------------------------------------------------- custom populations


def create_file_views(inputs: Inputs) -> None:
    """Views named after each input file, as the team wrote them (ids and category values as
    text, dates as dates), for custom populations' queries."""
    spec, con = inputs.spec, inputs.con
    attrs = []
    for a, attr in spec.people.attributes.items():
        if isinstance(attr, Age):
            col = attr.birth_year or attr.birth_date
            attrs.append(f"{'birth_year' if attr.birth_year else 'birth_date'} AS {q(col)}")
        else:
            attrs.append(f"{str_list(attr.categories)}[{q(a)} + 1] AS {q(attr.column)}")
    con.execute(
        f"CREATE OR REPLACE VIEW {q(spec.people.file)} AS SELECT id AS {q(spec.people.id)}"
        f"{''.join(', ' + c for c in attrs)} FROM people_ids"
    )
    for s in spec.system:
        cols = [f"_e.d AS {q(s.date)}"] + ([f"_e.e AS {q(s.end_date)}"] if s.end_date else [])
        cols += [f"{str_list(cb.categories)}[_e.{q(a)} + 1] AS {q(cb.column)}" for a, cb in s.attributes.items()]
        con.execute(
            f"CREATE OR REPLACE VIEW {q(s.file)} AS SELECT _p.id AS {q(s.person)}, {', '.join(cols)} "
            f"FROM {q('ev_' + s.id)} _e JOIN people_ids _p ON _p.person = _e.person"
        )
    if spec.program:
        for group, c in (("program", spec.program.enrolled), ("comparison", spec.program.comparison)):
            con.execute(
                f"CREATE OR REPLACE VIEW {q(c.file)} AS SELECT _p.id AS {q(c.person)}, _c.d AS {q(c.date)} "
                f"FROM cohort_{group} _c JOIN people_ids _p ON _p.person = _c.person"
            )


def custom_units(inputs: Inputs, pop: Population, attrs: list[str]) -> str:
    """Run a custom population's query once, check what it returns, and give its units' SQL."""
    import duckdb

    cp = inputs.spec.custom[pop.id]
    con = inputs.con
    table = q(f"custom_{pop.id}")
    where = f"population {pop.id!r}"
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {cp.sql}")
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    except duckdb.Error as exc:
        raise InputError([f"{where}: its sql failed: {str(exc).splitlines()[0]}"]) from None
    missing = [
        c
        for c in [cp.person, *(c.column for c in cp.attributes.values()), *([cp.weight] if cp.weight else [])]
        if c not in cols
    ]
    if missing:
        raise InputError(
            [f"{where}: its sql returns no column(s) {', '.join(missing)} (it returns: {', '.join(cols)})"]
        )
    codes, problems = [], []
    for a, cb in cp.attributes.items():
        code, check = category(cb, col=f"CAST(_c.{q(cb.column)} AS VARCHAR)")
        codes.append(f"{code} AS {q(a)}")
        n, ex = con.execute(
            f"SELECT count(*), any_value(_c.{q(cb.column)}) FROM {table} _c WHERE {check.condition}"
        ).fetchone()
        if n:
            problems.append(
                f"{where}: column {cb.column}: {n:,} rows {check.problem.replace('is ', 'are ', 1)}; e.g. {ex!r}"
            )
    pid = f"trim(CAST(_c.{q(cp.person)} AS VARCHAR))"
    n, ex = con.execute(
        f"SELECT count(*), any_value({pid}) FROM {table} _c LEFT JOIN people_ids _p ON _p.id = {pid} "
        "WHERE _p.person IS NULL"
    ).fetchone()
    if n:
        problems.append(f"{where}: column {cp.person}: {n:,} rows name no person in the people file; e.g. {ex!r}")
    weight = "1"
    if cp.weight:
        weight = f"TRY_CAST(_c.{q(cp.weight)} AS BIGINT)"
        n = con.execute(f"SELECT count(*) FROM {table} _c WHERE {weight} IS NULL OR {weight} < 0").fetchone()[0]
        if n:
            problems.append(f"{where}: column {cp.weight}: {n:,} rows are not whole numbers of 0 or more")
    if problems:
        raise InputError(problems)
    return f"SELECT _p.person, {weight} AS w, {', '.join(codes)} FROM {table} _c JOIN people_ids _p ON _p.id = {pid}"


# ----------------------------------------------------------------------------- counting


def atom_counts(con, units: str, model: UniverseModel, weighted: bool, cap: int | None = None) -> np.ndarray:
    """Units (or the sum of their weights, each capped at ``cap``) per atom of every block."""
    out = []
    value = (f"sum(least(w, {cap}))" if cap else "sum(w)") if weighted else "count(*)"
    for b in model.blocks:
        counts = np.zeros(b.size, dtype=np.int64)
        if b.attrs:
            cols = ", ".join(q(a) for a in b.attrs)
            rows = con.execute(f"SELECT {cols}, {value} AS _n FROM {units} GROUP BY ALL").fetchnumpy()
            idx = np.zeros(len(rows["_n"]), dtype=np.int64)
            for a in b.attrs:
                idx = idx * len(model.attr_cats[a]) + np.asarray(rows[a], dtype=np.int64)
            np.add.at(counts, idx, np.asarray(rows["_n"], dtype=np.int64))
        else:
            counts[0] = con.execute(f"SELECT coalesce({value}, 0) FROM {units}").fetchone()[0]
        out.append(counts)
    return np.concatenate(out)


def per_person(con, units: str) -> str:
    """A table of how many units each person has (made once per population, read by every DP
    table over it): its name."""
    per = q(units.strip('"') + "_per")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {per} AS SELECT person, count(*) AS n FROM {units} GROUP BY person")
    return per


def share_over(con, per: str, max_per_person: int) -> float:
    """The share of people with more than ``max_per_person`` units (0 when no one has a unit)."""
    return float(con.execute(f"SELECT coalesce(avg((n > {max_per_person})::INT), 0) FROM {per}").fetchone()[0])


def clipped(units: str, per: str, columns: list[str], max_per_person: int, salt: int) -> str:
    """At most ``max_per_person`` units per person, chosen by a salted hash of the person's id and
    each unit's content: a random choice that depends on nothing but the person's own units, and
    the same for the same records and salt whatever order the files' rows, or DuckDB's threads,
    put them in. Only the people over the bound (``per``: units per person) are looked at:
    everyone else keeps every unit. A person's units are kept up to the ``max_per_person``-th
    smallest hash (a few numbers per person, not a window over all their units: that ran out of
    memory at 10M people)."""
    key = ", ".join(["_o.key", *(f"_u.{q(c)}" for c in columns), "_u.w", str(salt)])
    k = max_per_person
    return (
        f"(WITH _over AS MATERIALIZED (SELECT _n.person, _pp.key FROM {per} _n "
        f"JOIN people_ids _pp ON _pp.person = _n.person WHERE _n.n > {k}), "
        f"_hashed AS MATERIALIZED (SELECT _u.*, hash({key}) AS _h FROM {units} _u JOIN _over _o ON _o.person = _u.person), "
        f"_cut AS MATERIALIZED (SELECT person, list_max(min(_h, {k})) AS _t FROM _hashed GROUP BY person) "
        f"SELECT * FROM {units} ANTI JOIN _over USING (person) UNION ALL "
        f"SELECT _x.* EXCLUDE (_h) FROM _hashed _x JOIN _cut _c ON _c.person = _x.person WHERE _x._h <= _c._t)"
    )
