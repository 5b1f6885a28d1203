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
