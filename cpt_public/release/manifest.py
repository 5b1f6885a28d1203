"""The release manifest: a Frictionless Data Package (``datapackage.json``) with a ``cpt:``
extension for populations and disclosure control. One set of pydantic models (``extra="forbid"``)
writes it, reads it and validates it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ReleaseError

MANIFEST = "datapackage.json"
PROFILE = "tabular-data-package"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Constraints(_Model):
    enum: list[str] | None = None
    required: bool | None = None
    minimum: int | None = None


class Rule(_Model):
    """How a dimension picks units out by their attributes (see ``vocabulary.Rule``)."""

    kind: Literal["attribute", "count", "at_least", "any_of"]
    attributes: list[str] = Field(min_length=1)
    k: int | None = None
    select: dict[str, str | None] | None = None


class FieldSchema(_Model):
    name: str
    type: Literal["string", "integer", "boolean", "number"]
    title: str | None = None
    description: str
    constraints: Constraints | None = None
    # dimensions only: what the dimension is (time, system, category, band, group, window,
    # outcome, flag), so the app can pick a chart and words, and its rule, so the audit can
    # rebuild every cell from the manifest alone
    role: str | None = Field(default=None, alias="cpt:role")
    rule: Rule | None = Field(default=None, alias="cpt:rule")


class TableSchema(_Model):
    fields: list[FieldSchema]
    primaryKey: list[str]


class DisclosureControl(_Model):
    method: Literal["suppression", "dp", "dp+suppression"]
    threshold: int | None = None
    protectionRange: int | None = None
    epsilon: float | None = None
    mechanism: Literal["geometric"] | None = None
    moeLevel: float | None = None
    sensitivity: int | None = None
    maxUnitsPerPerson: int | None = None
    maxValuePerUnit: int | None = None
    noiseFrom: str | None = None  # the earlier release whose noisy counts this table repeats (nothing changed)
    # DP: the contribution bounds dropped or capped some units, so counts can sit below the true
    # ones by more than the noise's range; the range covers the count after the bounds.
    boundsBind: bool | None = None

    @model_validator(mode="after")
    def _complete(self):
        if "suppression" in self.method and (self.threshold is None or self.protectionRange is None):
            raise ValueError("suppression needs threshold and protectionRange")
        if self.method.startswith("dp") and (
            self.epsilon is None or self.mechanism is None or self.moeLevel is None or self.sensitivity is None
        ):
            raise ValueError("dp needs epsilon, mechanism, moeLevel and sensitivity")
        return self


class UnitCost(_Model):
    usd: float
    unit: str
    source: str


class Resource(_Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    path: str = Field(pattern=r"^tables/[a-z][a-z0-9_]*\.parquet$")
    format: Literal["parquet"] = "parquet"
    mediatype: Literal["application/vnd.apache.parquet"] = "application/vnd.apache.parquet"
    hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    bytes: int = Field(ge=0)
    title: str
    description: str
    table_schema: TableSchema = Field(alias="schema")
    universe: str = Field(alias="cpt:universe")
    universe_id: str = Field(alias="cpt:universeId")
    unit: str = Field(alias="cpt:unit")
    measure: Literal["people", "contacts"] = Field(alias="cpt:measure")
    kind: str = Field(alias="cpt:kind")  # the library measure the table was made with
    table_parameters: dict[str, Any] = Field(default={}, alias="cpt:parameters")
    dimensions: list[str] = Field(alias="cpt:dimensions", min_length=1)
    # every attribute the dimensions' rules use, with its categories in order
    attributes: dict[str, list[str]] = Field(alias="cpt:attributes")
    disclosure_control: DisclosureControl = Field(alias="cpt:disclosureControl")
    unit_costs: dict[str, UnitCost] | None = Field(default=None, alias="cpt:unitCosts")
    # how the population's units are people of the release's people population (``relations``)
    within: dict[str, Any] | None = Field(default=None, alias="cpt:within")


class License(_Model):
    name: str
    title: str | None = None
    path: str | None = None


class Source(_Model):
    title: str
    description: str | None = None


class Privacy(_Model):
    threshold: int
    protectionRange: int
    epsilonBudget: float
    epsilonSpent: float  # the epsilons of this release's noisy tables
    epsilonNew: float = 0.0  # of which spent by this publish (a table repeating earlier noise spends nothing)
    epsilonLifetimeSpent: float = 0.0  # by every release from these records, this one included
    epsilonLifetimeBudget: float = 0.0
    neighbouring: str = ""  # the neighbouring-dataset definition the sensitivities assume
    dpPostProcessing: str = ""  # how noisy tables were made whole, non-negative and additive
    zeroPolicy: str


class SystemLabel(_Model):
    en: str
    es: str


class SystemInfo(_Model):
    id: str
    label: SystemLabel
    stays: bool


class Period(_Model):
    start: str
    end: str


class Package(_Model):
    profile: Literal["tabular-data-package"] = PROFILE
    name: str
    title: str
    description: str
    version: str
    created: str
    publisher: str = Field(alias="cpt:publisher")
    licenses: list[License]
    sources: list[Source]
    resources: list[Resource] = Field(min_length=1)
    code_version: str = Field(alias="cpt:codeVersion")
    privacy: Privacy = Field(alias="cpt:privacy")
    synthetic: bool = Field(alias="cpt:synthetic")
    period: Period = Field(alias="cpt:period")
    parameters: dict[str, int] = Field(alias="cpt:parameters")
    systems: list[SystemInfo] = Field(alias="cpt:systems")

    def resource(self, name: str) -> Resource:
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_json(self) -> str:
        data = self.model_dump(by_alias=True, exclude_none=True)
        for res, model in zip(data["resources"], self.resources):  # say "epsilon": null, don't omit it
            res["cpt:disclosureControl"] = model.disclosure_control.model_dump(
                include={"method", "threshold", "protectionRange", "epsilon", "mechanism", "moeLevel"}
            ) | model.disclosure_control.model_dump(exclude_none=True)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_manifest(folder: Path) -> Package:
    path = folder / MANIFEST
    if not path.exists():
        raise ReleaseError(
            f"no {MANIFEST} in {folder}: this folder holds no release (run `python -m cpt_public publish`)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReleaseError(f"{MANIFEST} is not valid JSON: {exc}") from None
    try:
        return Package.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ReleaseError(f"{MANIFEST} does not match the manifest schema at {where}: {first['msg']}") from None
