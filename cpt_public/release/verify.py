"""Re-verify a published release: ``python -m cpt_public audit OUTDIR``.

Loads it through the catalog (hashes, schemas, invariants), then rebuilds, from the manifest
alone, what an attacker knows — every published cell of every suppression table over a
population, and each 'dp+suppression' table over its noisy interior cells, with what the zero
policy implies about hidden cells (``protect.groups``) — and bounds every hidden cell by LP and
integer programming. Populations whose units are people of the people population (the
manifest's ``cpt:within``) are audited again with it (``relations``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from ..errors import ReleaseError
from .catalog import Release, load_release
from .model import UniverseModel, universe_model
from .protect.audit import Attacker, CellAudit, audit_hidden
from .protect.groups import Line, disclosing_zeros, floors
from .protect.suppression import joint_failures
from .relations import Known, Relation, world


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
    privacy = release.package.privacy
    by_universe: dict[str, list] = {}
    for t in release.tables.values():
        if t.control.method == "suppression":
            by_universe.setdefault(t.resource.universe_id, []).append(t)
        elif t.control.method == "dp+suppression":
            _audit(lambda t=t: noisy_system(t), [t], privacy.threshold, privacy.protectionRange, reports)
    for tables in by_universe.values():
        _audit(
            lambda tables=tables: published_system(tables), tables, privacy.threshold, privacy.protectionRange, reports
        )
    _audit_related(by_universe, privacy.threshold, privacy.protectionRange, reports)
    return Report(list(reports.values()))


def _audit_related(by_universe: dict[str, list], threshold: int, prange: int, reports: dict[str, TableReport]) -> None:
    """Each population whose units are people of the people population (``relations``), audited
    with that population and every other one related to it: what the attacker learns from
    reading them together."""
    relation_of = {}
    for pid, tables in by_universe.items():
        within = tables[0].resource.within
        if within is not None:
            relation_of[pid] = Relation.from_dict(within)
    systems: dict[str, System] = {}
    for pid, tables in by_universe.items():
        try:
            systems[pid] = published_system(tables)
        except ReleaseError:
            continue  # reported by the population's own audit
    for pid, rel in relation_of.items():
        if pid not in systems or rel.inside not in systems:
            continue
        others = [
            systems[o].known(o, relation_of.get(o))
            for o in systems
            if o != pid and (o == rel.inside or (o in relation_of and relation_of[o].inside == rel.inside))
        ]
        system = systems[pid]
        context, _ = world(system.model, rel, None, others)
        found = joint_failures(
            system.incidence,
            np.nan_to_num(system.counts, nan=0),
            ~system.shown,
            system.structural,
            system.lines,
            context,
            threshold,
            prange,
        )
        for i, iv in found:
            if i < len(system.incidence):
                t, label = _cell(system, i)
                what = f"hidden cell ({label})"
            else:
                t, what = system.tables[0], context.labels[i - len(system.incidence)]
            reports[t.name].failures.append(
                f"{what} can be narrowed to [{iv.lo + 0:g}, {iv.hi + 0:g}] when read together with "
                f"the tables of population {rel.inside!r}, whose people its units are"
            )


@dataclasses.dataclass
class System:
    """What an attacker knows about a group of tables: each cell as a row over unknowns, its count
    (NaN when hidden), the model's structural equations, and the lines the zero policy works on
    (``None``: zeros are never hidden, so every hidden cell holds at least 1)."""

    tables: list
    incidence: np.ndarray
    counts: np.ndarray
    owner: np.ndarray  # each row's table (index into ``tables``)
    structural: np.ndarray | None
    lines: list[Line] | None
    model: UniverseModel | None = None

    @property
    def shown(self) -> np.ndarray:
        return ~np.isnan(self.counts)

    def floors(self) -> np.ndarray:
        """Per cell, the least value the attacker may assume for it when hidden."""
        return floors(self.lines, ~self.shown)

    def attacker(self) -> Attacker:
        shown, floor = self.shown, self.floors()
        ge = ~shown & (floor > 0)
        return Attacker(self.incidence[shown], self.counts[shown], self.structural, self.incidence[ge], floor[ge])

    def rows(self, i: int) -> np.ndarray:
        return self.incidence[self.owner == i]

    def known(self, pid: str, relation: Relation | None) -> Known:
        """This population as another one's audit sees it (``relations.world``)."""
        labels = []
        for i in range(len(self.counts)):
            t, label = _cell(self, i)
            labels.append(f"the hidden cell in {t.name} ({label})")
        return Known(pid, self.model, self.incidence, self.counts, self.lines, labels, relation)


