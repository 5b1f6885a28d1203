"""Small-cell suppression with complementary suppression, across all tables of a universe.

Rules, all parameters from the release spec:
- *Primary*: every cell and margin with ``1 <= n < threshold`` is hidden.
- *Zero policy*: a true zero is published as 0 — except a zero that would tell everyone an
  attribute of a whole hidden group (``groups.disclosing_zeros``), which is hidden and protected
  like a small cell. Because zeros are published, the audit's attacker assumes a
  hidden cell holds at least 1 wherever the policy could not have hidden a zero there
  (``groups.floors``); a zero is never hidden to protect another cell, so that holds.
- *Identical cells*: a cell that appears in several tables (a shared margin, a universe total)
  is hidden everywhere or nowhere.
- *Complementary*: while the audit finds a hidden cell that an attacker could pin down to a
  small range, hide one more published cell that limits it (a constraint whose LP dual is
  non-zero), preferring cells that are large (they need no protection of their own), interior
  (margins carry the most information) and small among those (least information lost). A zero
  is never chosen.
  Candidates in the failing cell's own table come first.
- *Pruning*: finally, each complementary cell (largest first) is published again if the audit
  still passes without hiding it, so no cell stays hidden that protects nothing — unless a
  hidden zero needs it hidden to remain a possible zero.
- The result is only returned once every hidden cell passes the audit by LP *and* by integer
  programming: the audit is the proof, the heuristic just proposes.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ...errors import ProtectionError
from . import groups as G
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
    lines: list[G.Line] | None = None,
) -> Result:
    """``incidence``: stacked cells x atoms of all suppression tables of one universe; ``keys``
    name the set of units of each cell (equal keys: the same cell); ``structural``: rows of
    ``S x = 0`` the model adds (see ``model``); ``table_of``: each cell's table number.
    ``hide_zeros``: zeros are small cells too, hidden and protected like them (for counts an
    outsider can add to, where a published zero beside a hidden cell gives it away);
    ``forced``: cells to hide whatever their value (bool per cell; e.g. hidden in an earlier
    publication of the same counts); ``lines``: the tables' lines (stacked cell numbers), for the
    group-disclosure rule and the floors of a policy that publishes zeros (without them, zeros
    are never hidden and every hidden cell holds at least 1)."""
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
    g_lines = (
        None
        if lines is None
        else [G.Line(None if ln.margin is None else int(inverse[ln.margin]), inverse[ln.members]) for ln in lines]
    )
    policy = _Policy(g_lines, hide_zeros)

    primary_g = (g_value >= (0 if hide_zeros else 1)) & (g_value < threshold)
    if forced is not None:
        np.logical_or.at(primary_g, inverse, np.asarray(forced, dtype=bool))
    hidden_g = primary_g.copy()
    passed: dict[int, tuple[Interval, bool]] = {}
    rounds = 0
    while True:
        rounds += 1
        if rounds > MAX_ROUNDS:
            raise ProtectionError("complementary suppression did not converge")
        if g_lines is not None and not hide_zeros:
            # zeros that would reveal a hidden group's attribute are hidden like small cells
            unsafe = G.disclosing_zeros(g_lines, g_value, hidden_g, groups)
            primary_g |= unsafe
            hidden_g |= unsafe
        failing = _failing(groups, g_value, hidden_g, structural, threshold, protection_range, passed, policy)
        if not failing:
            if g_lines is not None and not hide_zeros and G.disclosing_zeros(g_lines, g_value, hidden_g, groups).any():
                continue
            break
        added: set[int] = set()
        for g, binding in failing:
            if added & set(binding.tolist()):
                continue  # a cell hidden this round already loosens this one: re-audit first
            hideable = ~hidden_g & ((g_value > 0) | hide_zeros)  # a published zero is never hidden for another
            candidates = binding[hideable[binding]]
            if len(candidates) == 0:  # no binding constraint: any published cell sharing atoms
                pub = np.flatnonzero(hideable)
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
        if (policy.floors(hidden_g)[hidden_g & (g_value == 0)] > 0).any():
            hidden_g[g] = True  # a hidden zero's line needs this margin hidden, or the floors would lie
            continue
        trial: dict[int, tuple[Interval, bool]] = {}
        if _failing(groups, g_value, hidden_g, structural, threshold, protection_range, trial, policy, True):
            hidden_g[g] = True
        else:
            passed = trial
    if (policy.floors(hidden_g)[hidden_g & (g_value == 0)] > 0).any():
        raise ProtectionError("internal error: a hidden zero would be audited as at least 1")
    hidden = hidden_g[inverse]
    intervals = {int(i): passed[int(inverse[i])][0] for i in np.flatnonzero(hidden) if int(inverse[i]) in passed}
    return Result(hidden, primary_g[inverse], intervals, rounds)


@dataclasses.dataclass(frozen=True)
class _Policy:
    """What the zero policy lets the attacker assume about the hidden cells (``groups``)."""

    lines: list[G.Line] | None
    hide_zeros: bool

    def floors(self, hidden: np.ndarray) -> np.ndarray:
        return G.floors(self.lines, hidden, self.hide_zeros)


def _failing(
    groups,
    g_value,
    hidden_g,
    structural,
    threshold,
    prange,
    passed: dict[int, tuple[Interval, bool]],
    policy: _Policy,
    stop_early: bool = False,
) -> list[tuple[int, np.ndarray]]:
    """Hidden cells that the audit does not pass, with the published cells that bind them.
    ``passed`` collects (and is trusted for) cells already shown to be protected, with whether
    they were judged as possible zeros: hiding more cells only widens intervals (an equation
    becomes a floor, a floor may drop to 0), so a pass stays a pass while the hidden set grows,
    unless the cell has since become a possible zero, which is judged more strictly."""
    pub = np.flatnonzero(~hidden_g)
    floor = policy.floors(hidden_g)
    ge = hidden_g & (floor > 0)
    attacker = Attacker(groups[pub], g_value[pub], structural, groups[ge], floor[ge])
    failing = []
    for g in np.flatnonzero(hidden_g):
        zeros = bool(floor[g] == 0)
        if g in passed and (passed[g][1] or not zeros):
            continue
        bound = attacker.lp_bounds(groups[g])
        if bound.interval.protects(threshold, prange, zeros):
            ip = attacker.ip_bounds(groups[g], bound)
            if ip.protects(threshold, prange, zeros):
                passed[int(g)] = (ip, zeros)
                continue
        failing.append((int(g), pub[bound.binding]))
        if stop_early:
            break
    return failing
