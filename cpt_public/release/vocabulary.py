"""The vocabulary of a release, derived from its spec: populations, attributes and dimensions.

A *population* is a set of units (people; or person-months, person-windows, person-systems).
Each unit has a few categorical *attributes*. A table's dimension picks out units by a *rule*
over those attributes, so every cell of every table over a population is a sum of *atoms*: the
cells of the cross product of the attributes its tables use. That one fact powers the whole
release: exact counts, the DP interior, and the audit's linear program across all tables over
the same people.

Rules are data, not code, so the manifest can carry them and the audit can rebuild every
table from the manifest alone:
- ``attribute``: the unit's value of one attribute;
- ``count``: how many of several Yes/No attributes are Yes ("0", "1", …);
- ``at_least``: whether at least ``k`` of them are Yes;
- ``any_of``: categories that may overlap, each selecting the units whose attribute is Yes
  (or every unit): a denominator beside its numerators, or people by each system they used.

Nothing here knows any system, attribute or table by name: they all come from the spec.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import SpecError
from .terms import TOTAL, check_bands, parse_band

if TYPE_CHECKING:  # the vocabulary reads a spec; it does not import its models (spec.py imports this module)
    from .spec import Spec, TableSpec

YES_NO = ("Yes", "No")
GROUPS = ("Program", "Comparison")
FOLLOWED = "People followed"
OUTCOME = "outcome_"  # an outcome attribute: this prefix and the system's (or subset's) flag attribute
RESERVED = ("systems_used", "multi_system", "system", "month", "events", "group", "followup_window", "outcome")

PARAMETERS = ("systems", "system", "window_days", "event_bands", "after_days", "windows", "outcomes")
DEFAULT_WINDOW_DAYS = 365
# Which parameters each kind takes (a parameter a kind does not take is a spec error).
KIND_PARAMETERS: dict[str, tuple[str, ...]] = {
    "people": (),
    "monthly": ("systems",),
    "frequent_use": ("system", "window_days", "event_bands"),
    "transitions": ("system", "after_days"),
    "program_outcomes": ("windows", "outcomes"),
    "service_use": ("systems", "window_days"),
    "custom": (),
}
REQUIRED = {
    "frequent_use": ("system", "event_bands"),
    "transitions": ("system", "after_days"),
    "program_outcomes": ("windows", "outcomes"),
}


@dataclasses.dataclass(frozen=True)
class Rule:
    kind: str  # "attribute" | "count" | "at_least" | "any_of"
    attrs: tuple[str, ...]
    k: int = 0
    select: tuple[tuple[str, str | None], ...] = ()  # any_of: (category, attribute or None for every unit)

    def to_dict(self) -> dict:
        d: dict = {"kind": self.kind, "attributes": list(self.attrs)}
        if self.kind == "at_least":
            d["k"] = self.k
        if self.kind == "any_of":
            d["select"] = {c: a for c, a in self.select}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Rule:
        select = tuple((c, a) for c, a in (d.get("select") or {}).items())
        return cls(d["kind"], tuple(d["attributes"]), int(d.get("k", 0)), select)


@dataclasses.dataclass(frozen=True)
class Dimension:
    name: str  # the column name published
    description: str
    role: str
    rule: Rule
    categories: tuple[str, ...]  # without Total
    total: bool  # may carry a "Total" category (a sum over its categories means something)

    @property
    def partition(self) -> bool:
        return self.rule.kind != "any_of"

    def cell_mask(self, atoms: pd.DataFrame, category: str) -> np.ndarray:
        r = self.rule
        if category == TOTAL:
            return np.ones(len(atoms), dtype=bool)
        if r.kind == "attribute":
            return (atoms[r.attrs[0]] == category).to_numpy()
        if r.kind == "any_of":
            attr = dict(r.select)[category]
            return np.ones(len(atoms), dtype=bool) if attr is None else (atoms[attr] == "Yes").to_numpy()
        n_yes = sum((atoms[a] == "Yes").to_numpy().astype(int) for a in r.attrs)
        if r.kind == "count":
            return n_yes == int(category)
        return (n_yes >= r.k) == (category == "Yes")  # at_least

    def expected_categories(self, attr_cats: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
        """What the rule implies, given the attributes' categories (used to check a manifest)."""
        r = self.rule
        if r.kind == "attribute":
            return tuple(attr_cats[r.attrs[0]])
        if r.kind == "count":
            return tuple(str(i) for i in range(len(r.attrs) + 1))
        if r.kind == "at_least":
            return YES_NO
        return tuple(c for c, _ in r.select)


