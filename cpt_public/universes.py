"""The vocabulary of a release: populations (universes), their attributes and dimensions.

A *universe* is a population of units (usually people; sometimes person-months or
person-systems). Each unit has a few categorical *attributes*. A table's dimension picks out
units by a predicate over those attributes, so every cell of every table over a universe is a
sum of *atoms*: the cells of the full cross product of the attributes the tables use. That one
fact powers the whole release: exact counts (incidence matrix × atom counts), the DP interior,
and the audit's linear program across all tables that share a universe.

The record-level builders (``build``) run only inside the publish step; the rest of this module
is data-free and is what ``audit`` and the app use to understand a release.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pandas as pd

from .errors import InputError, SpecError
from .records import CODEBOOKS, EVENT_DATE, SHELTER_PROJECT_TYPES, Records
from .spec import TOTAL, Spec, check_bands, parse_band

YES_NO = ("Yes", "No")
SYSTEMS = ("Jail", "Homeless services", "EMS", "Emergency department")
SYSTEM_TABLES = ("jail_bookings", "homeless_enrollments", "ems_encounters", "ed_visits")
SYSTEM_FLAGS = ("jail", "homeless", "ems", "ed")
GROUPS = ("Program", "Comparison")
OUTCOMES = {  # category -> attribute that must be "Yes" (None: the denominator)
    "People followed": None,
    "Jail booking": "jail_booking",
    "Emergency department visit": "ed_visit",
    "Homeless services entry": "homeless_entry",
}

Mask = Callable[[pd.DataFrame, str], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Dimension:
    name: str
    description: str
    attrs: tuple[str, ...]
    total: bool  # may carry a "Total" category (a sum over its categories means something)
    categories: tuple[str, ...] | None = None  # fixed; None: the categories of its one attribute
    mask: Mask | None = None  # None: atoms[attr] == category
    partition: bool = True  # False: one unit may fall in several categories

    def cell_mask(self, atoms: pd.DataFrame, category: str) -> np.ndarray:
        if category == TOTAL:
            return np.ones(len(atoms), dtype=bool)
        if self.mask is None:
            return (atoms[self.attrs[0]] == category).to_numpy()
        return self.mask(atoms, category)


@dataclasses.dataclass
class Units:
    """One row per unit of a universe: its person and its attribute codes (and a weight)."""

    person: np.ndarray
    codes: dict[str, np.ndarray]
    weight: np.ndarray | None = None


@dataclasses.dataclass(frozen=True)
class Universe:
    id: str
    description: str
    unit: str
    measure: str  # what a cell counts: "people" or "contacts"
    fixed: dict[str, tuple[str, ...]]  # attributes whose categories are fixed here
    dims: dict[str, Dimension]
    build: Callable[[Records, Spec, dict[str, tuple[str, ...]]], Units]

    @property
    def weighted(self) -> bool:
        return self.measure != "people"


# ----------------------------------------------------------------------------- masks


def _n_systems(atoms: pd.DataFrame) -> np.ndarray:
    return sum((atoms[f] == "Yes").to_numpy().astype(int) for f in SYSTEM_FLAGS)


def _systems_used(atoms, category):
    return _n_systems(atoms) == int(category)


def _multi_system(atoms, category):
    return (_n_systems(atoms) >= 2) == (category == "Yes")


def _outcome(atoms, category):
    attr = OUTCOMES[category]
    return np.ones(len(atoms), dtype=bool) if attr is None else (atoms[attr] == "Yes").to_numpy()


def _plain(name: str, description: str, total: bool = True, categories=None) -> Dimension:
    return Dimension(name, description, (name,), total, categories)


# ----------------------------------------------------------------------------- builders


def _codes(values, categories, what: str) -> np.ndarray:
    codes = pd.Categorical(values, categories=list(categories)).codes
    if (codes < 0).any():
        bad = pd.Series(values)[codes < 0].iloc[0]
        raise InputError([f"{what}: value {bad!r} has no category in the release spec"])
    return codes.astype(np.int32)


def _band_codes(values: np.ndarray, labels: tuple[str, ...], what: str) -> np.ndarray:
    bounds = [parse_band(b) for b in labels if b != "Unknown"]
    edges = np.array([lo for lo, _ in bounds] + [bounds[-1][1]], dtype=float)
    codes = np.searchsorted(edges, values, side="right") - 1
    valid = (values >= edges[0]) & (values < edges[-1])
    if not valid.all():
        raise InputError([f"{what}: value {values[~valid][0]} falls in no band"])
    return codes.astype(np.int32)


def _flag(n: int, persons: np.ndarray) -> np.ndarray:
    flag = np.zeros(n, dtype=bool)
    flag[persons] = True
    return flag


def _yes_no(flag: np.ndarray) -> np.ndarray:
    return np.where(flag, 0, 1).astype(np.int32)  # YES_NO = ("Yes", "No")


def _recent_start(rec: Records, spec: Spec) -> np.datetime64:
    return rec.period_end - np.timedelta64(spec.parameters.recent_days - 1, "D")


def build_people(rec: Records, spec: Spec, cats) -> Units:
    n = rec.n_people
    codes: dict[str, np.ndarray] = {}
    if "age_group" in cats:
        labels = cats["age_group"]
        birth = rec.people["birth_year"]
        age = (int(str(rec.period_end)[:4]) - birth.fillna(0).to_numpy(dtype=np.int64)).astype(float)
        known = birth.notna().to_numpy()
        band = np.full(n, -1, dtype=np.int32)
        band[known] = _band_codes(age[known], labels, "people.birth_year (age at the end of the period)")
        if not known.all():
            if "Unknown" not in labels:
                raise InputError(["people.birth_year is blank for some people, but bands.age_group has no 'Unknown'"])
            band[~known] = labels.index("Unknown")
        codes["age_group"] = band
    for col in ("gender", "race_ethnicity"):
        if col in cats:
            codes[col] = _codes(rec.people[col].to_numpy(), cats[col], f"people.{col}")
    for flag, table in zip(SYSTEM_FLAGS, SYSTEM_TABLES):
        if flag in cats:
            codes[flag] = _yes_no(_flag(n, rec[table]["person"].to_numpy()))
    return Units(np.arange(n, dtype=np.int32), codes)


def build_recent_bookings(rec: Records, spec: Spec, cats) -> Units:
    since = _recent_start(rec, spec)
    b = rec["jail_bookings"]
    persons = b["person"].to_numpy()[b["booking_date"].to_numpy() >= since]
    counts = np.bincount(persons, minlength=rec.n_people)
    who = np.flatnonzero(counts > 0).astype(np.int32)
    codes = {}
    if "bookings_12m" in cats:
        codes["bookings_12m"] = _band_codes(counts[who].astype(float), cats["bookings_12m"], "bookings in the recent period")
    if "homeless_12m" in cats:
        h = rec["homeless_enrollments"]
        exit_ = h["exit_date"].to_numpy()
        active = (np.isnat(exit_) | (exit_ >= since))
        codes["homeless_12m"] = _yes_no(_flag(rec.n_people, h["person"].to_numpy()[active])[who])
    return Units(who, codes)


def build_jail_releases(rec: Records, spec: Spec, cats) -> Units:
    days = spec.parameters.transition_window_days
    last = rec.period_end - np.timedelta64(days, "D")
    b = rec["jail_bookings"]
    rel = b["release_date"].to_numpy()
    ok = ~np.isnat(rel) & (rel <= last)
    first = pd.Series(rel[ok]).groupby(b["person"].to_numpy()[ok]).min()
    who = first.index.to_numpy(dtype=np.int32)
    released = np.full(rec.n_people, np.datetime64("NaT"), dtype="datetime64[D]")
    released[who] = first.to_numpy(dtype="datetime64[D]")

    def after_release(persons: np.ndarray, dates: np.ndarray) -> np.ndarray:
        r = released[persons]
        hit = ~np.isnat(r) & (dates > r) & (dates <= r + np.timedelta64(days, "D"))
        return _flag(rec.n_people, persons[hit])[who]

    codes = {}
    if "ed_visit_after_release" in cats:
        v = rec["ed_visits"]
        codes["ed_visit_after_release"] = _yes_no(after_release(v["person"].to_numpy(), v["visit_date"].to_numpy()))
    if "shelter_entry_after_release" in cats:
        h = rec["homeless_enrollments"]
        sh = h["project_type"].isin(SHELTER_PROJECT_TYPES).to_numpy()
        codes["shelter_entry_after_release"] = _yes_no(
            after_release(h["person"].to_numpy()[sh], h["entry_date"].to_numpy()[sh])
        )
    return Units(who, codes)


def build_program_followup(rec: Records, spec: Spec, cats) -> Units:
    p, c = rec["program_enrollment"], rec["comparison_group"]
    person = np.concatenate([p["person"].to_numpy(), c["person"].to_numpy()]).astype(np.int32)
    start = pd.to_datetime(np.concatenate([p["start_date"].to_numpy(), c["index_date"].to_numpy()]))
    group = np.concatenate([np.zeros(len(p), np.int32), np.ones(len(c), np.int32)])
    windows = cats["followup_window"]
    events = {  # (persons, dates) as separate arrays: a mixed-type to_numpy() would make objects
        "jail_booking": (rec["jail_bookings"]["person"].to_numpy(), rec["jail_bookings"]["booking_date"].to_numpy()),
        "ed_visit": (rec["ed_visits"]["person"].to_numpy(), rec["ed_visits"]["visit_date"].to_numpy()),
        "homeless_entry": (rec["homeless_enrollments"]["person"].to_numpy(), rec["homeless_enrollments"]["entry_date"].to_numpy()),
    }
    in_group = _flag(rec.n_people, person)
    slot = np.full(rec.n_people, -1, dtype=np.int64)
    slot[person] = np.arange(len(person))
    out_person, out_codes = [], {k: [] for k in ("group", "followup_window", *events)}
    for w, label in enumerate(windows):
        lo, hi = parse_band(label)
        ws = (start + pd.DateOffset(months=lo - 1)).to_numpy(dtype="datetime64[D]")
        we = (start + pd.DateOffset(months=int(hi) - 1)).to_numpy(dtype="datetime64[D]")  # exclusive
        seen = we <= rec.period_end + np.timedelta64(1, "D")  # window fully observed
        out_person.append(person[seen])
        out_codes["group"].append(group[seen])
        out_codes["followup_window"].append(np.full(seen.sum(), w, np.int32))
        for name, (ep, ed) in events.items():
            keep = in_group[ep]
            ep, ed = ep[keep].astype(np.int64), ed[keep].astype("datetime64[D]")
            s = slot[ep]
            hit = (ed >= ws[s]) & (ed < we[s])
            had = np.zeros(len(person), dtype=bool)
            had[s[hit]] = True
            out_codes[name].append(_yes_no(had)[seen])
    codes = {k: np.concatenate(v).astype(np.int32) for k, v in out_codes.items() if k in cats}
    return Units(np.concatenate(out_person), codes)


def _system_events(rec: Records, since: np.datetime64 | None = None):
    for s, table in enumerate(SYSTEM_TABLES):
        df = rec[table]
        dates = df[EVENT_DATE[table]].to_numpy()
        persons = df["person"].to_numpy()
        if since is not None:
            keep = dates >= since
            dates, persons = dates[keep], persons[keep]
        yield s, persons, dates


def build_monthly_contacts(rec: Records, spec: Spec, cats) -> Units:
    first = rec.period_start.astype("datetime64[M]")
    n_months = len(cats["month"])
    persons, months, systems = [], [], []
    for s, p, d in _system_events(rec):
        m = (d.astype("datetime64[M]") - first).astype(np.int64)
        key = np.unique(p.astype(np.int64) * n_months + m)
        persons.append((key // n_months).astype(np.int32))
        months.append((key % n_months).astype(np.int32))
        systems.append(np.full(len(key), s, np.int32))
    return Units(np.concatenate(persons), {"month": np.concatenate(months), "system": np.concatenate(systems)})


def build_service_use(rec: Records, spec: Spec, cats) -> Units:
    since = _recent_start(rec, spec)
    persons, systems, weights = [], [], []
    for s, p, _ in _system_events(rec, since):
        counts = np.bincount(p, minlength=rec.n_people)
        who = np.flatnonzero(counts)
        persons.append(who.astype(np.int32))
        systems.append(np.full(len(who), s, np.int32))
        weights.append(counts[who])
    person = np.concatenate(persons)
    n_systems = np.bincount(person, minlength=rec.n_people)
    codes = {"system": np.concatenate(systems), "multi_system": _yes_no(n_systems[person] >= 2)}
    return Units(person, codes, np.concatenate(weights).astype(np.int64))


# ----------------------------------------------------------------------------- the vocabulary


def _flag_dim(flag: str, system: str) -> Dimension:
    return _plain(flag, f"Had any contact with {system.lower() if system != 'EMS' else 'EMS'} in the period (Yes/No).")


UNIVERSES: dict[str, Universe] = {
    u.id: u
    for u in (
        Universe(
            "people",
            "All people in the linked data",
            "person",
            "people",
            {f: YES_NO for f in SYSTEM_FLAGS},
            {
                "age_group": _plain("age_group", "Age at the end of the period."),
                "gender": _plain("gender", "Gender as recorded."),
                "race_ethnicity": _plain("race_ethnicity", "Race/ethnicity as recorded."),
                **{f: _flag_dim(f, s) for f, s in zip(SYSTEM_FLAGS, SYSTEMS)},
                "systems_used": Dimension(
                    "systems_used",
                    "How many of the four systems (jail, homeless services, EMS, emergency department) the person used.",
                    SYSTEM_FLAGS,
                    True,
                    ("0", "1", "2", "3", "4"),
                    _systems_used,
                ),
                "multi_system": Dimension(
                    "multi_system",
                    "Multi-system user: used two or more of the four systems (Yes/No).",
                    SYSTEM_FLAGS,
                    True,
                    YES_NO,
                    _multi_system,
                ),
            },
            build_people,
        ),
        Universe(
            "recent_bookings",
            "People booked into jail at least once in the last 12 months of the period",
            "person",
            "people",
            {"homeless_12m": YES_NO},
            {
                "bookings_12m": _plain("bookings_12m", "Number of jail bookings in the last 12 months of the period."),
                "homeless_12m": _plain("homeless_12m", "Enrolled in homeless services at some time in the same 12 months."),
            },
            build_recent_bookings,
        ),
        Universe(
            "jail_releases",
            "People released from jail during the period (first release per person, with time left to observe what followed)",
            "person",
            "people",
            {"ed_visit_after_release": YES_NO, "shelter_entry_after_release": YES_NO},
            {
                "ed_visit_after_release": _plain(
                    "ed_visit_after_release", "Visited an emergency department within the transition window after release."
                ),
                "shelter_entry_after_release": _plain(
                    "shelter_entry_after_release", "Entered a shelter or transitional housing within the transition window after release."
                ),
            },
            build_jail_releases,
        ),
        Universe(
            "program_followup",
            "Program and comparison-group members, for each follow-up window they were observed for in full",
            "person-window",
            "people",
            {"group": GROUPS, "jail_booking": YES_NO, "ed_visit": YES_NO, "homeless_entry": YES_NO},
            {
                "group": _plain("group", "Program participants or the comparison group."),
                "followup_window": _plain("followup_window", "Months since the program start (or index date).", total=False),
                "outcome": Dimension(
                    "outcome",
                    "'People followed' is the denominator; the other categories count people with that event in the window.",
                    tuple(a for a in OUTCOMES.values() if a),
                    False,
                    tuple(OUTCOMES),
                    _outcome,
                    partition=False,
                ),
            },
            build_program_followup,
        ),
        Universe(
            "monthly_contacts",
            "People in contact with each system in each month (a person counts once per system and month)",
            "person-month-system",
            "people",
            {"system": SYSTEMS},
            {
                "month": _plain("month", "Calendar month (YYYY-MM).", total=False),
                "system": _plain("system", "The system contacted.", total=False),
            },
            build_monthly_contacts,
        ),
        Universe(
            "service_use",
            "Contacts with each system in the last 12 months of the period (bookings, enrollments, EMS encounters, ED visits)",
            "person-system",
            "contacts",
            {"system": SYSTEMS, "multi_system": YES_NO},
            {
                "system": _plain("system", "The system contacted."),
                "multi_system": _plain("multi_system", "Used two or more systems in the same 12 months (Yes/No)."),
            },
            build_service_use,
        ),
    )
}


# ----------------------------------------------------------------------------- categories


def spec_categories(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Categories of attributes that come from the spec (bands, codebooks, the period)."""
    cats: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in CODEBOOKS.items()}
    for name, labels in spec.bands.items():
        cats[name] = tuple(labels)
    months = pd.period_range(spec.release.period.start, spec.release.period.end, freq="M")
    cats["month"] = tuple(str(m) for m in months)
    return cats


