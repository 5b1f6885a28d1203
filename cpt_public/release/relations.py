"""Relations between populations, and what they tell an attacker.

Several populations of one release count the same people. Everyone with an event of a system in
the last year is also someone who used that system in the period; a person who left a system
and then had an event of another within 30 days used both in the period; each person counted
among a month's users of a system is one of the period's users of it.
An attacker holding every table knows this, so the audit must too: a published frequent-use
table may narrow a hidden cell of the people tables, or the other way round.

A ``Relation`` says how the units of a population (Q) are people of the people population (P,
everyone in the people file): within each combination of the ``once_per`` attributes, Q's units
are different people (one each, for populations of people); and what a unit's attributes imply
of its person's attributes in P — an attribute with the same categories (``same``), an age band
at a later date (``ages``: between ``lo`` and ``hi`` years older), or a flag that implies a flag
(``implies``: when the unit has ``if`` — or always — its person has ``then``). Only what the
kinds' definitions guarantee is said: a window inside the period, events inside it.

In the audit, each block of Q's atoms is linked to blocks of P's atoms by a flow ``f(q, p)``: how
many units of atom q are people of atom p, only where q and p are compatible. Every unit is
someone: ``sum_p f(q, p) = x_Q(q)``; and within each ``once_per`` group no atom of P gives more
people than it has: ``sum_(q in group) f(q, p) <= x_P(p)``. For units that are different
people this is exact: any assignment of units to people gives such flows, and the attacker may
use nothing more. ``world`` builds this into a suppression ``Context`` together with everything
published about the related populations (and what the attacker knows of their earlier
releases), whose hidden cells become cells the new tables must not narrow.

Data-free: the publish step derives relations from the spec (``relation_for``) and writes them to
the manifest (``cpt:within``), where the ``audit`` command finds them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
from scipy import sparse

from .model import UniverseModel
from .protect.groups import Line, floors
from .protect.suppression import CELL, MAYBE_ZERO, Context
from .terms import parse_band
from .vocabulary import YES_NO, Population, is_age, table_systems, window_days

YES = YES_NO[0]
# Past this many flow unknowns a block pair is left out (and the publish log says so): a monthly
# table crossed with ages would make a million, for little an attacker could not get otherwise.
MAX_FLOWS = 200_000


@dataclasses.dataclass(frozen=True)
class Relation:
    inside: str  # the id of the people population
    once_per: tuple[str, ...] = ()
    same: tuple[str, ...] = ()
    ages: tuple[tuple[str, int, int], ...] = ()  # (attribute, fewest, most years older)
    implies: tuple[tuple[tuple[str, str] | None, tuple[str, str]], ...] = ()

    def to_dict(self) -> dict:
        return {
            "population": self.inside,
            "oncePer": list(self.once_per),
            "same": list(self.same),
            "ages": {a: [lo, hi] for a, lo, hi in self.ages},
            "implies": [{"if": None if c is None else {c[0]: c[1]}, "then": {t[0]: t[1]}} for c, t in self.implies],
        }

    @classmethod
    def from_dict(cls, d: dict) -> Relation:
        def pair(m: dict | None):
            return None if not m else next(iter(m.items()))

        return cls(
            d["population"],
            tuple(d.get("oncePer", ())),
            tuple(d.get("same", ())),
            tuple((a, int(v[0]), int(v[1])) for a, v in (d.get("ages") or {}).items()),
            tuple((pair(r.get("if")), pair(r["then"])) for r in d.get("implies", ())),
        )


# ----------------------------------------------------------------------------- from a spec


def relation_for(spec, pop: Population, t, inside: Population) -> Relation | None:
    """What the definition of ``pop`` (one of its tables: ``t``) guarantees about its units as
    people of ``inside`` (a population of kind 'people'), or None when it guarantees nothing
    the audit uses (program cohorts, contacts, a team's own query)."""
    if inside.kind != "people" or pop.kind not in ("frequent_use", "transitions", "monthly"):
        return None
    period = spec.release.period
    # the latest date at which a unit's age may be taken (never before the period starts)
    last = period.end
    if pop.kind == "frequent_use":
        last = period.end - dt.timedelta(days=window_days(t) - 1)
    same, ages = [], []
    for a, attr in spec.people.attributes.items():
        if a not in pop.attrs or a not in inside.attrs:
            continue
        if is_age(attr) and attr.at == "event":
            # At most one year more than the calendar years between: a birthday may fall either
            # way. At least none: an age before birth counts as 0 at both dates.
            ages.append((a, 0, last.year - period.start.year + 1))
        else:
            same.append(a)
    implies: list = []
    once_per: tuple[str, ...] = ()
    if pop.kind == "monthly":
        once_per = ("month", "system")
        for s in table_systems(spec, t):
            if s in inside.attrs:
                implies.append((("system", spec.systems[s].label.en), (s, YES)))
    else:
        if t.system in inside.attrs:
            implies.append((None, (t.system, YES)))  # an event of (or leaving) the system, in the period
        flags = [a for a in pop.attrs if a not in spec.people.attributes and a in inside.attrs]
        implies += [((a, YES), (a, YES)) for a in flags if tuple(pop.attrs[a]) == tuple(inside.attrs[a]) == YES_NO]
    return Relation(inside.id, once_per, tuple(same), tuple(ages), tuple(implies))


# ----------------------------------------------------------------------------- compatibility


def _age_bounds(cats: tuple[str, ...]) -> list[tuple[float, float] | None]:
    """Each category's [lo, hi) in years; None for the last one (age not recorded)."""
    return [parse_band(c) for c in cats[:-1]] + [None]


def compatible(rel: Relation, q_atoms: pd.DataFrame, p_atoms: pd.DataFrame, cats: dict) -> np.ndarray:
    """Which atoms of Q (rows) may be units of people in which atoms of P (columns). A rule
    whose attributes are not both in the blocks constrains nothing."""
    ok = np.ones((len(q_atoms), len(p_atoms)), dtype=bool)
    for a in rel.same:
        if a in q_atoms and a in p_atoms:
            ok &= q_atoms[a].to_numpy()[:, None] == p_atoms[a].to_numpy()[None, :]
    for a, lo, hi in rel.ages:
        if a in q_atoms and a in p_atoms:
            bounds = dict(zip(cats[a], _age_bounds(cats[a])))
            table = np.zeros((len(cats[a]), len(cats[a])), dtype=bool)
            for i, cq in enumerate(cats[a]):
                for j, cp in enumerate(cats[a]):
                    bq, bp = bounds[cq], bounds[cp]
                    if bq is None or bp is None:
                        table[i, j] = bq is None and bp is None
                    else:  # some age in P's band, lo..hi years later, falls in Q's band
                        table[i, j] = bq[0] <= bp[1] - 1 + hi and bq[1] - 1 >= bp[0] + lo
            iq = pd.Categorical(q_atoms[a], categories=cats[a]).codes
            ip = pd.Categorical(p_atoms[a], categories=cats[a]).codes
            ok &= table[iq][:, ip]
    for cond, (a, c) in rel.implies:
        if a not in p_atoms:
            continue
        holds = (p_atoms[a] == c).to_numpy()[None, :]
        if cond is None:
            ok &= holds
        elif cond[0] in q_atoms:
            ok &= ~(q_atoms[cond[0]] == cond[1]).to_numpy()[:, None] | holds
    return ok


# ----------------------------------------------------------------------------- the attacker's world


@dataclasses.dataclass
class Known:
    """One population's suppressed tables as this release publishes them: what an attacker knows
    of it, over the atoms of its ``model`` (and, in ``context``, what else: its earlier releases)."""

    pid: str
    model: UniverseModel
    incidence: np.ndarray  # stacked cells x atoms
    counts: np.ndarray  # NaN where hidden
    lines: list[Line]
    labels: list[str]  # each cell's name in messages
    relation: Relation | None = None
    context: Context | None = None


class _Builder:
    def __init__(self, n: int):
        self.n, self.width = n, n
        self.eq, self.ge, self.le, self.targets = [], [], [], []
        self.reach: dict[int, np.ndarray] = {}  # extra column -> atoms of the new population it counts
        self.notes: list[str] = []
        self.why = "when this release's tables of related populations are read together"

    def columns(self, k: int) -> int:
        at, self.width = self.width, self.width + k
        return at

    def rows(self, m, at: int):
        """``m`` (sparse, columns from 0) moved to start at column ``at``."""
        m = sparse.coo_matrix(m, dtype=float)
        return (m.row, m.col + at, m.data, m.shape[0])

    def embed(self, c: Context, n_own: int, x_at: int, extra_at: int):
        """``c``'s rows, its own unknowns at ``x_at`` and its extras at ``extra_at``."""

        def move(m):
            m = sparse.coo_matrix(m, dtype=float)
            col = np.where(m.col < n_own, m.col + x_at, m.col - n_own + extra_at)
            return (m.row, col, m.data, m.shape[0])

        self.eq.append((move(c.eq_a), c.eq_b))
        self.ge.append((move(c.ge_a), c.ge_b))
        self.le.append((move(c.le_a), c.le_b))
        self.targets += [
            (move(c.targets[t : t + 1]), int(c.target_mode[t]), c.labels[t]) for t in range(c.targets.shape[0])
        ]

    def stack(self, parts):
        mats, rhs = [], []
        for (r, c, d, h), b in parts:
            mats.append(sparse.csr_matrix((d, (r, c)), shape=(h, self.width)))
            rhs.append(np.asarray(b, dtype=float))
        if not mats:
            return sparse.csr_matrix((0, self.width)), np.zeros(0)
        return sparse.vstack(mats, format="csr"), np.concatenate(rhs)

    def context(self) -> Context:
        eq_a, eq_b = self.stack(self.eq)
        ge_a, ge_b = self.stack(self.ge)
        le_a, le_b = self.stack(self.le)
        tg = [sparse.csr_matrix((d, (r, c)), shape=(h, self.width)) for (r, c, d, h), _, _ in self.targets]
        reach = sparse.lil_matrix((self.width - self.n, self.n), dtype=bool)
        for col, atoms in self.reach.items():
            reach[col - self.n, atoms] = True
        return Context(
            n_extra=self.width - self.n,
            eq_a=eq_a,
            eq_b=eq_b,
            ge_a=ge_a,
            ge_b=ge_b,
            le_a=le_a,
            le_b=le_b,
            targets=sparse.vstack(tg, format="csr") if tg else sparse.csr_matrix((0, self.width)),
            target_mode=np.array([m for _, m, _ in self.targets], dtype=int),
            labels=[label for _, _, label in self.targets],
            reach=reach.tocsr(),
            why=self.why,
        )


def world(
    model: UniverseModel, relation: Relation | None, own: Context | None, known: list[Known]
) -> tuple[Context | None, list[str]]:
    """What an attacker knows beyond a population's own cells (over ``model``'s atoms): its own
    ``context`` (earlier releases), and — through ``relation`` — the people population and every
    other population related to it in ``known``, as published, with flows between them. Their
    hidden cells (and their contexts' targets) become targets. Returns the context (None when
    there is nothing beyond the cells) and notes for the publish log."""
    people = next((k for k in known if relation is not None and k.pid == relation.inside), None)
    if people is None:
        return own, []
    b = _Builder(model.n_vars)
    if own is not None or any(k.context is not None for k in known):
        b.why = "when this release's tables of related populations, and earlier releases, are read together"
    if own is not None:
        at = b.columns(own.n_extra)
        b.embed(own, model.n_vars, 0, at)
        if own.reach is not None:
            for i, row in enumerate(own.reach.tolil().rows):
                b.reach[at + i] = np.asarray(row, dtype=int)
    others = [people] + [k for k in known if k is not people and k.relation and k.relation.inside == people.pid]
    x_at: dict[str, int] = {}
    for k in others:
        x_at[k.pid] = at = b.columns(k.model.n_vars)
        _published(b, k, at)
        if k.context is not None:
            b.embed(k.context, k.model.n_vars, at, b.columns(k.context.n_extra))
    links = [(model, relation, 0, True)] + [(k.model, k.relation, x_at[k.pid], False) for k in others[1:]]
    for q_model, rel, q_at, new in links:
        _flows(b, rel, q_model, q_at, people.model, x_at[people.pid], new)
    return b.context(), b.notes


def _published(b: _Builder, k: Known, at: int) -> None:
    shown = ~np.isnan(k.counts)
    structural = k.model.structural
    if len(structural):
        b.eq.append((b.rows(structural, at), np.zeros(len(structural))))
    b.eq.append((b.rows(k.incidence[shown], at), k.counts[shown]))
    floor = floors(k.lines, ~shown)
    ge = ~shown & (floor > 0)
    b.ge.append((b.rows(k.incidence[ge], at), floor[ge]))
    for r in np.flatnonzero(~shown):
        b.targets.append((b.rows(k.incidence[r : r + 1], at), MAYBE_ZERO if floor[r] == 0 else CELL, k.labels[r]))


def _flows(b: _Builder, rel: Relation, q: UniverseModel, q_at: int, p: UniverseModel, p_at: int, new: bool) -> None:
    """The flows from one population's atoms (Q, at column ``q_at``) to the people population's
    (P, at ``p_at``). Both sides are first merged over the attributes the relation says nothing
    about (a unit's number of events, a person's age where only flags are linked): the flows
    between merged atoms allow exactly what the flows between atoms would — within a merged
    atom every unit (or person) is as compatible as any other — and they are far fewer (a monthly
    table linked to people by age and flags: 12,000 rather than 100,000)."""
    cats = {**p.attr_cats, **q.attr_cats}
    q_said = {*rel.once_per, *rel.same, *(a for a, _, _ in rel.ages), *(c[0] for c, _ in rel.implies if c)}
    for qb in q.blocks:
        if not set(rel.once_per) <= set(qb.attrs):
            continue  # one person may be several units of an atom: no bound from P
        q_of, q_merged = _merge(qb.atoms, [a for a in qb.attrs if a in q_said])
        group = np.zeros(len(q_merged), dtype=np.int64)
        for a in rel.once_per:
            group = group * len(q.attr_cats[a]) + pd.Categorical(q_merged[a], categories=q.attr_cats[a]).codes
        for pb, linked in _p_blocks(rel, qb, p):
            p_of, p_merged = _merge(pb.atoms, linked)
            iq, ip = np.nonzero(compatible(rel, q_merged, p_merged, cats))
            if len(iq) > MAX_FLOWS:
                b.notes.append(
                    f"relation to {rel.inside!r}: {len(iq):,} links between atoms are too many to model; left out"
                )
                continue
            at = b.columns(len(iq))
            cols = at + np.arange(len(iq))
            # every unit is someone: sum_p f(q, p) = x_Q(q), over merged atoms
            rows = np.concatenate([iq, q_of])
            c = np.concatenate([cols, q_at + qb.offset + np.arange(qb.size)])
            d = np.concatenate([np.ones(len(iq)), -np.ones(qb.size)])
            b.eq.append(((rows, c, d, len(q_merged)), np.zeros(len(q_merged))))
            # no atom of P holds fewer people than the units of one group that are theirs
            key = group[iq] * len(p_merged) + ip
            uniq, row = np.unique(key, return_inverse=True)
            # each (group, merged atom of P) row takes every atom of P merged into it
            members = [np.flatnonzero(p_of == m) for m in range(len(p_merged))]
            pr = np.concatenate([np.full(len(members[k % len(p_merged)]), i) for i, k in enumerate(uniq)])
            pc = np.concatenate([members[k % len(p_merged)] for k in uniq])
            rows = np.concatenate([row, pr])
            c = np.concatenate([cols, p_at + pb.offset + pc])
            d = np.concatenate([np.ones(len(iq)), -np.ones(len(pr))])
            b.le.append(((rows, c, d, len(uniq)), np.zeros(len(uniq))))
            if new:
                q_members = [qb.offset + np.flatnonzero(q_of == m) for m in range(len(q_merged))]
                for j, col in enumerate(cols):
                    b.reach[int(col)] = q_members[iq[j]]
                for m in np.unique(ip):
                    near = np.concatenate([q_members[k] for k in np.unique(iq[ip == m])])
                    for atom in members[m]:
                        col = p_at + pb.offset + int(atom)
                        b.reach[col] = np.union1d(b.reach.get(col, np.zeros(0, int)), near)


def _merge(atoms: pd.DataFrame, attrs: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Atoms merged over every attribute but ``attrs``: each atom's merged atom, and the merged
    atoms (their values of ``attrs``)."""
    if not attrs:
        return np.zeros(len(atoms), dtype=np.int64), pd.DataFrame(index=[0])
    of = atoms.groupby(attrs, sort=False).ngroup().to_numpy()
    merged = atoms[attrs].drop_duplicates().reset_index(drop=True)
    return of, merged


def _p_blocks(rel: Relation, qb, p: UniverseModel) -> list[tuple]:
    """The blocks of P worth linking Q's block to, each with the attributes linked: those with
    the most the relation can say (a block whose linked attributes another block has too adds
    nothing)."""
    said = [a for a in rel.same if a in qb.attrs] + [a for a, _, _ in rel.ages if a in qb.attrs]
    said += [t[0] for c, t in rel.implies if c is None or c[0] in qb.attrs]
    useful = [(pb, frozenset(a for a in said if a in pb.attrs)) for pb in p.blocks]
    keep, seen = [], []
    for pb, s in useful:
        if s and s not in seen and not any(s < o for _, o in useful):
            keep.append((pb, [a for a in pb.attrs if a in s]))
            seen.append(s)
    return keep
