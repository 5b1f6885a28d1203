"""The release spec: a TOML file that declares, before anyone looks at the data, every table
of a release — its population (universe), dimensions, category lists, measure and protection —
plus the release-level privacy parameters. See ``cpt_public/specs/demo.toml``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import SpecError
from .tomlfile import problems, read_toml

DEMO_SPEC = Path(__file__).parent / "specs" / "demo.toml"
TOTAL = "Total"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    title: str
    description: str = ""


class UnitCost(_Strict):
    usd: float = Field(gt=0)
    unit: str
    source: str


class Protection(_Strict):
    method: Literal["suppression", "dp", "dp+suppression"]
    epsilon: float | None = Field(default=None, gt=0)
    # DP only: how many units (rows of the universe) one person may contribute, and the cap on
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
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    description: str
    universe: str
    dimensions: list[str] = Field(min_length=1)
    totals: bool = True  # add a "Total" category to every dimension that can have one
    protection: Protection


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
    threshold: int = Field(default=11, ge=2)
    protection_range: int | None = Field(default=None, ge=1)
    epsilon_budget: float = Field(default=0.0, ge=0)
    sources: list[Source] = []


class Parameters(_Strict):
    frequent_user_min_bookings: int = Field(default=3, ge=2)
    recent_days: int = Field(default=365, ge=28)
    transition_window_days: int = Field(default=30, ge=1)


class Spec(_Strict):
    release: Release
    parameters: Parameters = Parameters()
    # Band labels, in order: "Under 18", "18-24", "65+" (ages); "1", "3-4", "5+" (counts);
    # "Months 1-6" (follow-up windows after a program start).
    bands: dict[str, list[str]]
    unit_costs: dict[str, UnitCost] = {}
    table: list[TableSpec] = Field(min_length=1)

    @property
    def tables(self) -> list[TableSpec]:
        return self.table

    @property
    def protection_range(self) -> int:
        return self.release.protection_range or self.release.threshold

    @model_validator(mode="after")
    def _unique_names(self):
        names = [t.name for t in self.table]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"table names must be unique: {sorted(dup)}")
        return self


def load_spec(path: Path | str | None = None) -> Spec:
    path = Path(path) if path else DEMO_SPEC
    data = read_toml(path, SpecError, f"release spec {path}")
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(f"release spec {path} is invalid:\n  " + "\n  ".join(problems(exc))) from None
    from .universes import check_spec  # the vocabulary checks names, bands and protections

    check_spec(spec)
    return spec


# ----------------------------------------------------------------------------- bands

_RANGE = re.compile(r"^(?:Months )?(\d+)\s*[-–]\s*(\d+)$")
_PLUS = re.compile(r"^(\d+)\+$")
_UNDER = re.compile(r"^Under (\d+)$")
_EXACT = re.compile(r"^(\d+)$")


def parse_band(label: str) -> tuple[int, float]:
    """A band label as a half-open integer interval [low, high)."""
    if m := _RANGE.match(label):
        return int(m[1]), int(m[2]) + 1
    if m := _PLUS.match(label):
        return int(m[1]), float("inf")
    if m := _UNDER.match(label):
        return 0, int(m[1])
    if m := _EXACT.match(label):
        return int(m[1]), int(m[1]) + 1
    raise SpecError(f"band label {label!r} is not of the form 'A-B', 'A+', 'Under A' or 'A'")


def check_bands(name: str, labels: list[str], start: int, open_ended: bool = True) -> list[tuple[int, float]]:
    """Bands must be contiguous from ``start`` and, if ``open_ended``, end with 'A+'."""
    bands = [parse_band(b) for b in labels]
    expect = start
    for label, (lo, hi) in zip(labels, bands):
        if lo != expect or hi <= lo:
            raise SpecError(f"bands.{name}: {label!r} should start at {expect} (bands must be contiguous)")
        expect = hi
    if open_ended and expect != float("inf"):
        raise SpecError(f"bands.{name}: the last band must be open-ended, like '65+'")
    return bands