def attr_categories(universe: Universe, dims: list[str], source: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The categories of every attribute the given dimensions use, in a fixed order."""
    out: dict[str, tuple[str, ...]] = {}
    for d in dims:
        for a in universe.dims[d].attrs:
            if a in out:
                continue
            if a in universe.fixed:
                out[a] = universe.fixed[a]
            elif a in source:
                out[a] = tuple(source[a])
            else:
                raise SpecError(f"universe {universe.id!r}: no categories for attribute {a!r}")
    return out


def dimension_categories(universe: Universe, dim: str, attr_cats: dict[str, tuple[str, ...]], totals: bool) -> list[str]:
    d = universe.dims[dim]
    cats = list(d.categories if d.categories is not None else attr_cats[d.attrs[0]])
    return cats + [TOTAL] if (totals and d.total) else cats


def check_spec(spec: Spec) -> None:
    """Check a spec against the vocabulary: names, bands, protections, budget."""
    for name, labels in spec.bands.items():
        if name == "age_group":
            check_bands(name, [b for b in labels if b != "Unknown"], 0)
            if "Unknown" in labels and labels[-1] != "Unknown":
                raise SpecError("bands.age_group: 'Unknown' must come last")
        elif name == "bookings_12m":
            check_bands(name, labels, 1)
        elif name == "followup_window":
            check_bands(name, labels, 1, open_ended=False)
        else:
            raise SpecError(f"bands.{name}: unknown band (known: age_group, bookings_12m, followup_window)")
    for t in spec.tables:
        where = f"table {t.name!r}"
        u = UNIVERSES.get(t.universe)
        if u is None:
            raise SpecError(f"{where}: unknown universe {t.universe!r} (known: {', '.join(UNIVERSES)})")
        for d in t.dimensions:
            if d not in u.dims:
                raise SpecError(f"{where}: universe {u.id!r} has no dimension {d!r} (it has: {', '.join(u.dims)})")
            for a in u.dims[d].attrs:
                if a not in u.fixed and a not in spec.bands and a not in CODEBOOKS and a != "month":
                    raise SpecError(f"{where}: dimension {d!r} needs bands.{a} in the spec")
        if len(set(t.dimensions)) != len(t.dimensions):
            raise SpecError(f"{where}: a dimension is listed twice")
        p = t.protection
        if p.method == "suppression" and u.weighted:
            raise SpecError(f"{where}: universe {u.id!r} counts {u.measure}, not people; protect it with 'dp'")
        if p.method.startswith("dp"):
            overlapping = [d for d in t.dimensions if not u.dims[d].partition]
            if overlapping:
                raise SpecError(f"{where}: DP tables need dimensions whose categories do not overlap; {overlapping} do")
            if u.weighted and p.max_value_per_unit == 1:
                raise SpecError(f"{where}: a weighted measure needs protection.max_value_per_unit")
    # The epsilon budget is enforced by one BudgetAccountant in the publish step, not here.
    unknown = set(spec.unit_costs) - set(SYSTEMS)
    if unknown:
        raise SpecError(f"unit_costs: {sorted(unknown)} are not systems ({', '.join(SYSTEMS)})")
