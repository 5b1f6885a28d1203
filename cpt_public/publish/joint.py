"""Auditing a release together with every earlier one still public (from the ledger).

The attacker knows every published cell of every release, and that between two releases the
counts change only by what was added, removed or corrected. We model each release's unknown
counts over one set of atoms (the union of the tables of all releases over the population), and
each step between consecutive releases as arrivals ``p`` and departures ``q`` (units that are
new, gone, or moved to another atom): ``x_next = x_prev + p - q``, ``p, q >= 0``. The attacker is
also told how many units arrived and left — the smallest numbers that turn the earlier exact
counts into the later ones, over every combination of attributes — which is as much as anyone
could know about a refresh that only adds records ("one person was booked since").

What must stay protected, in the same terms as one release's hidden cells:
- every hidden cell of every earlier release (new releases must not narrow it);
- for every cell of every table and every step, the number of units that arrived in it and the
  number that left it: a refresh of a few people must not pin down who they are ("the one person
  added is 35-44, female, used jail and EMS"). The cell of everyone is left out: how many
  people arrived is no one's attribute.
Only this release's cells can still be hidden; when that cannot protect a target, the publish is
refused and the message names the cell.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import ProtectionError
from ..release.catalog import Table
from ..release.model import UniverseModel, universe_model
from ..release.protect.groups import floors
from ..release.protect.suppression import CELL, CHANGE, MAYBE_ZERO, Context
from ..release.relations import Known, Relation, world
from ..release.vocabulary import TableVocab
from .ledger import Ledger


@dataclasses.dataclass
class Earlier:
    version: str
    tables: list[Table]  # its suppression tables over the population
    cats: dict[str, list[str]]  # the stored exact counts' categories per attribute
    units: pd.DataFrame  # attribute codes and n, one row per combination that occurs


def sparse_units(con, units: str, attrs: list[str]) -> pd.DataFrame:
    """Units per combination of ``attrs`` that occurs (codes), for the ledger; for contacts, the sum
    of their weights (what the tables count)."""
    from .units import q

    cols = ", ".join(q(a) for a in attrs)
    frame = con.execute(f"SELECT {cols}, sum(w)::BIGINT AS n FROM {units} GROUP BY ALL ORDER BY ALL").df()
    return frame.astype({a: "int32" for a in attrs} | {"n": "int64"})


def earlier_releases(ledger: Ledger, pid: str, key: str, attrs: dict[str, tuple[str, ...]]) -> list[Earlier]:
    """Every earlier release (oldest first) with suppressed tables over population ``pid``; refuses
    one that cannot be related to this one."""
    out = []
    for entry in ledger.entries():
        try:
            release = entry.release()
        except Exception as exc:  # a damaged copy must stop the publish, not be skipped
            raise ProtectionError(f"the ledger's copy of release {entry.version} cannot be read: {exc}") from None
        tables = [
            t for t in release.tables.values() if t.resource.universe_id == pid and t.control.method == "suppression"
        ]
        if not tables:
            continue
        stored = entry.exact_units(pid)
        how = (
            "a refresh keeps each population's definition (kind, parameters, attributes and categories). "
            "If that release was never made public, retire it: python -m cpt_public ledger retire "
            f"{entry.version} --reason '…'"
        )
        if stored is None or entry.population_key(pid) != key:
            raise ProtectionError(
                f"population {pid!r} is defined differently than in release {entry.version}, which is still "
                f"public, so the two cannot be audited together: {how}"
            )
        cats, frame = stored
        for t in tables:
            for a, c in t.resource.attributes.items():
                if a not in attrs or list(attrs[a]) != list(c) or cats.get(a) != list(c):
                    raise ProtectionError(
                        f"attribute {a!r} of population {pid!r} has other categories than in release "
                        f"{entry.version}: {how}"
                    )
        out.append(Earlier(entry.version, tables, cats, frame))
    return out


def joint_model(tvs: list[TableVocab] | list[Table], earlier: list[Earlier]) -> tuple[UniverseModel, list[str]]:
    """One set of atoms for this release's tables (``tvs``: to publish, or as published) and every
    earlier release's; returns the model and the names it gives this release's tables."""
    attr_cats: dict[str, tuple[str, ...]] = {}
    tables: dict = {}
    for i, e in enumerate(earlier):
        for t in e.tables:
            attr_cats.update({a: tuple(c) for a, c in t.resource.attributes.items()})
            tables[f"{i}:{t.name}"] = _definition(t)
    names = []
    for tv in tvs:
        if isinstance(tv, Table):
            attr_cats.update({a: tuple(c) for a, c in tv.resource.attributes.items()})
            name, tables[f"new:{tv.name}"] = tv.name, _definition(tv)
        else:
            attr_cats.update(tv.attributes)
            name, tables[f"new:{tv.spec.name}"] = tv.spec.name, (tv.dims, tv.categories())
        names.append(f"new:{name}")
    return universe_model(attr_cats, tables), names


def _definition(t: Table):
    return t.dimensions, {d: t.categories(d) for d in t.resource.dimensions}


@dataclasses.dataclass
class Seen:
    """One population of the latest release in the ledger, as an attacker holding every release
    sees it: its suppressed cells (exact ``values``, ``hidden`` or not) and, in ``context``, the
    earlier releases and the related populations (None when there is neither)."""

    pid: str
    incidence: np.ndarray
    values: np.ndarray
    hidden: np.ndarray
    structural: np.ndarray
    lines: list
    labels: list[str]
    context: Context | None


def seen_in_ledger(ledger: Ledger) -> tuple[list[Seen], list[str]]:
    """Every suppressed population of the latest release in the ledger, with what an attacker
    holding all of the ledger's releases knows about it, and problems that stop the audit."""
    entries = ledger.entries()
    if len(entries) < 2:
        return [], []
    last = entries[-1]
    release = last.release()
    problems: list[str] = []
    by_population: dict[str, list[Table]] = {}
    for t in release.tables.values():
        if t.control.method == "suppression":
            by_population.setdefault(t.resource.universe_id, []).append(t)
    # the people population first, as the publish step audits them
    order = sorted(by_population, key=lambda pid: by_population[pid][0].resource.kind != "people")
    known: list[Known] = []
    out = []
    for pid in order:
        tables = by_population[pid]
        stored = last.exact_units(pid)
        if stored is None:
            problems.append(f"population {pid!r}: the ledger has no exact counts of release {last.version}")
            continue
        cats, units = stored
        attrs = {a: tuple(c) for a, c in cats.items()}
        earlier = [
            e for e in earlier_releases(ledger, pid, last.population_key(pid) or "", attrs) if e.version != last.version
        ]
        model, names = joint_model(tables, earlier)
        inc = np.vstack([model.tables[n].incidence for n in names])
        values = inc.astype(np.int64) @ atoms(units, cats, model)
        counts = np.concatenate([t.frame["count"].to_numpy(dtype="float64", na_value=np.nan) for t in tables])
        offsets = np.cumsum([0] + [len(t.frame) for t in tables])
        lines = [ln for t, n, o in zip(tables, names, offsets) for ln in model.tables[n].lines(t.dimensions, int(o))]
        own = build(model, names, earlier, units, cats, last.version) if earlier else None
        within = tables[0].resource.within
        relation = None if within is None else Relation.from_dict(within)
        labels = [
            f"release {last.version}'s hidden cell {'('.join(_cell(tables, offsets, r))})" for r in range(len(inc))
        ]
        context, _ = world(model, relation, own, known)
        known.append(Known(pid, model, inc, counts, lines, labels, relation, own))
        out.append(Seen(pid, inc, values, np.isnan(counts), model.structural, lines, labels, context))
    return out, problems


