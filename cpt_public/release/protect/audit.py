"""The interval audit: how tightly can an attacker pin down each hidden cell?

The attacker knows every published cell of every table over the same universe, that atom
counts are non-negative whole numbers, how cells are built from atoms, and what the release's
zero policy implies: zeros are published, so a hidden cell holds at least 1 unless the policy
could have hidden a zero there (``groups.floors``). Further facts enter as inequalities
and equations: across releases, how many units arrived and left (``publish.joint``); between
populations, that one's units are people of another (``relations``).
For each hidden cell we compute the tightest bounds [lo, hi] by linear programming (HiGHS
through ``highspy``, one model re-solved per objective) and confirm them by integer programming
(SciPy's ``milp``, also HiGHS). A hidden cell is *protected* when it cannot hold a small count (its interval misses 1..threshold-1) or its interval is at least
``protection_range`` wide. (Compare sdcTable's attack(), which only asks for width > 1e-8.)
"""

from __future__ import annotations

import dataclasses
import math

import highspy
import numpy as np
from highspy._core import _Highs
from scipy import sparse

from ...errors import ProtectionError


@dataclasses.dataclass(frozen=True)
class Interval:
    lo: float
    hi: float  # math.inf when unbounded
    # Whole-number points of the attacker's feasible set where the target reaches lo and hi (when
    # known): while a point stays feasible as more is published, its side of the interval stands.
    at_lo: np.ndarray | None = dataclasses.field(default=None, compare=False, repr=False)
    at_hi: np.ndarray | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def width(self) -> float:
        return self.hi - self.lo

    def could_be_small(self, threshold: int, zeros: bool = False) -> bool:
        """Could the cell hold a count that must not be published? ``zeros``: a zero is one too."""
        return self.lo <= threshold - 1 and self.hi >= (0 if zeros else 1)

    def protects(self, threshold: int, protection_range: int, zeros: bool = False) -> bool:
        return not self.could_be_small(threshold, zeros) or self.width >= protection_range - 1e-9

    def pins_some(self, threshold: int, protection_range: int) -> bool:
        """For a count of units that changed between releases: is the attacker sure it holds 1 to
        threshold-1 units, within less than the protection range? ("the one person added is 35-44")"""
        return 1 <= self.lo <= threshold - 1 and self.width < protection_range - 1e-9


@dataclasses.dataclass
class Bound:
    interval: Interval
    binding: np.ndarray  # indices of published constraints with a non-zero dual (LP only)
    # Per side (lo, hi): the LP optimum was reached at a whole-number point, so it is also the
    # integer optimum (an integer feasible point attaining the relaxation's bound) and the MILP
    # for that side can be skipped.
    integral: tuple[bool, bool] = (False, False)
    points: tuple[np.ndarray | None, np.ndarray | None] = (None, None)  # the LP optima (lo, hi)