@dataclasses.dataclass(frozen=True)
class Population:
    id: str
    kind: str
    description: str
    unit: str
    measure: str  # what a cell counts: "people" or "contacts"
    key: tuple  # kind and the parameters that define the units
    attrs: dict[str, tuple[str, ...]]  # every attribute its dimensions may use, with categories
    dims: dict[str, Dimension]  # by vocabulary name

    @property
    def one_per_person(self) -> bool:
        """Kinds whose units are people, one row each (a custom population may repeat a person)."""
        return self.kind in ("people", "frequent_use", "transitions")

    @property
    def weighted(self) -> bool:
        return self.measure != "people"


@dataclasses.dataclass(frozen=True)
class TableVocab:
    spec: TableSpec
    population: Population
    dims: list[Dimension]  # in the table's order, under their published names

    def categories(self) -> dict[str, list[str]]:
        """Each dimension's categories, Total last where the table publishes one."""
        return {d.name: list(d.categories) + ([TOTAL] if self.spec.totals and d.total else []) for d in self.dims}

    @property
    def attributes(self) -> dict[str, tuple[str, ...]]:
        used = dict.fromkeys(a for d in self.dims for a in d.rule.attrs)
        return {a: self.population.attrs[a] for a in used}


# ----------------------------------------------------------------------------- building blocks


def _yes_no_attr(name: str) -> tuple[str, tuple[str, ...]]:
    return name, YES_NO


def _plain(name: str, description: str, role: str, cats: tuple[str, ...], total: bool = True) -> Dimension:
    return Dimension(name, description, role, Rule("attribute", (name,)), cats, total)


def person_attributes(spec: Spec) -> dict[str, tuple[str, ...]]:
    return {a: attr.categories for a, attr in spec.people.attributes.items()}


def _person_dims(spec: Spec, event_ages: bool) -> dict[str, Dimension]:
    dims = {}
    for a, attr in spec.people.attributes.items():
        if is_age(attr):
            when = "at the date of the event" if attr.at == "event" and event_ages else "at the start of the period"
            dims[a] = _plain(a, f"Age group {when}.", "band", attr.categories)
        else:
            dims[a] = _plain(a, f"{_label(attr, a)} as recorded.", attr.role, attr.categories)
    return dims


def is_age(attr) -> bool:
    """An age attribute (bands from a birth year or date) rather than a codebook column."""
    return getattr(attr, "bands", None) is not None


def _label(attr, name: str) -> str:
    return attr.label.en if attr.label else name.replace("_", " ").capitalize()


def subset_attr(system: str, subset: str) -> str:
    return f"{system}_{subset}"


def system_refs(spec: Spec) -> dict[str, tuple[str, str, str | None]]:
    """Every system and system subset a table may name: ref -> (attribute name, label, subset)."""
    out = {}
    for s in spec.system:
        out[s.id] = (s.id, s.label.en, None)
        for sid, sub in s.subsets.items():
            out[f"{s.id}.{sid}"] = (subset_attr(s.id, sid), sub.label.en, sid)
    return out


def _ref(spec: Spec, ref: str, where: str) -> tuple[str, str, str | None]:
    refs = system_refs(spec)
    if ref not in refs:
        raise SpecError(f"{where}: {ref!r} is not a system or a system's subset (known: {', '.join(refs)})")
    return refs[ref]


def flag_attributes(spec: Spec) -> dict[str, tuple[str, ...]]:
    """A Yes/No attribute per system and per system subset."""
    return {attr: YES_NO for attr, _, _ in system_refs(spec).values()}


def _one_system(spec: Spec, t: TableSpec, where: str):
    """The one system a table names in ``system`` (a system, not a subset)."""
    _ref(spec, t.system, where)
    if "." in t.system:
        raise SpecError(f"{where}: system must be a system, not a subset")
    return spec.systems[t.system]


def _bands(where: str, name: str, labels: list[str], start: int, open_ended: bool = True) -> None:
    try:
        check_bands(name, labels, start, open_ended)
    except ValueError as exc:
        raise SpecError(f"{where}: {exc}") from None


def _flag_dims(spec: Spec, what: str) -> dict[str, Dimension]:
    """A Yes/No dimension per system and per system subset: ``what`` says of what."""
    dims = {}
    for attr, label, _ in system_refs(spec).values():
        dims[attr] = _plain(attr, f"{what.format(label=label)} (Yes/No).", "flag", YES_NO)
    return dims


