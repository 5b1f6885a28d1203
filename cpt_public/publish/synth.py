"""Synthetic linked records for any release spec, for demos, tests and benchmarks. Nothing here is real.

The generator writes exactly the files and columns a spec declares, shaped like linked
administrative data:
- use is heavy-tailed: a latent intensity (log-normal) drives how many systems a person touches
  and how often, so a small group accounts for much of the use;
- systems overlap; leaving the first system with stays (a jail, say) is often followed within
  weeks by an event of another system;
- partners export everything they have: records start a year before the study period and run
  to the export date, so some fall outside the period;
- categorical values follow the codebooks (with a few blanks, shown as "not recorded");
- with a ``[program]``, a cohort is drawn from frequent multi-system users, with a comparison
  group of similar people; after their start, program members have fewer events.
Deterministic for a seed; vectorised so a million people take seconds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ..release.spec import Age, Codebook, Spec, load_spec

# Yearly events per unit of intensity for people who use a system, and the baseline chance of
# using it at all, by the system's position in the spec (cycled).
RATES = (0.3, 0.22, 0.35, 0.5, 0.28, 0.4)
REACH = (0.10, 0.08, 0.10, 0.16, 0.09, 0.12)
PROGRAM_EFFECT = 0.3  # share of program members' events avoided after their start
BLANK = 0.01  # share of blank (not recorded) category values
HISTORY_DAYS = 365  # records exported from a year before the period


def synthesize(n_people: int, seed: int, spec: Spec | None = None) -> dict[str, pa.Table]:
    spec = spec or load_spec()
    rng = np.random.default_rng(seed)
    p = spec.release.period
    export = spec.release.export_date or p.end + dt.timedelta(days=14)
    d0 = np.datetime64(p.start, "D") - np.timedelta64(HISTORY_DAYS, "D")
    d1 = np.datetime64(export, "D")
    n_days = int((d1 - d0).astype(int)) + 1
    years = n_days / 365.25
    n = int(n_people)
    systems = spec.system
    k = len(systems)

    intensity = rng.lognormal(mean=-0.7, sigma=1.3, size=n)
    pull = 1 - np.exp(-intensity)
    uses = [rng.random(n) < np.clip(REACH[i % 6] * (0.4 + 1.2 * pull), 0, 0.97) for i in range(k)]
    primary = rng.integers(0, k, n)
    for i in range(k):
        uses[i] |= primary == i

    ids = _ids(n)
    tables = {spec.people.file: pa.table({spec.people.id: ids, **_people_columns(spec, rng, n, p.end)})}

    trend = np.linspace(0.9, 1.1, n_days)  # slightly rising use over time
    cum = np.cumsum(trend / trend.sum())
    events: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(k):
        lam = np.where(uses[i], RATES[i % 6] * intensity * years, 0.0)
        count = rng.poisson(lam) + uses[i]  # users have at least one event
        person = np.repeat(np.arange(n, dtype=np.int64), count)
        day = np.searchsorted(cum, rng.random(len(person)) * (1 - 1e-12))
        events.append((person, d0 + day.astype("timedelta64[D]")))

    # Stays: the first system with stays has short, heavy-tailed ones (like jail), others longer.
    stays = [i for i, s in enumerate(systems) if s.end_date]
    ends: dict[int, np.ndarray] = {}
    for j, i in enumerate(stays):
        person, start = events[i]
        length = np.floor(rng.pareto(1.3, len(person)) * 3) if j == 0 else rng.exponential(60, len(person))
        ends[i] = start + length.astype(int).astype("timedelta64[D]")
    if stays:  # leaving the first system with stays is often followed by another system's event
        first = stays[0]
        bp, left = events[first][0], ends[first]
        for i in range(k):
            if i == first:
                continue
            hit = rng.random(len(bp)) < np.clip(0.15 * (0.5 + intensity[bp]), 0, 0.8)
            extra = left[hit] + rng.integers(1, 31, hit.sum()).astype("timedelta64[D]")
            ok = extra <= d1
            ep, ed = events[i]
            events[i] = (np.r_[ep, bp[hit][ok]], np.r_[ed, extra[ok]])
            if i in ends:
                add = rng.exponential(60, ok.sum()).astype(int).astype("timedelta64[D]")
                ends[i] = np.r_[ends[i], extra[ok] + add]

    if spec.program:
        events, ends = _program(spec, rng, tables, ids, intensity, uses, events, ends, p)

    for i, s in enumerate(systems):
        person, date = events[i]
        o = np.lexsort((date, person))
        cols = {s.person: ids.take(person[o]), s.date: date[o]}
        if s.end_date:
            end = ends[i][o]
            cols[s.end_date] = pa.array(end, pa.date32(), mask=end > d1)  # still in: no end yet
        for cb in s.attributes.values():
            cols[cb.column] = _category(rng, cb, len(person))
        tables[s.file] = pa.table(cols)
    return tables


def _people_columns(spec: Spec, rng, n: int, end: dt.date) -> dict[str, pa.Array]:
    cols = {}
    for attr in spec.people.attributes.values():
        if isinstance(attr, Age):
            ages = np.clip(rng.normal(38, 14, n), 16, 90).astype(int)
            mask = rng.random(n) < BLANK
            if attr.birth_year:
                cols[attr.birth_year] = pa.array(end.year - ages, pa.int64(), mask=mask)
            else:
                born = np.datetime64(end, "D") - (ages * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
                cols[attr.birth_date] = pa.array(born, pa.date32(), mask=mask)
        else:
            cols[attr.column] = _category(rng, attr, n)
    return cols


def _category(rng, cb: Codebook, size: int) -> pa.Array:
    """Codebook values, a few blank; earlier values more common (weights 1, 1/2, 1/3, …)."""
    w = 1 / np.arange(1, len(cb.codebook) + 1)
    values = pa.array(cb.codebook).take(rng.choice(len(cb.codebook), size=size, p=w / w.sum()))
    blank = rng.random(size) < BLANK
    return pa.array(np.where(blank, None, values.to_numpy(zero_copy_only=False)), pa.string())


def _program(spec: Spec, rng, tables, ids, intensity, uses, events, ends, period):
    """A cohort from frequent multi-system users, a comparison group of similar people, and fewer
    events for program members after they start."""
    n = len(intensity)
    n_sys = sum(u.astype(int) for u in uses)
    eligible = np.flatnonzero((n_sys >= 2) & uses[0] & (intensity > np.quantile(intensity, 0.8)))
    eligible = rng.permutation(eligible)
    n_prog = min(len(eligible) // 3, max(20, n // 60))
    program, comparison = eligible[:n_prog], eligible[n_prog : 3 * n_prog]
    y0 = period.start.year

    def starts(size: int) -> np.ndarray:
        years = rng.choice([y0, y0 + 1], size=size)
        return np.array([f"{y}-01-01" for y in years], dtype="datetime64[D]") + rng.integers(0, 365, size).astype(
            "timedelta64[D]"
        )

    p_start, c_start = starts(len(program)), starts(len(comparison))
    started = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    started[program] = p_start
    for i, (ep, ed) in enumerate(events):
        s = started[ep]
        drop = ~np.isnat(s) & (ed >= s) & (rng.random(len(ep)) < PROGRAM_EFFECT)
        events[i] = (ep[~drop], ed[~drop])
        if i in ends:
            ends[i] = ends[i][~drop]
    e, c = spec.program.enrolled, spec.program.comparison
    tables[e.file] = pa.table({e.person: ids.take(program), e.date: p_start})
    tables[c.file] = pa.table({c.person: ids.take(comparison), c.date: c_start})
    return events, ends


def _ids(n: int) -> pa.Array:
    width = max(7, len(str(n)))
    return pa.array(np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), width)))


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


def hmis_export(
    tables: dict[str, pa.Table], spec: Spec, system: str, export_date: dt.date | None = None
) -> dict[str, pa.Table]:
    """A synthetic HUD HMIS CSV export (FY2024 columns that ``import-hmis`` reads, plus a few it
    ignores) holding the people and enrollments ``synthesize`` made for one system of ``spec``.
    The inverse of the importer: labels go back to HUD's codes and yes/no fields."""
    from .hmis import GENDERS, MORE_THAN_ONE_GENDER, MULTIRACIAL, PROJECT_TYPES, RACES, VETERAN

    s = spec.systems[system]
    people = tables[spec.people.file].to_pydict()
    ids = people[spec.people.id]
    n = len(ids)
    client: dict[str, list] = {"PersonalID": ids, "FirstName": ["(synthetic)"] * n, "NameDataQuality": [99] * n}
    age = next((a for a in spec.people.attributes.values() if isinstance(a, Age)), None)
    dob = people[age.column] if age else [None] * n
    if age and age.birth_year:
        dob = [None if y is None else dt.date(int(y), 7, 1) for y in dob]
    client["DOB"] = dob
    client["DOBDataQuality"] = [99 if d is None else (1 if age and age.birth_date else 2) for d in dob]
    for fields, several, column in ((RACES, MULTIRACIAL, "race_ethnicity"), (GENDERS, MORE_THAN_ONE_GENDER, "gender")):
        values = people.get(column, [None] * n)
        for i, (f, label) in enumerate(fields.items()):
            # "several" sets the first two fields: a person of two races, or of two gender identities
            client[f] = [int(v == label or (v == several and i < 2)) for v in values]
        client["RaceNone" if fields is RACES else "GenderNone"] = [None if v else 99 for v in values]
    vet = {v: k for k, v in VETERAN.items()}
    client["VeteranStatus"] = [int(vet.get(v, 99)) for v in people.get("veteran_status", [None] * n)]
    client["DateCreated"] = [f"{dt.date(2020, 1, 1)} 00:00:00"] * n
    client["DateDeleted"] = [None] * n
    client["ExportID"] = ["1"] * n

    ev = tables[s.file].to_pydict()
    m = len(ev[s.person])
    codes = {v: k for k, v in PROJECT_TYPES.items()}
    kinds = [k or PROJECT_TYPES["7"] for k in ev.get("project_type", [None] * m)]  # no type: HUD's "Other"
    project_of = {label: str(i + 1) for i, label in enumerate(sorted(set(kinds)))}
    project = {
        "ProjectID": list(project_of.values()),
        "OrganizationID": ["1"] * len(project_of),
        "ProjectName": [f"Synthetic project {i}" for i in project_of.values()],
        "ProjectType": [int(codes.get(label, "7")) for label in project_of],
        "ContinuumProject": [1] * len(project_of),
        "ExportID": ["1"] * len(project_of),
    }
    eid = [f"E{i + 1:07d}" for i in range(m)]
    enrollment = {
        "EnrollmentID": eid,
        "PersonalID": ev[s.person],
        "ProjectID": [project_of[k] for k in kinds],
        "EntryDate": ev[s.date],
        "HouseholdID": [f"H{i + 1:07d}" for i in range(m)],
        "RelationshipToHoH": [1] * m,
        "DateDeleted": [None] * m,
        "ExportID": ["1"] * m,
    }
    ends = ev.get(s.end_date, [None] * m) if s.end_date else [None] * m
    done = [i for i, e in enumerate(ends) if e is not None]
    exit_ = {
        "ExitID": [f"X{i + 1:07d}" for i in done],
        "EnrollmentID": [eid[i] for i in done],
        "PersonalID": [ev[s.person][i] for i in done],
        "ExitDate": [ends[i] for i in done],
        "Destination": [99] * len(done),
        "DateDeleted": [None] * len(done),
        "ExportID": ["1"] * len(done),
    }
    when = export_date or spec.release.export_date or spec.release.period.end
    export = {
        "ExportID": ["1"],
        "SourceType": [3],
        "SourceName": ["SYNTHETIC DATA - not real people"],
        "ExportDate": [f"{when} 00:00:00"],
        "ExportStartDate": [spec.release.period.start - dt.timedelta(days=HISTORY_DAYS)],
        "ExportEndDate": [when],
        "SoftwareName": ["cpt-public synth"],
        "CSVVersion": ["2024"],
    }
    return {
        name: pa.table(cols)
        for name, cols in (
            ("Client", client),
            ("Enrollment", enrollment),
            ("Exit", exit_),
            ("Project", project),
            ("Export", export),
        )
    }
