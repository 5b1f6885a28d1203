"""Re-verify a published release: ``python -m cpt_public audit OUTDIR``.

Loads it through the catalog (hashes, schemas, invariants), then rebuilds, from the manifest
alone, what an attacker knows about each population — every published cell of every
suppression table over it — and bounds every hidden cell by LP and integer programming.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from ..errors import ReleaseError
from .catalog import Release, load_release
from .model import universe_model
from .protect.audit import CellAudit, audit_hidden


@dataclasses.dataclass
class TableReport:
    name: str
    method: str
    cells: int
    hidden: int
    narrowest: float | None  # smallest width of a hidden cell that could hold a small count
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclasses.dataclass
class Report:
    tables: list[TableReport]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(t.ok for t in self.tables)

    def summary(self) -> str:
        hidden = sum(t.hidden for t in self.tables)
        return f"{len(self.tables)} tables, {hidden} hidden cells, {'OK' if self.ok else 'FAILED'}"

    def text(self) -> str:
        if self.error:
            return f"FAILED: {self.error}"
        lines = [f"{'table':<24} {'method':<15} {'cells':>6} {'hidden':>7} {'narrowest':>10}  result"]
        for t in self.tables:
            width = "" if t.narrowest is None else ("inf" if t.narrowest == float("inf") else f"{t.narrowest:g}")
            lines.append(
                f"{t.name:<24} {t.method:<15} {t.cells:>6} {t.hidden:>7} {width:>10}  {'ok' if t.ok else 'FAILED'}"
            )
            lines.extend(f"    - {f}" for f in t.failures)
        lines.append(self.summary())
        return "\n".join(lines)


def audit_release(path: Path | str | None = None) -> Report:
    try:
        release = load_release(path)
    except ReleaseError as exc:
        return Report([], str(exc))
    return audit_loaded(release)


def audit_loaded(release: Release) -> Report:
    reports = {
        name: TableReport(name, t.control.method, len(t.frame), int(t.frame["suppressed"].sum()), None, [])
        for name, t in release.tables.items()
    }
    by_universe: dict[str, list] = {}
    for t in release.tables.values():
        if t.control.method == "suppression":
            by_universe.setdefault(t.resource.universe_id, []).append(t)
    for uid, tables in by_universe.items():
        _audit_universe(
            uid, tables, release.package.privacy.threshold, release.package.privacy.protectionRange, reports
        )
    return Report(list(reports.values()))


def published_system(tables) -> tuple[object, np.ndarray, np.ndarray, np.ndarray]:
    """What an attacker knows about one population, rebuilt from the manifest: the universe model,
    every cell's incidence row over the atoms, every count (NaN when hidden) and each row's table.
    Raises ReleaseError when two tables give one attribute different categories."""
    attr_cats: dict[str, tuple[str, ...]] = {}
    for t in tables:
        for a, cats in t.resource.attributes.items():
            if attr_cats.setdefault(a, tuple(cats)) != tuple(cats):
                raise ReleaseError(
                    f"attribute {a!r} has other categories than in another table over the same population",
                    table=t.name,
                )
    model = universe_model(
        attr_cats, {t.name: (t.dimensions, {d: t.categories(d) for d in t.resource.dimensions}) for t in tables}
    )
    inc = np.vstack([model.tables[t.name].incidence for t in tables])
    counts = np.concatenate([t.frame["count"].to_numpy(dtype="float64", na_value=np.nan) for t in tables])
    owner = np.concatenate([[i] * len(t.frame) for i, t in enumerate(tables)])
    return model, inc, counts, owner


def _audit_universe(uid: str, tables, threshold: int, prange: int, reports: dict[str, TableReport]) -> None:
    try:
        model, inc, counts, owner = published_system(tables)
    except ReleaseError as exc:
        reports[exc.table or tables[0].name].failures.append(str(exc).split(": ", 1)[-1])
        return
    shown = ~np.isnan(counts)
    if not (~shown).any():
        return
    results: list[CellAudit] = audit_hidden(inc[shown], counts[shown], inc[~shown], threshold, prange, model.structural)
    hidden_idx = np.flatnonzero(~shown)
    for res in results:
        i = hidden_idx[res.row]
        t = tables[owner[i]]
        rep = reports[t.name]
        iv = res.ip or res.lp
        if iv.could_be_small(threshold):
            rep.narrowest = iv.width if rep.narrowest is None else min(rep.narrowest, iv.width)
        if not res.ok:
            local = i - np.flatnonzero(owner == owner[i])[0]
            label = ", ".join(f"{d}={t.frame[d].iat[local]}" for d in t.resource.dimensions)
            rep.failures.append(
                f"hidden cell ({label}) can be narrowed to [{iv.lo:g}, {iv.hi:g}], "
                f"narrower than the protection range {prange}"
            )
