"""The interval audit: how tightly can an attacker pin down each hidden cell?

The attacker knows every published cell of every table over the same universe, that atom
counts are non-negative whole numbers, how cells are built from atoms, and what the release's
zero policy implies: zeros are published, so a hidden cell holds at least 1 unless the policy
could have hidden a zero there (``groups.floors``). Further facts enter as inequalities
(``a_ge x >= b_ge``, ``a_le x <= b_le``): across releases, a change is at most the records added
(``ledger``). For each hidden cell
we compute the tightest bounds [lo, hi] by linear programming (``linprog``) and confirm them by
integer programming (``milp``), both with SciPy's HiGHS. A hidden cell is *protected* when it
cannot hold a small count (its interval misses 1..threshold-1) or its interval is at least
``protection_range`` wide. (Compare sdcTable's attack(), which only asks for width > 1e-8.)
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ...errors import ProtectionError


@dataclasses.dataclass(frozen=True)
class Interval:
    lo: float
    hi: float  # math.inf when unbounded

    @property
    def width(self) -> float:
        return self.hi - self.lo

    def could_be_small(self, threshold: int, zeros: bool = False) -> bool:
        """Could the cell hold a count that must not be published? ``zeros``: a zero is one too."""
        return self.lo <= threshold - 1 and self.hi >= (0 if zeros else 1)

    def protects(self, threshold: int, protection_range: int, zeros: bool = False) -> bool:
        return not self.could_be_small(threshold, zeros) or self.width >= protection_range - 1e-9


@dataclasses.dataclass
class Bound:
    interval: Interval
    binding: np.ndarray  # indices of published constraints with a non-zero dual (LP only)
    # Per side (lo, hi): the LP optimum was reached at a whole-number point, so it is also the
    # integer optimum (an integer feasible point attaining the relaxation's bound) and the MILP
    # for that side can be skipped.
    integral: tuple[bool, bool] = (False, False)


class Attacker:
    """Everything known about one universe: published cells ``A x = b``, the model's structural
    constraints ``S x = 0``, ``x >= 0`` (integer), and optional inequalities ``a_ge x >= b_ge``
    (e.g. a hidden cell holds at least 1) and ``a_le x <= b_le``. Binding rows index the
    published cells."""

    def __init__(
        self,
        a_pub: np.ndarray,
        b_pub: np.ndarray,
        structural: np.ndarray | None = None,
        a_ge: np.ndarray | None = None,
        b_ge: np.ndarray | None = None,
        a_le: np.ndarray | None = None,
        b_le: np.ndarray | None = None,
    ):
        self.n_pub = a_pub.shape[0]
        self.n = a_pub.shape[1]
        rows = [sparse.csr_matrix(a_pub, dtype=float)]
        rhs = [np.asarray(b_pub, dtype=float)]
        if structural is not None and len(structural):
            rows.append(sparse.csr_matrix(structural, dtype=float))
            rhs.append(np.zeros(structural.shape[0]))
        self.a = sparse.vstack(rows, format="csr")
        self.b = np.concatenate(rhs)
        # Inequalities, stored as ``ub_a x <= ub_b`` for linprog.
        ub_rows, ub_rhs = [], []
        if a_ge is not None and a_ge.shape[0]:
            ub_rows.append(-sparse.csr_matrix(a_ge, dtype=float))
            ub_rhs.append(-np.asarray(b_ge, dtype=float))
        if a_le is not None and a_le.shape[0]:
            ub_rows.append(sparse.csr_matrix(a_le, dtype=float))
            ub_rhs.append(np.asarray(b_le, dtype=float))
        self.ub_a = sparse.vstack(ub_rows, format="csr") if ub_rows else None
        self.ub_b = np.concatenate(ub_rhs) if ub_rows else None

    def _lp(self, c: np.ndarray) -> tuple[float, np.ndarray, bool]:
        res = linprog(
            c,
            A_ub=self.ub_a,
            b_ub=self.ub_b,
            A_eq=self.a if self.a.shape[0] else None,
            b_eq=self.b if self.a.shape[0] else None,
            bounds=(0, None),
            method="highs",
        )
        if res.status == 3:
            return -math.inf, np.array([], dtype=int), False
        if res.status != 0:
            raise ProtectionError(f"the published cells are inconsistent (LP status {res.status}: {res.message})")
        duals = res.eqlin.marginals[: self.n_pub] if self.a.shape[0] else np.array([])
        integral = bool(np.all(np.abs(res.x - np.round(res.x)) < 1e-7))
        return float(res.fun), np.flatnonzero(np.abs(duals) > 1e-9), integral

    def lp_bounds(self, target: np.ndarray) -> Bound:
        c = target.astype(float)
        lo, b1, int_lo = self._lp(c)
        neg_hi, b2, int_hi = self._lp(-c)
        lo = max(0.0, lo) if lo != -math.inf else 0.0
        hi = -neg_hi if neg_hi != -math.inf else math.inf
        return Bound(Interval(lo, hi), np.union1d(b1, b2), (int_lo, int_hi or hi == math.inf))

    def ip_bounds(self, target: np.ndarray, lp: Bound) -> Interval:
        """Integer bounds: the MILP runs for each side whose LP optimum was fractional."""
        c = target.astype(float)
        cons = [LinearConstraint(self.a, self.b, self.b)] if self.a.shape[0] else []
        if self.ub_a is not None:
            cons.append(LinearConstraint(self.ub_a, -np.inf, self.ub_b))

        def solve(sign: float) -> float:
            res = milp(sign * c, constraints=cons, integrality=np.ones(self.n), bounds=Bounds(0, np.inf))
            if res.status != 0:
                raise ProtectionError(f"integer audit failed: {res.message}")
            return sign * float(res.fun)

        lo = round(lp.interval.lo) if lp.integral[0] else solve(1.0)
        hi = lp.interval.hi if lp.integral[1] else solve(-1.0)
        return Interval(float(lo), float(round(hi)) if hi != math.inf else hi)


@dataclasses.dataclass(frozen=True)
class CellAudit:
    row: int  # index into the hidden rows given
    lp: Interval
    ip: Interval | None
    ok: bool


def audit_hidden(
    a_pub: np.ndarray,
    b_pub: np.ndarray,
    hidden: np.ndarray,
    threshold: int,
    protection_range: int,
    structural: np.ndarray | None = None,
    integer: bool = True,
    floors: np.ndarray | None = None,
    zeros: np.ndarray | None = None,
) -> list[CellAudit]:
    """Audit each hidden cell (rows of ``hidden``, incidence over atoms) against what is published.
    ``floors``: per hidden cell, the least value the attacker may assume (1 where the zero policy
    rules out a hidden zero); ``zeros``: per hidden cell, whether it may be a hidden zero (then
    pinning it to 0 is a disclosure too)."""
    floors = np.zeros(len(hidden)) if floors is None else np.asarray(floors, dtype=float)
    zeros = np.zeros(len(hidden), dtype=bool) if zeros is None else np.asarray(zeros, dtype=bool)
    ge = floors > 0
    attacker = Attacker(a_pub, b_pub, structural, hidden[ge], floors[ge])
    out = []
    for i, row in enumerate(hidden):
        bound = attacker.lp_bounds(row)
        ok = bound.interval.protects(threshold, protection_range, bool(zeros[i]))
        ip = None
        if ok and integer:
            ip = attacker.ip_bounds(row, bound)
            ok = ip.protects(threshold, protection_range, bool(zeros[i]))
        out.append(CellAudit(i, bound.interval, ip, ok))
    return out
