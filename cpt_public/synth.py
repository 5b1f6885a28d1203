"""Synthetic linked records, for demos, tests and benchmarks. Nothing here is real.

The generator mimics what linked jail, homeless-services, EMS and ED data look like:
- use is heavy-tailed: a latent intensity (log-normal) drives how many systems a person touches
  and how often, so a small group accounts for much of the use;
- systems overlap, and releases from jail are often followed within weeks by ED visits or
  shelter entries;
- a program cohort is drawn from frequent multi-system users, with a comparison group of
  similar people; after their start date, program members have fewer bookings and ED visits.
Deterministic for a seed; vectorised so a million people take seconds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .records import CHARGE_LEVEL, GENDER, PROJECT_TYPE, RACE_ETHNICITY, TABLES

AREAS = ("North", "South", "East", "West", "Central")
# Yearly contact rates per unit of intensity, for people who use the system.
RATES = {"jail_bookings": 0.3, "homeless_enrollments": 0.22, "ems_encounters": 0.35, "ed_visits": 0.5}
# Baseline chance of using each system at all (rises with intensity).
REACH = {"jail_bookings": 0.10, "homeless_enrollments": 0.08, "ems_encounters": 0.10, "ed_visits": 0.16}
PROGRAM_EFFECT = {"jail_bookings": 0.4, "ed_visits": 0.3, "homeless_enrollments": 0.25}  # share of events avoided


def synthesize(n_people: int, seed: int, start: dt.date = dt.date(2022, 1, 1), end: dt.date = dt.date(2025, 12, 31)) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    d0, d1 = np.datetime64(start, "D"), np.datetime64(end, "D")
    n_days = int((d1 - d0).astype(int)) + 1
    years = n_days / 365.25
    n = int(n_people)

    intensity = rng.lognormal(mean=-0.7, sigma=1.3, size=n)
    # Which systems each person touched: at least one, more for high intensity.
    pull = 1 - np.exp(-intensity)
    uses = {t: rng.random(n) < np.clip(REACH[t] * (0.4 + 1.2 * pull), 0, 0.97) for t in RATES}
    primary = rng.choice(list(RATES), size=n, p=[0.3, 0.15, 0.15, 0.4])
    for t in RATES:
        uses[t] |= primary == t

    ages = np.clip(rng.normal(38, 14, n), 16, 90).astype(int)
    birth_year = end.year - ages
    ids = _ids(n)
    people = {
        "person_id": ids,
        "birth_year": pa.array(birth_year, pa.int64(), mask=rng.random(n) < 0.01),
        "gender": _pick(rng, GENDER, n, [0.36, 0.61, 0.01, 0.02]),
        "race_ethnicity": _pick(rng, RACE_ETHNICITY, n, [0.02, 0.03, 0.38, 0.14, 0.36, 0.04, 0.03]),
        "area": _pick(rng, AREAS, n),
    }

    events: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    trend = np.linspace(0.9, 1.1, n_days)  # slightly rising use over the period
    day_p = trend / trend.sum()
    for t, rate in RATES.items():
        lam = np.where(uses[t], rate * intensity * years, 0.0)
        count = rng.poisson(lam) + uses[t]  # users have at least one contact
        person = np.repeat(np.arange(n, dtype=np.int64), count)
        day = np.searchsorted(np.cumsum(day_p), rng.random(len(person)) * (1 - 1e-12))
        events[t] = (person, d0 + day.astype("timedelta64[D]"))

    # Jail stays: heavy-tailed length; releases are often followed by an ED visit or shelter entry.
    bp, bd = events["jail_bookings"]
    los = np.floor(rng.pareto(1.3, len(bp)) * 3).astype(int)
    rel = bd + los.astype("timedelta64[D]")
    follow = intensity[bp]
    for t, p in (("ed_visits", 0.18), ("homeless_enrollments", 0.12)):
        hit = rng.random(len(bp)) < np.clip(p * (0.5 + follow), 0, 0.8)
        extra_d = rel[hit] + rng.integers(1, 31, hit.sum()).astype("timedelta64[D]")
        ok = extra_d <= d1
        ep, ed = events[t]
        events[t] = (np.r_[ep, bp[hit][ok]], np.r_[ed, extra_d[ok]])

    # Program cohort and comparison group, from frequent multi-system users.
    n_sys = sum(uses[t].astype(int) for t in RATES)
    eligible = np.flatnonzero((n_sys >= 2) & uses["jail_bookings"] & (intensity > np.quantile(intensity, 0.8)))
    eligible = rng.permutation(eligible)
    n_prog = min(len(eligible) // 3, max(20, n // 60))
    program, comparison = eligible[:n_prog], eligible[n_prog: 3 * n_prog]
    cohort_year = lambda k: rng.choice([start.year, start.year + 1], size=k)  # noqa: E731
    def start_dates(k):
        y = cohort_year(k)
        doy = rng.integers(0, 365, k)
        return y, (np.array([f"{v}-01-01" for v in y], dtype="datetime64[D]") + doy.astype("timedelta64[D]"))
    p_year, p_start = start_dates(len(program))
    c_year, c_start = start_dates(len(comparison))
    started = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    started[program] = p_start
    for t, share in PROGRAM_EFFECT.items():
        ep, ed = events[t]
        s = started[ep]
        drop = ~np.isnat(s) & (ed >= s) & (rng.random(len(ep)) < share)
        events[t] = (ep[~drop], ed[~drop])
        if t == "jail_bookings":
            rel = rel[~drop]

    tables = {"people": pa.table(people)}
    order = lambda p, d: np.lexsort((d, p))  # noqa: E731
    bp, bd = events["jail_bookings"]
    o = order(bp, bd)
    tables["jail_bookings"] = pa.table({
        "person_id": ids.take(bp[o]), "booking_date": bd[o],
        "release_date": pa.array(rel[o], pa.date32(), mask=rel[o] > d1),
        "charge_level": _pick(rng, CHARGE_LEVEL, len(bp), [0.3, 0.6, 0.1]),
    })
    hp, hd = events["homeless_enrollments"]
    o = order(hp, hd)
    stay = rng.exponential(60, len(hp)).astype(int).astype("timedelta64[D]")
    ex = hd[o] + stay
    tables["homeless_enrollments"] = pa.table({
        "person_id": ids.take(hp[o]),
        "project_type": _pick(rng, PROJECT_TYPE, len(hp), [0.5, 0.12, 0.18, 0.1, 0.05, 0.05]),
        "entry_date": hd[o],
        "exit_date": pa.array(ex, pa.date32(), mask=ex > d1),
    })
    for t, col in (("ems_encounters", "encounter_date"), ("ed_visits", "visit_date")):
        p, d = events[t]
        o = order(p, d)
        tables[t] = pa.table({"person_id": ids.take(p[o]), col: d[o]})
    tables["program_enrollment"] = pa.table({"person_id": ids.take(program), "cohort": p_year.astype(str), "start_date": p_start})
    tables["comparison_group"] = pa.table({"person_id": ids.take(comparison), "cohort": c_year.astype(str), "index_date": c_start})
    return {name: tables[name] for name in TABLES}


def _ids(n: int) -> pa.Array:
    width = max(7, len(str(n)))
    return pa.array(np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), width)))


def _pick(rng: np.random.Generator, values: tuple[str, ...], size: int, p=None) -> pa.Array:
    return pa.array(values).take(rng.choice(len(values), size=size, p=p))


def write(tables: dict[str, pa.Table], out: Path | str, fmt: str = "csv") -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            pa_csv.write_csv(table, path, pa_csv.WriteOptions(quoting_style="needed"))
        else:
            pq.write_table(table, path)
        paths.append(path)
    (out / "README.txt").write_text(
        "SYNTHETIC DATA made by `python -m cpt_public synth`. Not real people. Do not mix with real records.\n",
        encoding="utf-8",
    )
    return paths