def table_systems(spec: Spec, t: TableSpec) -> list[str]:
    """The systems a table counts: its ``systems``, or every system of the spec."""
    ids = t.systems or [s.id for s in spec.system]
    unknown = [s for s in ids if s not in spec.systems]
    if unknown:
        raise SpecError(f"table {t.name!r}: systems {unknown} are not declared (declared: {', '.join(spec.systems)})")
    return ids


def _months(spec: Spec) -> tuple[str, ...]:
    p = spec.release.period
    return tuple(str(m) for m in pd.period_range(p.start, p.end, freq="M"))


def window_days(t: TableSpec) -> int:
    """A table's window: the last ``window_days`` days of the period."""
    return t.window_days or DEFAULT_WINDOW_DAYS


def _days(spec: Spec, t: TableSpec) -> int:
    days = window_days(t)
    length = (spec.release.period.end - spec.release.period.start).days + 1
    if days > length:
        raise SpecError(f"table {t.name!r}: window_days {days} is longer than the period ({length} days)")
    return days


# ----------------------------------------------------------------------------- populations by kind


def population_for(spec: Spec, t: TableSpec) -> Population:
    """The population a table counts, with every dimension the kind offers."""
    where = f"table {t.name!r}"
    allowed = KIND_PARAMETERS[t.kind]
    given = [p for p in PARAMETERS if getattr(t, p) is not None]
    extra = [p for p in given if p not in allowed]
    if extra:
        takes = ", ".join(allowed) or "none"
        raise SpecError(f"{where}: kind {t.kind!r} takes no {', '.join(extra)} (its parameters: {takes})")
    missing = [p for p in REQUIRED.get(t.kind, ()) if getattr(t, p) is None]
    if missing:
        raise SpecError(f"{where}: kind {t.kind!r} needs {', '.join(missing)}")
    if t.kind == "custom" and t.population is None:
        raise SpecError(f"{where}: kind 'custom' needs population = the id of a [[population]]")
    people = person_attributes(spec)
    multi_k = spec.release.multi_system_min
    build = _KINDS[t.kind]
    return build(spec, t, where, people, multi_k)


def _people(spec, t, where, people, multi_k) -> Population:
    flags = flag_attributes(spec)
    sys_flags = tuple(s.id for s in spec.system)
    n = len(sys_flags)
    dims = {
        **_person_dims(spec, event_ages=False),
        **_flag_dims(spec, "Had any contact with {label} in the period"),
        "systems_used": Dimension(
            "systems_used",
            f"How many of the {n} systems the person used in the period.",
            "band",
            Rule("count", sys_flags),
            tuple(str(i) for i in range(n + 1)),
            True,
        ),
        "multi_system": Dimension(
            "multi_system",
            f"Multi-system user: used {multi_k} or more of the {n} systems in the period (Yes/No).",
            "group",
            Rule("at_least", sys_flags, multi_k),
            YES_NO,
            True,
        ),
        "system": Dimension(
            "system",
            "Each system the person used in the period (a person may count in several).",
            "system",
            Rule("any_of", sys_flags, select=tuple((s.label.en, s.id) for s in spec.system)),
            tuple(s.label.en for s in spec.system),
            False,
        ),
    }
    return Population(
        t.population or "people",
        "people",
        "All people in the linked data",
        "person",
        "people",
        ("people",),
        {**people, **flags},
        dims,
    )


def _monthly(spec, t, where, people, multi_k) -> Population:
    ids = table_systems(spec, t)
    labels = tuple(spec.systems[s].label.en for s in ids)
    dims = {
        "month": _plain("month", "Calendar month (YYYY-MM).", "time", _months(spec), total=False),
        "system": _plain(
            "system", "The system: contact in the month, or a stay active during it.", "system", labels, total=False
        ),
        **_person_dims(spec, event_ages=True),
    }
    return Population(
        t.population or "monthly",
        "monthly",
        "People in contact with (or, for stays, active in) each system in each month "
        "(a person counts once per system and month)",
        "person-month-system",
        "people",
        ("monthly", tuple(ids)),
        {**people, "month": _months(spec), "system": labels},
        dims,
    )