def audit_ledger(ledger: Ledger) -> list[str]:
    """The joint audit of the latest release in the ledger against every earlier one, with the
    relations between its populations: what an attacker holding all of them could pin down
    (empty when nothing). Needs no records: the ledger keeps the exact counts."""
    from ..release.protect.suppression import joint_failures

    seen, problems = seen_in_ledger(ledger)
    if not seen:
        return problems
    privacy = ledger.entries()[-1].release().package.privacy
    for s in seen:
        if s.context is None:
            continue  # audited alone when it was published, and by `audit`
        found = joint_failures(
            s.incidence,
            s.values,
            s.hidden,
            s.structural,
            s.lines,
            s.context,
            privacy.threshold,
            privacy.protectionRange,
        )
        for i, iv in found:
            what = s.labels[i] if i < len(s.incidence) else s.context.labels[i - len(s.incidence)]
            problems.append(f"{what} could be narrowed to [{iv.lo + 0:g}, {iv.hi + 0:g}] {s.context.why}")
    return problems


def atoms(units: pd.DataFrame, cats: dict[str, list[str]], model: UniverseModel) -> np.ndarray:
    """Exact atom counts of ``model`` from stored counts per combination of attributes."""
    out = np.zeros(model.n_vars, dtype=np.int64)
    n = units["n"].to_numpy(dtype=np.int64)
    for b in model.blocks:
        idx = np.zeros(len(units), dtype=np.int64)
        for a in b.attrs:
            if list(cats[a]) != list(model.attr_cats[a]):
                raise ProtectionError(f"attribute {a!r} changed its categories between releases")
            idx = idx * len(model.attr_cats[a]) + units[a].to_numpy(dtype=np.int64)
        np.add.at(out, b.offset + idx, n)
    return out


