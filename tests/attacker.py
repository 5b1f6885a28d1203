"""An attacker of the tests' own, written apart from ``cpt_public.release.protect.audit``.

It knows what is published — one or more systems of cells over unknown whole-number counts — and
any extra facts a test gives it (linear equations and inequalities over all unknowns, e.g. that a
refresh only added records). For a cell it finds the least and greatest value every fact allows,
by integer programming alone (no LP first, dense matrices, no shortcuts), so an error in the
audit's model or its solver use does not repeat here.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

BIG = 10**7


@dataclasses.dataclass
class Knowledge:
    n: int  # unknowns
    rows: list[np.ndarray] = dataclasses.field(default_factory=list)
    lo: list[float] = dataclasses.field(default_factory=list)
    hi: list[float] = dataclasses.field(default_factory=list)

    def equal(self, row: np.ndarray, value: float) -> None:
        self.rows.append(np.asarray(row, dtype=float))
        self.lo.append(value)
        self.hi.append(value)

    def at_least(self, row: np.ndarray, value: float) -> None:
        self.rows.append(np.asarray(row, dtype=float))
        self.lo.append(value)
        self.hi.append(math.inf)

    def at_most(self, row: np.ndarray, value: float) -> None:
        self.rows.append(np.asarray(row, dtype=float))
        self.lo.append(-math.inf)
        self.hi.append(value)

    def publish(self, incidence: np.ndarray, counts: np.ndarray, offset: int = 0, floors=None) -> None:
        """A system's cells (rows over its own unknowns, placed at ``offset``): published counts are
        known, hidden ones (NaN) are at least their floor."""
        for k, (row, c) in enumerate(zip(incidence, counts)):
            full = self.place(row, offset)
            if not np.isnan(c):
                self.equal(full, float(c))
            elif floors is not None and floors[k] > 0:
                self.at_least(full, float(floors[k]))

    def place(self, row: np.ndarray, offset: int) -> np.ndarray:
        full = np.zeros(self.n)
        full[offset : offset + len(row)] = row
        return full

    def interval(self, target: np.ndarray) -> tuple[float, float]:
        cons = [LinearConstraint(np.array(self.rows), np.array(self.lo), np.array(self.hi))] if self.rows else []
        out = []
        for sign in (1.0, -1.0):
            # A finite box keeps every problem bounded; reaching it means "unbounded".
            res = milp(
                sign * np.asarray(target, dtype=float),
                constraints=cons,
                integrality=np.ones(self.n),
                bounds=Bounds(0, BIG),
            )
            assert res.status == 0, res.message
            out.append(sign * res.fun)
        return round(out[0]), (math.inf if out[1] >= BIG else round(out[1]))


def narrow(lo: float, hi: float, threshold: int, prange: int, maybe_zero: bool = False) -> bool:
    """Would [lo, hi] disclose a small count (or a zero that may be hidden)?"""
    could_be_small = lo <= threshold - 1 and hi >= (0 if maybe_zero else 1)
    return could_be_small and hi - lo < prange


def together(systems: dict, relations: dict) -> tuple[Knowledge, dict[str, int]]:
    """One body of knowledge over several populations of a release (``systems``: id ->
    ``verify.System`` with its model) — each one's published cells, floors and structural rows —
    and, for each population whose units are people of another (``relations``: id ->
    ``relations.Relation``), that fact, written as the tests' own lifted model: for each block of
    the people population and each group of units that are different people, every person of a
    people atom is one unit of a compatible atom of the group, or none (``z``). Returns the
    knowledge and each population's offset."""
    offsets, n = {}, 0
    for pid, s in systems.items():
        offsets[pid], n = n, n + s.incidence.shape[1]
    links = []  # (variables of a link, rows): built first to know how many unknowns there are
    for qid, rel in relations.items():
        if qid not in systems or rel.inside not in systems:
            continue
        q, p = systems[qid].model, systems[rel.inside].model
        for qb in q.blocks:
            if not set(rel.once_per) <= set(qb.attrs):
                continue
            q_rows = qb.atoms.to_dict("records")
            groups = [tuple(r[a] for a in rel.once_per) for r in q_rows]
            for pb in p.blocks:
                p_rows = pb.atoms.to_dict("records")
                pairs = [
                    (i, j)
                    for i, qr in enumerate(q_rows)
                    for j, pr in enumerate(p_rows)
                    if _may_be(rel, qr, pr, {**p.attr_cats, **q.attr_cats})
                ]
                slack = sorted({(g, j) for g in set(groups) for j in range(len(p_rows))})
                links.append((qid, rel.inside, qb, pb, groups, pairs, slack, n))
                n += len(pairs) + len(slack)
    k = Knowledge(n)
    for pid, s in systems.items():
        k.publish(s.incidence, s.counts, offsets[pid], floors=s.floors())
        for row in s.structural if s.structural is not None else []:
            k.equal(k.place(row, offsets[pid]), 0)
    for qid, pid, qb, pb, groups, pairs, slack, at in links:
        for i in range(qb.size):  # each unit is one person
            row = np.zeros(n)
            row[offsets[qid] + qb.offset + i] = -1
            row[[at + c for c, (qi, _) in enumerate(pairs) if qi == i]] = 1
            k.equal(row, 0)
        for s, (g, j) in enumerate(slack):  # each person is at most one unit of a group
            row = np.zeros(n)
            row[offsets[pid] + pb.offset + j] = -1
            row[at + len(pairs) + s] = 1
            row[[at + c for c, (qi, pj) in enumerate(pairs) if pj == j and groups[qi] == g]] = 1
            k.equal(row, 0)
    return k, offsets


def _may_be(rel, q: dict, p: dict, cats: dict) -> bool:
    """Could a unit with attributes ``q`` be a person with attributes ``p``?"""
    from cpt_public.release.terms import parse_band

    for a in rel.same:
        if a in q and a in p and q[a] != p[a]:
            return False
    for a, lo, hi in rel.ages:
        if a in q and a in p:
            unknown = cats[a][-1]
            if (q[a] == unknown) != (p[a] == unknown):
                return False
            if q[a] != unknown:
                (qlo, qhi), (plo, phi) = parse_band(q[a]), parse_band(p[a])
                if qhi - 1 < plo + lo or qlo > phi - 1 + hi:
                    return False
    for cond, (a, c) in rel.implies:
        applies = cond is None or q.get(cond[0]) == cond[1]
        if applies and a in p and p[a] != c:
            return False
    return True