def _frequent_use(spec, t, where, people, multi_k) -> Population:
    s = _one_system(spec, t, where)
    days = _days(spec, t)
    _bands(where, "event_bands", t.event_bands, 1)
    bands = tuple(t.event_bands)
    dims = {
        "events": _plain(
            "events", f"Number of {s.label.en} events (entries) in the last {days} days of the period.", "band", bands
        ),
        **_flag_dims(spec, "Had contact with (or a stay active in) {label} in the same " + f"{days} days"),
        **_person_dims(spec, event_ages=True),
    }
    return Population(
        t.population or f"frequent_{s.id}",
        "frequent_use",
        f"People with at least one {s.label.en} event in the last {days} days of the period",
        "person",
        "people",
        ("frequent_use", s.id, days, bands),
        {**people, "events": bands, **flag_attributes(spec)},
        dims,
    )


def _transitions(spec, t, where, people, multi_k) -> Population:
    s = _one_system(spec, t, where)
    days = t.after_days
    left = "released from" if s.end_date else "with an event in"
    dims = {
        **_flag_dims(spec, "An event of {label} within " + f"{days} days after leaving {s.label.en}"),
        **_person_dims(spec, event_ages=True),
    }
    return Population(
        t.population or f"transitions_{s.id}",
        "transitions",
        f"People {left} {s.label.en} during the period (first time per person, with {days} days left to "
        "observe what followed)",
        "person",
        "people",
        ("transitions", s.id, days),
        {**people, **flag_attributes(spec)},
        dims,
    )


def _program(spec, t, where, people, multi_k) -> Population:
    if spec.program is None:
        raise SpecError(
            f"{where}: kind 'program_outcomes' needs a [program] section naming the program and comparison files"
        )
    _bands(where, "windows", [w.removeprefix("Months ") for w in t.windows], 1, open_ended=False)
    outcomes = []
    for category, ref in t.outcomes.items():
        attr, _, _ = _ref(spec, ref, f"{where}: outcomes.{category}")
        outcomes.append((category, OUTCOME + attr))
    if FOLLOWED in t.outcomes:
        raise SpecError(f"{where}: outcome {FOLLOWED!r} is the denominator and is added for you")
    windows = tuple(t.windows)
    attrs = {**people, "group": GROUPS, "followup_window": windows, **{a: YES_NO for _, a in outcomes}}
    dims = {
        "group": _plain("group", "Program participants or the comparison group.", "group", GROUPS),
        "followup_window": _plain(
            "followup_window", "Months since the program start (or index date).", "window", windows, total=False
        ),
        "outcome": Dimension(
            "outcome",
            f"{FOLLOWED!r} is the denominator; the other categories count people with that event in the window.",
            "outcome",
            Rule("any_of", tuple(a for _, a in outcomes), select=((FOLLOWED, None), *outcomes)),
            (FOLLOWED, *(c for c, _ in outcomes)),
            False,
        ),
        **_person_dims(spec, event_ages=True),
    }
    return Population(
        t.population or "program",
        "program_outcomes",
        "Program and comparison-group members, for each follow-up window they were observed for in full",
        "person-window",
        "people",
        ("program_outcomes", windows, tuple(t.outcomes.items())),
        attrs,
        dims,
    )


def _service_use(spec, t, where, people, multi_k) -> Population:
    ids = table_systems(spec, t)
    days = _days(spec, t)
    labels = tuple(spec.systems[s].label.en for s in ids)
    dims = {
        "system": _plain("system", "The system contacted.", "system", labels),
        "multi_system": _plain(
            "multi_system", f"Used {multi_k} or more systems in the same {days} days (Yes/No).", "group", YES_NO
        ),
        **_person_dims(spec, event_ages=True),
    }
    return Population(
        t.population or "service_use",
        "service_use",
        f"Contacts with each system in the last {days} days of the period",
        "person-system",
        "contacts",
        ("service_use", tuple(ids), days),
        {**people, "system": labels, "multi_system": YES_NO},
        dims,
    )


def _custom(spec, t, where, people, multi_k) -> Population:
    p = spec.custom.get(t.population)
    if p is None:
        raise SpecError(
            f"{where}: population {t.population!r} is not a declared [[population]] "
            f"(declared: {', '.join(spec.custom) or 'none'})"
        )
    dims = {a: _plain(a, f"{_label(c, a)}.", c.role, c.categories) for a, c in p.attributes.items()}
    return Population(
        p.id,
        "custom",
        p.description,
        p.unit,
        "contacts" if p.weight else "people",
        ("custom", p.id),
        {a: c.categories for a, c in p.attributes.items()},
        dims,
    )


_KINDS = {
    "people": _people,
    "monthly": _monthly,
    "frequent_use": _frequent_use,
    "transitions": _transitions,
    "program_outcomes": _program,
    "service_use": _service_use,
    "custom": _custom,
}


