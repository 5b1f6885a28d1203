"""The release spec: one TOML file in which a team declares, before anyone looks at the data,
its systems, the attributes it has about people, and every table of a release.

- ``[people]``: the people file, its id column and the attributes a team has (a codebook column,
  or an age band from a birth year or birth date), each with a "not recorded" category.
- ``[[system]]``: one per partner system: its label, input file, person and date columns (and an
  end date for stays), categorical attributes with codebooks, named subsets of its events
  (e.g. which enrollments count as a shelter entry) and an optional unit cost.
- ``[program]``: optional program and comparison-group files, for outcome tables.
- ``[[population]]``: optional custom populations, one DuckDB SQL query each.
- ``[[table]]``: each table names a kind from the library of generic measures (``KINDS``), its
  dimensions and its protection.

Everything here is data-free: the vocabulary it implies (``vocabulary``) is what the publish
step builds and what the audit rebuilds from a manifest. See ``cpt_public/specs/``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from ..errors import SpecError
from ..tomlfile import problems, read_toml
from .terms import ROLES, TOTAL, check_bands, parse_band  # noqa: F401  (re-exported: the spec's vocabulary)
from .vocabulary import check_spec

SPECS = Path(__file__).resolve().parent.parent / "specs"
DEMO_SPEC = SPECS / "demo.toml"
NAME = r"^[a-z][a-z0-9_]*$"
KINDS = ("people", "monthly", "frequent_use", "transitions", "program_outcomes", "service_use", "custom")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    en: str = Field(min_length=1)
    es: str = Field(min_length=1)


class Source(_Strict):
    title: str
    description: str = ""


class UnitCost(_Strict):
    usd: float = Field(gt=0)
    unit: str
    source: str


class Codebook(_Strict):
    """A categorical column: its allowed values, how blanks are shown, and optional recodes of
    raw values (e.g. ``F = "Female"``). Values outside the codebook are errors, never dropped."""

    column: str
    label: Label | None = None
    codebook: list[str] = Field(min_length=1)
    not_recorded: str = "Not recorded"
    recode: dict[str, str] = {}
    role: Literal["category", "band", "group"] = "category"

    @property
    def categories(self) -> tuple[str, ...]:
        return (*self.codebook, self.not_recorded)

    @model_validator(mode="after")
    def _check(self):
        cats = self.categories
        if len(set(cats)) != len(cats):
            raise ValueError(f"codebook values must be unique, and not_recorded {self.not_recorded!r} not among them")
        if TOTAL in cats:
            raise ValueError(f"{TOTAL!r} is reserved for margins")
        bad = sorted(v for v in self.recode.values() if v not in cats)
        if bad:
            raise ValueError(f"recode maps to {bad}, which are not in the codebook")
        return self


class Age(_Strict):
    """An age band from a birth year (``birth_year = "col"``) or a birth date (``birth_date``)."""

    birth_year: str | None = None
    birth_date: str | None = None
    label: Label | None = None
    bands: list[str] = Field(min_length=1)
    at: Literal["period_start", "event"] = "period_start"
    not_recorded: str = "Not recorded"

    @property
    def column(self) -> str:
        return self.birth_year or self.birth_date  # type: ignore[return-value]

    @property
    def categories(self) -> tuple[str, ...]:
        return (*self.bands, self.not_recorded)

    @model_validator(mode="after")
    def _check(self):
        if (self.birth_year is None) == (self.birth_date is None):
            raise ValueError("give one of birth_year or birth_date (the column age is computed from)")
        check_bands("bands", self.bands, 0)
        if self.not_recorded in self.bands:
            raise ValueError("not_recorded must differ from every band")
        return self


def _attribute_kind(value) -> str:
    """An attribute with bands is an age; anything else a codebook column. (A plain union would
    report both models' complaints about every mistake.)"""
    if isinstance(value, dict):
        return "age" if "bands" in value else "codebook"
    return "age" if isinstance(value, Age) else "codebook"


PersonAttribute = Annotated[
    Annotated[Age, Tag("age")] | Annotated[Codebook, Tag("codebook")], Discriminator(_attribute_kind)
]


class People(_Strict):
    file: str = "people"
    id: str = "person_id"
    attributes: dict[str, PersonAttribute] = {}


class Subset(_Strict):
    """A named subset of a system's events: each key is one of the system's attributes, each
    value the codebook values that belong to the subset."""

    label: Label
    where: dict[str, list[str]] = Field(min_length=1)


class System(_Strict):
    id: str = Field(pattern=NAME)
    label: Label
    file: str
    person: str = "person_id"
    date: str
    end_date: str | None = None  # a stay: active from date to end_date (blank: still active)
    attributes: dict[str, Codebook] = {}
    subsets: dict[str, Subset] = {}
    cost: UnitCost | None = None

    @model_validator(mode="after")
    def _check(self):
        for sid, sub in self.subsets.items():
            if not re.match(NAME, sid):
                raise ValueError(f"subset name {sid!r} must be lower-case letters, digits and _")
            for attr, values in sub.where.items():
                if attr not in self.attributes:
                    raise ValueError(
                        f"subset {sid!r}: {attr!r} is not one of this system's attributes "
                        f"({', '.join(self.attributes) or 'it has none'})"
                    )
                bad = [v for v in values if v not in self.attributes[attr].categories]
                if bad:
                    raise ValueError(f"subset {sid!r}: {bad} are not in the codebook of {attr!r}")
        return self


class Cohort(_Strict):
    file: str
    person: str = "person_id"
    date: str


class Program(_Strict):
    label: Label
    enrolled: Cohort
    comparison: Cohort


class CustomPopulation(_Strict):
    """A population the library does not cover: one DuckDB SQL query over the input files
    (each available as a view named after its file), returning one row per unit with a person
    column, an optional weight and the declared categorical columns."""

    id: str = Field(pattern=NAME)
    description: str
    unit: str = "person"
    sql: str
    person: str = "person_id"
    weight: str | None = None
    attributes: dict[str, Codebook]


# Above this, a table's noise is too small to protect anyone (at epsilon 10 a count is exact
# more than 99.99% of the time); usual values are 0.1 to 2.
MAX_EPSILON = 10.0


class Protection(_Strict):
    method: Literal["suppression", "dp", "dp+suppression"]
    epsilon: float | None = Field(default=None, gt=0, le=MAX_EPSILON, allow_inf_nan=False)
    # DP only: how many units (rows of the population) one person may contribute, and the cap on
    # each unit's value for weighted measures. Units beyond the bound are dropped at random.
    max_units_per_person: int = Field(default=1, ge=1)
    max_value_per_unit: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _epsilon_for_dp(self):
        if self.method.startswith("dp") and self.epsilon is None:
            raise ValueError(f"method {self.method!r} needs an epsilon")
        if self.method == "suppression" and self.epsilon is not None:
            raise ValueError("method 'suppression' takes no epsilon")
        return self


class TableSpec(_Strict):
    name: str = Field(pattern=NAME)
    title: str
    description: str
    kind: Literal["people", "monthly", "frequent_use", "transitions", "program_outcomes", "service_use", "custom"]
    dimensions: list[str] = Field(min_length=1)
    rename: dict[str, str] = {}  # vocabulary name -> the column name published
    totals: bool = True  # add a "Total" category to every dimension that can have one
    population: str | None = Field(default=None, pattern=NAME)  # name of the population (default: derived)
    protection: Protection
    # kind parameters (each kind takes the ones it needs; see vocabulary.KIND_PARAMETERS)
    systems: list[str] | None = None
    system: str | None = None
    window_days: int | None = Field(default=None, ge=1)
    event_bands: list[str] | None = None
    after_days: int | None = Field(default=None, ge=1)
    windows: list[str] | None = None
    outcomes: dict[str, str] | None = None

    @model_validator(mode="after")
    def _names(self):
        for k, v in self.rename.items():
            if not re.match(NAME, v):
                raise ValueError(f"rename.{k}: {v!r} must be lower-case letters, digits and _")
        return self


class Period(_Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _order(self):
        if self.end <= self.start:
            raise ValueError("period end must be after its start")
        return self


class Release(_Strict):
    title: str
    description: str
    license: str = "CC-BY-4.0"
    publisher: str
    synthetic: bool = False
    period: Period
    # The day the records were exported: an event after it is impossible (default: the day of publishing).
    export_date: dt.date | None = None
    threshold: int = Field(default=11, ge=2)
    protection_range: int | None = Field(default=None, ge=1)
    epsilon_budget: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    # What every release from these records may spend together: refreshes spend it (see the ledger).
    lifetime_epsilon: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    multi_system_min: int = Field(default=2, ge=2)  # "multi-system user": used at least this many systems
    sources: list[Source] = []


class Spec(_Strict):
    release: Release
    people: People = People()
    system: list[System] = Field(min_length=1)
    program: Program | None = None
    population: list[CustomPopulation] = []
    table: list[TableSpec] = Field(min_length=1)

    @property
    def tables(self) -> list[TableSpec]:
        return self.table

    @property
    def systems(self) -> dict[str, System]:
        """The one registry of systems, in declared order."""
        return {s.id: s for s in self.system}

    @property
    def custom(self) -> dict[str, CustomPopulation]:
        return {p.id: p for p in self.population}

    @property
    def protection_range(self) -> int:
        return self.release.protection_range or self.release.threshold

    def input_files(self) -> list[str]:
        """Every input file the spec reads, people first."""
        files = [self.people.file, *(s.file for s in self.system)]
        if self.program:
            files += [self.program.enrolled.file, self.program.comparison.file]
        return list(dict.fromkeys(files))

    @model_validator(mode="after")
    def _unique(self):
        for what, names in (
            ("table", [t.name for t in self.table]),
            ("system", [s.id for s in self.system]),
            ("population", [p.id for p in self.population]),
        ):
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"{what} names must be unique: {dup}")
        files = [self.people.file, *(s.file for s in self.system)]
        if len(set(files)) != len(files):
            raise ValueError("people and every system need files of their own")
        return self


def load_spec(path: Path | str | None = None) -> Spec:
    path = Path(path) if path else DEMO_SPEC
    data = read_toml(path, SpecError, f"release spec {path}")
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        lines = [_named(line, data) for line in problems(exc)]
        raise SpecError(f"release spec {path} is invalid:\n  " + "\n  ".join(lines)) from None
    try:
        check_spec(spec)
    except SpecError as exc:
        raise SpecError(f"release spec {path} is invalid:\n  {exc}") from None
    return spec


def _named(line: str, data: dict) -> str:
    """'table.6.protection.epsilon: …' reads as "table 'its_name': protection.epsilon: …"."""
    m = re.match(r"^(table|system|population)\.(\d+)\.(.*)$", line)
    if not m:
        return line
    items = data.get(m.group(1))
    i = int(m.group(2))
    key = "id" if m.group(1) != "table" else "name"
    if isinstance(items, list) and i < len(items) and isinstance(items[i], dict) and items[i].get(key):
        return f"{m.group(1)} {items[i][key]!r}: {m.group(3)}"
    return line