def least_change(before: pd.DataFrame, after: pd.DataFrame, attrs: list[str]) -> tuple[int, int]:
    """The fewest arrivals and departures that turn one set of counts into the other, judged on
    every combination of ``attrs``."""
    a = before.groupby(attrs, sort=False)["n"].sum() if attrs else pd.Series([before["n"].sum()])
    b = after.groupby(attrs, sort=False)["n"].sum() if attrs else pd.Series([after["n"].sum()])
    diff = b.sub(a, fill_value=0)
    return int(diff.clip(lower=0).sum()), int((-diff).clip(lower=0).sum())


def build(
    model: UniverseModel,
    new_names: list[str],
    earlier: list[Earlier],
    new_units: pd.DataFrame,
    new_cats: dict[str, list[str]],
    new_version: str = "this release",
) -> Context:
    """The context of this release's suppression: every earlier release and the steps between."""
    n, k = model.n_vars, len(earlier)
    width = n * (1 + 3 * k)  # x_new, x_earlier[k], then p, q per step
    x_at = [n * (1 + i) for i in range(k)] + [0]  # the k earlier releases, then this one
    p_at = [n * (1 + k) + 2 * n * j for j in range(k)]
    q_at = [a + n for a in p_at]
    structural = model.structural
    eye = sparse.identity(n, format="csr")

    def place(rows, at: int):
        rows = sparse.csr_matrix(rows, dtype=float)
        before, after = sparse.csr_matrix((rows.shape[0], at)), sparse.csr_matrix((rows.shape[0], width - at - n))
        return sparse.hstack([before, rows, after])

    eq_a, eq_b, ge_a, ge_b = [], [], [], []
    targets, modes, labels = [], [], []
    attrs = list(model.attr_cats)
    for i, e in enumerate(earlier):
        truth = atoms(e.units, e.cats, model)
        inc = np.vstack([model.tables[f"{i}:{t.name}"].incidence for t in e.tables])
        counts = np.concatenate([t.frame["count"].to_numpy(dtype="float64", na_value=np.nan) for t in e.tables])
        shown = ~np.isnan(counts)
        if not np.array_equal(inc[shown].astype(np.int64) @ truth, counts[shown].astype(np.int64)):
            raise ProtectionError(f"the ledger's exact counts of release {e.version} do not match its tables")
        eq_a.append(place(inc[shown], x_at[i]))
        eq_b.append(counts[shown])
        offsets = np.cumsum([0] + [len(t.frame) for t in e.tables])
        lines = [
            ln for t, o in zip(e.tables, offsets) for ln in model.tables[f"{i}:{t.name}"].lines(t.dimensions, int(o))
        ]
        floor = floors(lines, ~shown)
        ge = ~shown & (floor > 0)
        ge_a.append(place(inc[ge], x_at[i]))
        ge_b.append(floor[ge])
        for r in np.flatnonzero(~shown):
            t, label = _cell(e.tables, offsets, r)
            targets.append(place(inc[r : r + 1], x_at[i]))
            modes.append(MAYBE_ZERO if floor[r] == 0 else CELL)
            labels.append(f"release {e.version}'s hidden cell {t}({label})")
    for at in x_at[:-1] + p_at + q_at:
        if len(structural):
            eq_a.append(place(structural, at))
            eq_b.append(np.zeros(len(structural)))
    # Each step: x_next - x_prev - p + q = 0, with as many arrivals and departures as the least change.
    cells = _distinct_cells(model)
    sequence = [(e.version, e.units, e.cats) for e in earlier] + [(new_version, new_units, new_cats)]
    block0 = np.zeros((1, n))
    block0[0, : model.blocks[0].size] = 1
    for j in range(k):
        eq_a.append(place(eye, x_at[j + 1]) - place(eye, x_at[j]) - place(eye, p_at[j]) + place(eye, q_at[j]))
        eq_b.append(np.zeros(n))
        for a in attrs:
            if sequence[j][2].get(a) != sequence[j + 1][2].get(a):
                raise ProtectionError(f"attribute {a!r} changed its categories between releases")
        arrived, left = least_change(sequence[j][1], sequence[j + 1][1], attrs)
        eq_a += [place(block0, p_at[j]), place(block0, q_at[j])]
        eq_b.append(np.array([arrived, left], dtype=float))
        step = f"between releases {sequence[j][0]} and {sequence[j + 1][0]}"
        sides = [(p_at[j], "added to or moved into", arrived), (q_at[j], "removed from or moved out of", left)]
        for label, row in cells:
            for at, what, total in sides:
                if total == 0:
                    continue  # nothing moved that way: every such count is 0, and pins nobody
                targets.append(place(row[None, :], at))
                modes.append(CHANGE)
                labels.append(f"the number of people {what} ({label}) {step}")

    def stack(parts):
        return sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, width))

    def join(parts):
        return np.concatenate(parts) if parts else np.zeros(0)

    return Context(
        n_extra=width - n,
        eq_a=stack(eq_a),
        eq_b=join(eq_b),
        ge_a=stack(ge_a),
        ge_b=join(ge_b),
        le_a=stack([]),
        le_b=np.zeros(0),
        targets=stack(targets),
        target_mode=np.array(modes, dtype=int),
        labels=labels,
        # every further unknown is a copy of one atom (an earlier release's, an arrival, a departure)
        reach=sparse.csr_matrix(
            (np.ones(width - n, dtype=bool), (np.arange(width - n), np.arange(width - n) % n)), shape=(width - n, n)
        ),
    )


def _cell(tables: list[Table], offsets, r: int) -> tuple[str, str]:
    i = int(np.searchsorted(offsets, r, side="right") - 1)
    t = tables[i]
    local = r - offsets[i]
    return f"in {t.name} ", ", ".join(f"{d}={t.frame[d].iat[local]}" for d in t.resource.dimensions)


def _distinct_cells(model: UniverseModel) -> list[tuple[str, np.ndarray]]:
    """Every distinct cell of the model's tables (a set of units) but the cell of everyone, named
    by its first table."""
    seen: dict[bytes, tuple[str, np.ndarray]] = {}
    blocks = [np.arange(b.offset, b.offset + b.size) for b in model.blocks]
    for name, tm in model.tables.items():
        table = name.split(":", 1)[1]
        for c, (key, row) in enumerate(zip(tm.keys, tm.incidence)):
            if any(row[b].all() for b in blocks):
                continue  # the cell of everyone
            if key not in seen:
                label = ", ".join(f"{d}={tm.cells[d].iat[c]}" for d in tm.dims)
                seen[key] = (f"{table}: {label}", row)
    return list(seen.values())