# ----------------------------------------------------------------------------- tables


def table_vocab(spec: Spec, t: TableSpec, population: Population | None = None) -> TableVocab:
    pop = population or population_for(spec, t)
    where = f"table {t.name!r}"
    dims = []
    for d in t.dimensions:
        vocab = d.replace(".", "_") if d.count(".") == 1 else d
        if vocab not in pop.dims:
            raise SpecError(f"{where}: kind {t.kind!r} has no dimension {d!r} here (it has: {', '.join(pop.dims)})")
        dim = pop.dims[vocab]
        dims.append(dataclasses.replace(dim, name=t.rename.get(d, vocab)))
    unknown = [r for r in t.rename if r not in t.dimensions]
    if unknown:
        raise SpecError(f"{where}: rename names {unknown}, which are not among its dimensions")
    names = [d.name for d in dims]
    if len(set(names)) != len(names):
        raise SpecError(f"{where}: a dimension is listed twice")
    return TableVocab(t, pop, dims)


def vocabulary(spec: Spec) -> dict[str, TableVocab]:
    """Every table's vocabulary; tables over the same population share one ``Population``."""
    pops: dict[str, Population] = {}
    out = {}
    for t in spec.tables:
        pop = population_for(spec, t)
        seen = pops.setdefault(pop.id, pop)
        if seen.key != pop.key:
            raise SpecError(
                f"table {t.name!r}: population {pop.id!r} is already a different population "
                f"(another table counts {seen.description!r}); give it another population name"
            )
        out[t.name] = table_vocab(spec, t, seen)
    return out


def check_spec(spec: Spec) -> None:
    """Check a spec's tables against the vocabulary: kinds, parameters, dimensions, protections."""
    _check_names(spec)
    for name, tv in vocabulary(spec).items():
        where = f"table {name!r}"
        p, pop = tv.spec.protection, tv.population
        if p.method == "suppression" and pop.weighted:
            raise SpecError(f"{where}: population {pop.id!r} counts {pop.measure}, not people; protect it with 'dp'")
        if p.method.startswith("dp"):
            overlapping = [d.name for d in tv.dims if not d.partition]
            if overlapping:
                raise SpecError(f"{where}: DP tables need dimensions whose categories do not overlap; {overlapping} do")
            if pop.weighted and p.max_value_per_unit == 1:
                raise SpecError(f"{where}: a weighted measure needs protection.max_value_per_unit")
    _check_methods_per_population(spec)
    # The epsilon budget is enforced by one BudgetAccountant in the publish step, not here.


def _check_methods_per_population(spec: Spec) -> None:
    """Suppressed tables and noisy tables may not describe the same population: a noisy table
    publishes an estimate of every hidden cell it covers ("a hidden 5 shown as 7 ± 2"), which the
    suppression audit, proving exact ranges, cannot account for."""
    methods: dict[str, dict[str, list[str]]] = {}
    for name, tv in vocabulary(spec).items():
        kind = "suppression" if tv.spec.protection.method == "suppression" else "noise"
        methods.setdefault(tv.population.id, {}).setdefault(kind, []).append(name)
    for pid, kinds in methods.items():
        if len(kinds) > 1:
            raise SpecError(
                f"population {pid!r} has suppressed tables ({', '.join(kinds['suppression'])}) and noisy ones "
                f"({', '.join(kinds['noise'])}): a noisy table would publish estimates of the hidden cells. "
                "Protect every table of one population the same way: all 'suppression', or all 'dp'/'dp+suppression'"
            )


def _check_names(spec: Spec) -> None:
    taken: dict[str, str] = {}

    def claim(name: str, what: str) -> None:
        if name in RESERVED:
            raise SpecError(f"{what}: {name!r} is a reserved dimension name ({', '.join(RESERVED)})")
        if name in taken:
            raise SpecError(f"{what}: {name!r} is already {taken[name]}")
        taken[name] = what

    for a in spec.people.attributes:
        claim(a, f"people.attributes.{a}")
    for s in spec.system:
        claim(s.id, f"system {s.id!r}")
        for sid in s.subsets:
            claim(subset_attr(s.id, sid), f"subset {sid!r} of system {s.id!r}")


def band_edges(labels: tuple[str, ...]) -> np.ndarray:
    """Lower edges of contiguous bands plus the last upper edge (inf for 'A+')."""
    bounds = [parse_band(b) for b in labels]
    return np.array([lo for lo, _ in bounds] + [bounds[-1][1]], dtype=float)
