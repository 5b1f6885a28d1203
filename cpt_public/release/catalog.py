"""The only reader of ``published_data/``.

``load_release`` validates the manifest, every file's size and sha256, every table's schema and
categories, and re-checks the invariants of its protection; anything that fails is refused with
a ``ReleaseError`` naming the table. Nothing else in the project opens a release's files.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import os
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ReleaseError
from .manifest import Package, Resource, read_manifest
from .spec import ROLES, TOTAL
from .vocabulary import Dimension, Rule

DEFAULT_RELEASE = Path(__file__).resolve().parent.parent.parent / "published_data"
PERSON_COLUMN = re.compile(r"(person|client|patient|inmate|personal)_?id$|^ssn$|name$|dob$|birth_?date|address", re.I)


@dataclasses.dataclass(frozen=True)
class Table:
    resource: Resource
    frame: pd.DataFrame

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def control(self):
        return self.resource.disclosure_control

    def categories(self, dim: str) -> list[str]:
        field = next(f for f in self.resource.table_schema.fields if f.name == dim)
        return list(field.constraints.enum)

    @functools.cached_property
    def dimensions(self) -> list[Dimension]:
        """The table's dimensions with their roles and rules, as the manifest states them."""
        return dimensions(self.resource)


def dimensions(r: Resource) -> list[Dimension]:
    fields = {f.name: f for f in r.table_schema.fields}
    out = []
    for d in r.dimensions:
        f = fields[d]
        rule = Rule.from_dict(f.rule.model_dump(exclude_none=True))
        cats = tuple(c for c in f.constraints.enum if c != TOTAL)
        out.append(Dimension(d, f.description, f.role, rule, cats, rule.kind != "any_of"))
    return out