class Attacker:
    """Everything known about one universe: published cells ``A x = b``, the model's structural
    constraints ``S x = 0``, ``x >= 0`` (integer), and optional further equations
    ``a_eq x = b_eq`` and inequalities ``a_ge x >= b_ge`` (e.g. a hidden cell holds at least 1)
    and ``a_le x <= b_le``. Binding rows index the published cells (the first ``n_pub`` rows),
    whose bounds ``set_bounds`` may change later: a cell hidden after all becomes a floor."""

    def __init__(
        self,
        a_pub: np.ndarray,
        b_pub: np.ndarray,
        structural: np.ndarray | None = None,
        a_ge: np.ndarray | None = None,
        b_ge: np.ndarray | None = None,
        a_le: np.ndarray | None = None,
        b_le: np.ndarray | None = None,
        a_eq: np.ndarray | None = None,
        b_eq: np.ndarray | None = None,
    ):
        self.n_pub = a_pub.shape[0]
        self.n = a_pub.shape[1]
        parts = [(a_pub, b_pub, b_pub)]
        if structural is not None and len(structural):
            parts.append((structural, np.zeros(structural.shape[0]), np.zeros(structural.shape[0])))
        if a_eq is not None and a_eq.shape[0]:  # further known equations (not published cells)
            parts.append((a_eq, b_eq, b_eq))
        if a_ge is not None and a_ge.shape[0]:
            parts.append((a_ge, b_ge, np.full(a_ge.shape[0], np.inf)))
        if a_le is not None and a_le.shape[0]:
            parts.append((a_le, np.full(a_le.shape[0], -np.inf), b_le))
        self.rows = sparse.vstack([sparse.csr_matrix(m, dtype=float) for m, _, _ in parts], format="csr")
        self.lower = np.concatenate([np.asarray(lo, dtype=float) for _, lo, _ in parts])
        self.upper = np.concatenate([np.asarray(hi, dtype=float) for _, _, hi in parts])
        self._highs = None
        self._mip = None
        self._last: np.ndarray | None = None

    def set_bounds(self, idx: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change what is known of rows ``idx`` (e.g. a published cell hidden: from its value to
        its floor); the solver keeps its warm state."""
        idx = np.asarray(idx, dtype=np.int32)
        if not len(idx):
            return
        self.lower[idx], self.upper[idx] = lower, upper
        inf = highspy.kHighsInf
        for h in (self._highs, self._mip):
            if h is not None:
                h.changeRowsBounds(
                    len(idx),
                    idx,
                    np.nan_to_num(self.lower[idx], neginf=-inf),
                    np.nan_to_num(self.upper[idx], posinf=inf),
                )

    def _solver(self, integer: bool = False):
        """HiGHS models of the constraints (an LP, and an integer program), kept between queries:
        a new bound changes only the objective, so the LP restarts from the last optimal basis and
        neither model is rebuilt (scipy's ``linprog``/``milp`` rebuild it every call, which made the
        joint audit of refreshes 10x slower)."""
        key = "_mip" if integer else "_highs"
        if getattr(self, key) is None:
            # The bare solver class: highspy's Python wrapper adds interrupt callbacks we do not
            # use and prints a licence banner to stdout, which would land in the publish log.
            h = _Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("threads", 1)
            if integer:
                h.setOptionValue("mip_rel_gap", 0.0)  # the exact integer optimum, not a near one
            else:
                h.setOptionValue("presolve", "off")  # warm starts need the model as it is
                # After a new objective the last optimal basis is still feasible: primal simplex
                # goes on from it (7x faster here than HiGHS's default choice).
                h.setOptionValue("simplex_strategy", 4)
            rows = self.rows.tocsc()
            inf = highspy.kHighsInf
            lp = highspy.HighsLp()
            lp.num_col_ = self.n
            lp.num_row_ = rows.shape[0]
            lp.col_cost_ = np.zeros(self.n)
            lp.col_lower_ = np.zeros(self.n)
            lp.col_upper_ = np.full(self.n, inf)
            lp.row_lower_ = np.nan_to_num(self.lower, neginf=-inf)
            lp.row_upper_ = np.nan_to_num(self.upper, posinf=inf)
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = rows.indptr.astype(np.int32)
            lp.a_matrix_.index_ = rows.indices.astype(np.int32)
            lp.a_matrix_.value_ = rows.data.astype(float)
            lp.a_matrix_.num_col_ = self.n
            lp.a_matrix_.num_row_ = rows.shape[0]
            if integer:
                lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n
            h.passModel(lp)
            setattr(self, key, h)
            self._cols = np.arange(self.n, dtype=np.int32)
        return getattr(self, key)

    def _lp(self, c: np.ndarray) -> tuple[float, np.ndarray, bool]:
        h = self._solver()
        h.changeColsCost(self.n, self._cols, np.asarray(c, dtype=float))
        h.run()
        status = h.getModelStatus()
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded):
            h.clearSolver()  # a failed solve leaves no basis worth starting from
            h.run()
            status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return -math.inf, np.array([], dtype=int), False
        if status != highspy.HighsModelStatus.kOptimal:
            raise ProtectionError(f"the published cells are inconsistent (LP: {h.modelStatusToString(status)})")
        solution = h.getSolution()
        x = np.asarray(solution.col_value)
        duals = np.asarray(solution.row_dual)[: self.n_pub]
        published = self.lower[: self.n_pub] == self.upper[: self.n_pub]
        integral = bool(np.all(np.abs(x - np.round(x)) < 1e-7))
        self._last = np.round(x) if integral else x.copy()
        binding = np.flatnonzero((np.abs(duals) > 1e-9) & published)
        return float(h.getInfo().objective_function_value), binding, integral

    def lp_min(self, target: np.ndarray) -> tuple[float, bool, np.ndarray | None]:
        """The LP minimum of the target (at least 0), whether it is reached at a whole-number
        point (then it is the integer minimum too), and that point."""
        lo, _, integral = self._lp(target.astype(float))
        if lo == -math.inf:
            return 0.0, False, None
        return max(0.0, lo), integral, self._last

    def ip_min(self, target: np.ndarray) -> tuple[float, np.ndarray]:
        """The integer minimum of the target, and a point reaching it."""
        return self._milp(target.astype(float), 1.0)

    def lp_bounds(self, target: np.ndarray) -> Bound:
        c = target.astype(float)
        lo, b1, int_lo = self._lp(c)
        x_lo = self._last if int_lo else None
        neg_hi, b2, int_hi = self._lp(-c)
        x_hi = self._last if int_hi and neg_hi != -math.inf else None
        lo = max(0.0, lo) if lo != -math.inf else 0.0
        hi = -neg_hi if neg_hi != -math.inf else math.inf
        return Bound(Interval(lo, hi), np.union1d(b1, b2), (int_lo, int_hi or hi == math.inf), (x_lo, x_hi))

    def holds(self, x: np.ndarray | None) -> bool:
        """Is ``x`` a point of the attacker's feasible set (every known fact holds)?"""
        if x is None:
            return False
        v = self.rows @ x
        return bool(np.all(v >= self.lower - 1e-6) and np.all(v <= self.upper + 1e-6))

    def _milp(self, c: np.ndarray, sign: float) -> tuple[float, np.ndarray]:
        h = self._solver(integer=True)
        h.changeColsCost(self.n, self._cols, sign * np.asarray(c, dtype=float))
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise ProtectionError(f"integer audit failed: {h.modelStatusToString(status)}")
        x = np.round(np.asarray(h.getSolution().col_value))
        return float(np.asarray(c, dtype=float) @ x), x  # the target at the optimum

    def ip_bounds(self, target: np.ndarray, lp: Bound) -> Interval:
        """Integer bounds: the MILP runs for each side whose LP optimum was fractional."""
        c = target.astype(float)
        lo, x_lo = (round(lp.interval.lo), lp.points[0]) if lp.integral[0] else self._milp(c, 1.0)
        hi, x_hi = (lp.interval.hi, lp.points[1]) if lp.integral[1] else self._milp(c, -1.0)
        return Interval(float(round(lo)), float(round(hi)) if hi != math.inf else hi, x_lo, x_hi)


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