def published_system(tables) -> System:
    """What an attacker knows about one population's suppression tables, rebuilt from the manifest.
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
    tms = [model.tables[t.name] for t in tables]
    offsets = np.cumsum([0] + [len(tm.cells) for tm in tms])
    return System(
        list(tables),
        np.vstack([tm.incidence for tm in tms]),
        np.concatenate([_counts(t) for t in tables]),
        np.concatenate([[i] * len(t.frame) for i, t in enumerate(tables)]),
        model.structural,
        [ln for t, tm, o in zip(tables, tms, offsets) for ln in tm.lines(t.dimensions, int(o))],
        model,
    )


def noisy_system(table) -> System:
    """What an attacker knows about a 'dp+suppression' table: its published noisy cells, each the
    sum of noisy interior cells (the unknowns); its zeros are never hidden."""
    attr_cats = {a: tuple(c) for a, c in table.resource.attributes.items()}
    model = universe_model(
        attr_cats, {table.name: (table.dimensions, {d: table.categories(d) for d in table.resource.dimensions})}
    )
    tm = model.tables[table.name]
    return System([table], tm.composition, _counts(table), np.zeros(len(table.frame), dtype=int), None, None)


def _cell(system: System, i: int):
    """The table of stacked cell ``i`` and the cell's label (``dim=category, ...``)."""
    t = system.tables[system.owner[i]]
    local = i - np.flatnonzero(system.owner == system.owner[i])[0]
    return t, ", ".join(f"{d}={t.frame[d].iat[local]}" for d in t.resource.dimensions)


def _counts(t) -> np.ndarray:
    return t.frame["count"].to_numpy(dtype="float64", na_value=np.nan)


def _audit(build, tables, threshold: int, prange: int, reports: dict[str, TableReport]) -> None:
    try:
        system: System = build()
    except ReleaseError as exc:
        reports[exc.table or tables[0].name].failures.append(str(exc).split(": ", 1)[-1])
        return
    shown = system.shown
    if system.lines is not None:
        for i in np.flatnonzero(
            disclosing_zeros(system.lines, np.nan_to_num(system.counts, nan=-1), ~shown, system.incidence)
        ):
            t, label = _cell(system, i)
            reports[t.name].failures.append(
                f"the published zero ({label}) leaves a hidden group in a single category: "
                "it tells everyone that category of each of its members"
            )
    if shown.all():
        return
    floor = system.floors()
    hidden_idx = np.flatnonzero(~shown)
    results: list[CellAudit] = audit_hidden(
        system.incidence[shown],
        system.counts[shown],
        system.incidence[~shown],
        threshold,
        prange,
        system.structural,
        floors=floor[~shown],
        zeros=floor[~shown] == 0,
    )
    for res in results:
        i = hidden_idx[res.row]
        t = system.tables[system.owner[i]]
        rep = reports[t.name]
        iv = res.ip or res.lp
        maybe_zero = bool(floor[i] == 0)
        if iv.could_be_small(threshold, maybe_zero):
            rep.narrowest = iv.width if rep.narrowest is None else min(rep.narrowest, iv.width)
        if not res.ok:
            _, label = _cell(system, i)
            rep.failures.append(
                f"hidden cell ({label}) can be narrowed to [{iv.lo + 0:g}, {iv.hi + 0:g}], "
                f"narrower than the protection range {prange}"
            )
