"""Small-cell suppression with complementary suppression, across all tables of a universe.

Rules, all parameters from the release spec:
- *Primary*: every cell and margin with ``1 <= n < threshold`` is hidden.
- *Zero policy*: a true zero is published as 0. A zero reveals no person, and hiding zeros would
  only hide that a group is empty; zeros still constrain the audit like any published cell.
- *Identical cells*: a cell that appears in several tables (a shared margin, a universe total)
  is hidden everywhere or nowhere.
- *Complementary*: while the audit finds a hidden cell that an attacker could pin down to a
  small range, hide one more published cell that limits it (a constraint whose LP dual is
  non-zero), preferring cells that are large (they need no protection of their own), interior
  (margins carry the most information) and small among those (least information lost).
- The result is only returned once every hidden cell passes the audit by LP *and* by integer
  programming: the audit is the proof, the heuristic just proposes.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ProtectionError
from .audit import Attacker, Interval

MAX_ROUNDS = 500


@dataclasses.dataclass
class Result:
    hidden: np.ndarray  # bool per cell of the stacked tables
    primary: np.ndarray  # bool per cell
    intervals: dict[int, Interval]  # per hidden cell (stacked index): its integer-audit interval
    rounds: int


def suppress(incidence: np.ndarray, values: np.ndarray, n_totals: np.ndarray, threshold: int,
             protection_range: int) -> Result:
    """``incidence``: stacked cells x atoms of all suppression tables of one universe."""
    values = np.asarray(values, dtype=np.int64)
    groups, first, inverse = _unique_rows(incidence)
    n_groups = len(first)
    g_value = values[first]
    g_totals = np.full(n_groups, 99)
    np.minimum.at(g_totals, inverse, n_totals)
    cost = g_value + (g_value < threshold) * 100 * threshold + g_totals * 2 * threshold

    primary_g = (g_value >= 1) & (g_value < threshold)
    hidden_g = primary_g.copy()
    passed: dict[int, Interval] = {}
    rounds = 0
    while True:
        rounds += 1
        if rounds > MAX_ROUNDS:
            raise ProtectionError("complementary suppression did not converge")
        pub = np.flatnonzero(~hidden_g)
        attacker = Attacker(groups[pub], g_value[pub])
        failing: list[tuple[int, np.ndarray]] = []
        for g in np.flatnonzero(hidden_g):
            if g in passed:
                continue  # hiding more only widens intervals: a pass stays a pass
            bound = attacker.lp_bounds(groups[g])
            if bound.interval.protects(threshold, protection_range):
                ip = attacker.ip_bounds(groups[g], bound)
                if ip.protects(threshold, protection_range):
                    passed[g] = ip
                    continue
            failing.append((g, pub[bound.binding]))
        if not failing:
            break
        for g, binding in failing:
            candidates = binding[~hidden_g[binding]]
            if len(candidates) == 0:  # no binding constraint: any published cell sharing atoms
                overlap = (groups[pub].astype(np.int64) @ groups[g].astype(np.int64)) > 0
                candidates = pub[overlap & ~hidden_g[pub]]
            if len(candidates) == 0:
                raise ProtectionError("a small cell cannot be protected: every related cell is already hidden")
            hidden_g[candidates[np.argmin(cost[candidates])]] = True
    hidden = hidden_g[inverse]
    intervals = {int(i): passed[int(inverse[i])] for i in np.flatnonzero(hidden)}
    return Result(hidden, primary_g[inverse], intervals, rounds)


def _unique_rows(incidence: np.ndarray):
    """Distinct cells (as atom sets): rows, index of a representative, and each cell's group."""
    packed = np.packbits(incidence, axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    return incidence[first], first, inverse.ravel()
