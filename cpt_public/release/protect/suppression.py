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
  Candidates in the failing cell's own table come first.
- *Pruning*: finally, each complementary cell (largest first) is published again if the audit
  still passes without hiding it, so no cell stays hidden that protects nothing.
- The result is only returned once every hidden cell passes the audit by LP *and* by integer
  programming: the audit is the proof, the heuristic just proposes.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ...errors import ProtectionError
from .audit import Attacker, Interval

MAX_ROUNDS = 500


@dataclasses.dataclass
class Result:
    hidden: np.ndarray  # bool per cell of the stacked tables
    primary: np.ndarray  # bool per cell
    intervals: dict[int, Interval]  # per hidden cell (stacked index): its integer-audit interval
    rounds: int


def suppress(
    incidence: np.ndarray,
    values: np.ndarray,
    n_totals: np.ndarray,
    threshold: int,
    protection_range: int,
    keys: list[bytes] | None = None,
    structural: np.ndarray | None = None,
    table_of: np.ndarray | None = None,
    hide_zeros: bool = False,
    forced: np.ndarray | None = None,
) -> Result:
    """``incidence``: stacked cells x atoms of all suppression tables of one universe; ``keys``
    name the set of units of each cell (equal keys: the same cell); ``structural``: rows of
    ``S x = 0`` the model adds (see ``model``); ``table_of``: each cell's table number.
    ``hide_zeros``: zeros are small cells too, hidden and protected like them (for counts an
    outsider can add to, where a published zero beside a hidden cell gives it away);
    ``forced``: cells to hide whatever their value (bool per cell; e.g. hidden in an earlier
    publication of the same counts)."""
    values = np.asarray(values, dtype=np.int64)
    if keys is None:
        keys = [np.packbits(r).tobytes() for r in incidence]
    if table_of is None:
        table_of = np.zeros(len(values), dtype=int)
    _, first, inverse = np.unique(np.array(keys, dtype=object), return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    groups = incidence[first]
    g_value = values[first]
    g_totals = np.full(len(first), 99)
    np.minimum.at(g_totals, inverse, n_totals)
    g_tables = [set() for _ in first]
    for i, g in enumerate(inverse):
        g_tables[g].add(int(table_of[i]))
    cost = g_value + (g_value < threshold) * 100 * threshold + g_totals * 2 * threshold

    primary_g = (g_value >= (0 if hide_zeros else 1)) & (g_value < threshold)
    if forced is not None:
        np.logical_or.at(primary_g, inverse, np.asarray(forced, dtype=bool))
    hidden_g = primary_g.copy()
    passed: dict[int, Interval] = {}
    rounds = 0
    while True:
        rounds += 1
        if rounds > MAX_ROUNDS:
            raise ProtectionError("complementary suppression did not converge")
        failing = _failing(groups, g_value, hidden_g, structural, threshold, protection_range, passed, hide_zeros)
        if not failing:
            break
        added: set[int] = set()
        for g, binding in failing:
            if added & set(binding.tolist()):
                continue  # a cell hidden this round already loosens this one: re-audit first
            candidates = binding[~hidden_g[binding]]
            if len(candidates) == 0:  # no binding constraint: any published cell sharing atoms
                pub = np.flatnonzero(~hidden_g)
                candidates = pub[(groups[pub].astype(np.int64) @ groups[g].astype(np.int64)) > 0]
            if len(candidates) == 0:
                raise ProtectionError("a small cell cannot be protected: every related cell is already hidden")
            foreign = np.array([0 if g_tables[c] & g_tables[g] else 1 for c in candidates])
            pick = int(candidates[np.lexsort((cost[candidates], foreign))[0]])
            hidden_g[pick] = True
            added.add(pick)
    # Pruning: publish again every complementary cell the audit does not need.
    for g in sorted(np.flatnonzero(hidden_g & ~primary_g), key=lambda c: -g_value[c]):
        hidden_g[g] = False
        trial: dict[int, Interval] = {}
        if _failing(groups, g_value, hidden_g, structural, threshold, protection_range, trial, hide_zeros, True):
            hidden_g[g] = True
        else:
            passed = trial
    hidden = hidden_g[inverse]
    intervals = {int(i): passed[int(inverse[i])] for i in np.flatnonzero(hidden) if int(inverse[i]) in passed}
    return Result(hidden, primary_g[inverse], intervals, rounds)


def _failing(
    groups,
    g_value,
    hidden_g,
    structural,
    threshold,
    prange,
    passed: dict[int, Interval],
    zeros: bool = False,
    stop_early: bool = False,
) -> list[tuple[int, np.ndarray]]:
    """Hidden cells that the audit does not pass, with the published cells that bind them.
    ``passed`` collects (and is trusted for) cells already shown to be protected: hiding more
    cells only widens intervals, so a pass stays a pass while the hidden set grows."""
    pub = np.flatnonzero(~hidden_g)
    attacker = Attacker(groups[pub], g_value[pub], structural)
    failing = []
    for g in np.flatnonzero(hidden_g):
        if g in passed:
            continue
        bound = attacker.lp_bounds(groups[g])
        if bound.interval.protects(threshold, prange, zeros):
            ip = attacker.ip_bounds(groups[g], bound)
            if ip.protects(threshold, prange, zeros):
                passed[int(g)] = ip
                continue
        failing.append((int(g), pub[bound.binding]))
        if stop_early:
            break
    return failing