@dataclasses.dataclass(frozen=True)
class Release:
    path: Path
    package: Package
    tables: dict[str, Table]

    @property
    def synthetic(self) -> bool:
        return self.package.synthetic

    def __getitem__(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise ReleaseError("this release has no such table", table=name) from None


def release_dir() -> Path:
    return Path(os.environ.get("CPT_RELEASE_DIR", DEFAULT_RELEASE))


def load_release(path: Path | str | None = None) -> Release:
    folder = Path(path) if path else release_dir()
    if not folder.is_dir():
        raise ReleaseError(f"release folder {folder} does not exist (run `python -m cpt_public publish`)")
    package = read_manifest(folder)
    names = [r.name for r in package.resources]
    if len(set(names)) != len(names):
        raise ReleaseError("datapackage.json lists a table twice")
    _check_privacy(package)
    tables = {r.name: Table(r, _read(folder, r, package)) for r in package.resources}
    return Release(folder, package, tables)


def _check_privacy(package: Package) -> None:
    pv = package.privacy
    spent = sum(r.disclosure_control.epsilon or 0 for r in package.resources)
    if abs(spent - pv.epsilonSpent) > 1e-9:
        raise ReleaseError(f"cpt:privacy.epsilonSpent is {pv.epsilonSpent:g} but the tables spend {spent:g}")
    if pv.epsilonSpent > pv.epsilonBudget + 1e-9:
        raise ReleaseError(f"the release spends epsilon {pv.epsilonSpent:g}, over its budget {pv.epsilonBudget:g}")


def _read(folder: Path, r: Resource, package: Package) -> pd.DataFrame:
    path = folder / r.path
    if not path.is_file():
        raise ReleaseError(f"file {r.path} is missing", table=r.name)
    data = path.read_bytes()
    if len(data) != r.bytes:
        raise ReleaseError(
            f"file {r.path} has {len(data)} bytes, the manifest says {r.bytes}: it was changed", table=r.name
        )
    if "sha256:" + hashlib.sha256(data).hexdigest() != r.hash:
        raise ReleaseError(f"file {r.path} does not match its sha256 in the manifest: it was changed", table=r.name)
    try:
        arrow = pq.read_table(pa.BufferReader(data))
    except pa.ArrowException as exc:
        raise ReleaseError(f"file {r.path} is not a readable Parquet file: {exc}", table=r.name) from None
    _check_schema(r, arrow)
    frame = arrow.to_pandas()
    for f in r.table_schema.fields:
        if f.type == "string":
            frame[f.name] = frame[f.name].astype(str)
        elif f.type == "integer":
            frame[f.name] = frame[f.name].astype("Int64")
    _check_cells(r, frame)
    _check_protection(r, frame, package)
    return frame


def _check_schema(r: Resource, arrow: pa.Table) -> None:
    fields = [f.name for f in r.table_schema.fields]
    if arrow.column_names != fields:
        raise ReleaseError(f"columns {arrow.column_names} do not match the manifest's {fields}", table=r.name)
    bad = [c for c in fields if PERSON_COLUMN.search(c)]
    if bad:
        raise ReleaseError(f"columns {bad} look like person-level identifiers", table=r.name)
    dc = r.disclosure_control
    expect = r.dimensions + ["count", "suppressed"] + (["moe90"] if dc.method.startswith("dp") else [])
    if fields != expect:
        raise ReleaseError(f"expected columns {expect}, found {fields}", table=r.name)
    if r.table_schema.primaryKey != r.dimensions:
        raise ReleaseError("primaryKey must be the dimensions, in order", table=r.name)
    arrow_types = {"string": (pa.string(), pa.large_string()), "integer": (pa.int64(),), "boolean": (pa.bool_(),)}
    for f in r.table_schema.fields:
        if arrow.schema.field(f.name).type not in arrow_types[f.type]:
            raise ReleaseError(
                f"column {f.name} has type {arrow.schema.field(f.name).type}, expected {f.type}", table=r.name
            )
    fields_by_name = {f.name: f for f in r.table_schema.fields}
    for d in r.dimensions:
        f = fields_by_name[d]
        if f.role not in ROLES or f.rule is None:
            raise ReleaseError(
                f"dimension {d!r} needs a cpt:role (one of {', '.join(ROLES)}) and a cpt:rule", table=r.name
            )
        missing = [a for a in f.rule.attributes if a not in r.attributes]
        if missing:
            raise ReleaseError(
                f"dimension {d!r} uses attributes {missing} that cpt:attributes does not list", table=r.name
            )
        if f.constraints is None or not f.constraints.enum:
            raise ReleaseError(f"dimension {d!r} lists no categories", table=r.name)
    attr_cats = {a: tuple(c) for a, c in r.attributes.items()}
    for dim in dimensions(r):
        cats = next(f for f in r.table_schema.fields if f.name == dim.name).constraints.enum
        if TOTAL in cats and (not dim.partition or cats[-1] != TOTAL):
            raise ReleaseError(f"dimension {dim.name!r} cannot have a Total here", table=r.name)
        expected = list(dim.expected_categories(attr_cats))
        if [c for c in cats if c != TOTAL] != expected:
            raise ReleaseError(f"dimension {dim.name!r} has categories {cats}, expected {expected}", table=r.name)


def _check_cells(r: Resource, frame: pd.DataFrame) -> None:
    """Every combination of categories exactly once, in order: no cell dropped, none invented."""
    cats = [next(f for f in r.table_schema.fields if f.name == d).constraints.enum for d in r.dimensions]
    expected = pd.DataFrame(list(itertools.product(*cats)), columns=r.dimensions)
    if len(frame) != len(expected) or not frame[r.dimensions].reset_index(drop=True).equals(expected):
        raise ReleaseError("rows are not exactly one per combination of categories", table=r.name)


def _check_protection(r: Resource, frame: pd.DataFrame, package: Package) -> None:
    dc = r.disclosure_control
    count, hidden = frame["count"], frame["suppressed"]
    if (count.isna() != hidden).any():
        raise ReleaseError("a count is null exactly when the cell is suppressed, and here it is not", table=r.name)
    if (count.dropna() < 0).any():
        raise ReleaseError("a count is negative", table=r.name)
    pv = package.privacy
    if "suppression" in dc.method:
        if dc.threshold != pv.threshold or dc.protectionRange != pv.protectionRange:
            raise ReleaseError("its threshold or protection range differs from the release's", table=r.name)
        small = count.dropna()
        small = small[(small >= 1) & (small < dc.threshold)]
        if len(small):
            raise ReleaseError(f"{len(small)} visible count(s) are below the threshold {dc.threshold}", table=r.name)
    elif hidden.any():
        raise ReleaseError("cells are suppressed but the method has no suppression", table=r.name)
    if dc.method.startswith("dp"):
        if not dc.epsilon or dc.epsilon <= 0:
            raise ReleaseError("a DP table must carry a positive epsilon", table=r.name)
        if frame["moe90"].isna().any() or (frame["moe90"] < 0).any():
            raise ReleaseError("every DP cell needs a non-negative moe90", table=r.name)
        _check_additive(r, frame)


def _check_additive(r: Resource, frame: pd.DataFrame) -> None:
    """In DP tables each Total is the sum of the cells it covers (post-processing keeps tables consistent)."""
    dims = r.dimensions
    for d in dims:
        if TOTAL not in set(frame[d]):
            continue
        others = [o for o in dims if o != d]
        parts = frame[frame[d] != TOTAL]
        totals = frame[frame[d] == TOTAL].set_index(others)["count"] if others else frame[frame[d] == TOTAL]["count"]
        sums = parts.groupby(others)["count"].sum(min_count=1) if others else pd.Series([parts["count"].sum()])
        known = (
            parts.groupby(others)["count"].apply(lambda s: s.notna().all())
            if others
            else pd.Series([parts["count"].notna().all()])
        )
        t = totals.to_numpy()
        s = sums.reindex(totals.index).to_numpy() if others else sums.to_numpy()
        k = known.reindex(totals.index).to_numpy() if others else known.to_numpy()
        for ti, si, ki in zip(t, s, k):
            if ki and not pd.isna(ti) and ti != si:
                raise ReleaseError(f"the Total of {d!r} ({ti}) is not the sum of its cells ({si})", table=r.name)
