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
import math

import numpy as np
from scipy import sparse

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
    context: Context | None = None,
    labels: list[str] | None = None,
) -> Result:
    """``incidence``: stacked cells x atoms of all suppression tables of one universe; ``keys``
    name the set of units of each cell (equal keys: the same cell); ``structural``: rows of
    ``S x = 0`` the model adds (see ``model``); ``table_of``: each cell's table number.
    ``hide_zeros``: zeros are small cells too, hidden and protected like them (for counts an
    outsider can add to, where a published zero beside a hidden cell gives it away);
    ``forced``: cells to hide whatever their value (bool per cell; e.g. hidden in an earlier
    publication of the same counts); ``lines``: the tables' lines (stacked cell numbers), for the
    group-disclosure rule and the floors of a policy that publishes zeros (without them, zeros
    are never hidden and every hidden cell holds at least 1); ``context``: what an attacker knows
    beyond these cells (earlier releases, how counts can change between them), over further
    unknowns, with further cells that must stay protected; ``labels``: each cell's name, for
    messages."""
    values = np.asarray(values, dtype=np.int64)
    if keys is None:
        keys = [np.packbits(r).tobytes() for r in incidence]
    if table_of is None:
        table_of = np.zeros(len(values), dtype=int)
    _, first, inverse = np.unique(np.array(keys, dtype=object), return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    groups = incidence[first]
    if context is not None:  # the cells' unknowns come first, then the context's
        groups = np.hstack([groups, np.zeros((len(groups), context.n_extra), dtype=groups.dtype)])
        if structural is not None and len(structural):
            structural = np.hstack([structural, np.zeros((len(structural), context.n_extra), dtype=structural.dtype)])
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
    policy = _Policy(g_lines, hide_zeros, context)

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
        for g, binding, interval in failing:
            if added & set(binding.tolist()):
                continue  # a cell hidden this round already loosens this one: re-audit first
            hideable = ~hidden_g & ((g_value > 0) | hide_zeros)  # a published zero is never hidden for another
            candidates = binding[hideable[binding]]
            if g >= len(groups):  # a cell of the context: only this release's cells can help
                if len(candidates) == 0:  # no binding cell of ours: any published cell on the same atoms
                    candidates = _overlapping(groups, hideable, policy.context, g - len(groups))
                if len(candidates) == 0:
                    raise ProtectionError(
                        f"{context.labels[g - len(groups)]} could be narrowed to [{interval.lo + 0:g}, {interval.hi + 0:g}] "
                        f"{context.why}, and hiding more cells of this release cannot prevent it"
                    )
                pick = int(candidates[np.argsort(cost[candidates], kind="stable")[0]])
                hidden_g[pick] = True
                added.add(pick)
                continue
            if len(candidates) == 0:  # no binding constraint: any published cell sharing atoms
                pub = np.flatnonzero(hideable)
                candidates = pub[(groups[pub].astype(np.int64) @ groups[g].astype(np.int64)) > 0]
            if len(candidates) == 0:
                name = f"hidden cell ({labels[first[g]]})" if labels else "a small hidden cell"
                why = f" {context.why}" if context is not None else ""
                raise ProtectionError(
                    f"the {name} could be narrowed to [{interval.lo + 0:g}, {interval.hi + 0:g}]{why}, "
                    "and every cell that could protect it is already hidden"
                )
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
        if _failing(groups, g_value, hidden_g, structural, threshold, protection_range, trial, policy, True, passed):
            hidden_g[g] = True
        else:
            passed = trial
    if (policy.floors(hidden_g)[hidden_g & (g_value == 0)] > 0).any():
        raise ProtectionError("internal error: a hidden zero would be audited as at least 1")
    hidden = hidden_g[inverse]
    intervals = {int(i): passed[int(inverse[i])][0] for i in np.flatnonzero(hidden) if int(inverse[i]) in passed}
    return Result(hidden, primary_g[inverse], intervals, rounds)


CELL, MAYBE_ZERO, CHANGE = 0, 1, 2


@dataclasses.dataclass
class Context:
    """What an attacker knows beyond the cells being protected, over ``n_extra`` further unknowns
    placed after the cells' own: equations ``eq_a x = eq_b`` and inequalities (``ge``: at least,
    ``le``: at most) over all unknowns, and ``targets`` — sums of unknowns that must stay
    protected (``target_mode``: ``CELL``, ``MAYBE_ZERO`` — a hidden cell that may be a zero — or
    ``CHANGE`` — a count of units that changed between releases, disclosive only when the
    attacker is sure it holds a few: ``Interval.pins_some``), named by ``labels`` in messages.
    ``reach`` (extra unknowns x the cells' unknowns): which of the cells' atoms each further
    unknown counts or bounds, to find cells that could protect a target written over them."""

    n_extra: int
    eq_a: np.ndarray
    eq_b: np.ndarray
    ge_a: np.ndarray
    ge_b: np.ndarray
    le_a: np.ndarray
    le_b: np.ndarray
    targets: np.ndarray
    target_mode: np.ndarray
    labels: list[str]
    reach: sparse.csr_matrix | None = None
    why: str = "when this release is compared with earlier ones"  # how the attacker learns it, in messages


@dataclasses.dataclass
class _Policy:
    """What the zero policy lets the attacker assume about the hidden cells (``groups``), and
    what else the attacker knows (``context``). One attacker serves every audit of a
    suppression: its first rows are all the cells, each either its published value or, hidden,
    its floor; a new pattern only changes those rows' bounds, and the solver stays warm."""

    lines: list[G.Line] | None
    hide_zeros: bool
    context: Context | None = None
    _attacker: Attacker | None = None

    def floors(self, hidden: np.ndarray) -> np.ndarray:
        return G.floors(self.lines, hidden, self.hide_zeros)

    def attacker(self, groups, g_value, hidden_g, structural) -> Attacker:
        if self._attacker is None:
            eq_a = eq_b = ge_a = ge_b = le_a = le_b = None
            c = self.context
            if c is not None:
                eq_a, eq_b, ge_a, ge_b, le_a, le_b = c.eq_a, c.eq_b, c.ge_a, c.ge_b, c.le_a, c.le_b
            self._attacker = Attacker(groups, g_value, structural, ge_a, ge_b, le_a, le_b, eq_a, eq_b)
        floor = self.floors(hidden_g).astype(float)
        lower = np.where(hidden_g, np.where(floor > 0, floor, -np.inf), g_value)
        upper = np.where(hidden_g, np.inf, g_value)
        a = self._attacker
        changed = np.flatnonzero((a.lower[: len(groups)] != lower) | (a.upper[: len(groups)] != upper))
        a.set_bounds(changed, lower[changed], upper[changed])
        return a


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
    reuse: dict[int, tuple[Interval, bool]] | None = None,
) -> list[tuple[int, np.ndarray, Interval]]:
    """Hidden cells (and context targets, numbered after the cells) that the audit does not pass,
    with the published cells that bind them and their interval. ``passed`` collects (and is
    trusted for) cells already shown to be protected, with whether they were judged as possible
    zeros: hiding more cells only widens intervals (an equation becomes a floor, a floor may drop
    to 0), so a pass stays a pass while the hidden set grows, unless the cell has since become a
    possible zero, which is judged more strictly. ``reuse``: passes from an audit with more cells
    hidden; one stands if the points that reached its bounds are still feasible."""
    floor = policy.floors(hidden_g)
    attacker = policy.attacker(groups, g_value, hidden_g, structural)
    todo = _targets(groups, hidden_g, floor, policy.context)
    failing = []
    for g, row, mode in todo:
        if g in passed and (passed[g][1] or mode != MAYBE_ZERO):
            continue
        if reuse is not None and g in reuse and _still(attacker, reuse[g][0], mode, threshold, prange):
            passed[g] = (reuse[g][0], mode == MAYBE_ZERO)
            continue
        interval = _judge(attacker, row, mode, threshold, prange)
        if interval is not None:
            passed[g] = (interval, mode == MAYBE_ZERO)
            continue
        bound = attacker.lp_bounds(row)
        failing.append((g, bound.binding, bound.interval))
        if stop_early:
            break
    return failing


def _targets(groups, hidden, floor, context: Context | None) -> list[tuple[int, np.ndarray, int]]:
    """What an audit judges: every hidden cell (by number) and every context target (numbered after
    the cells), with its row over all unknowns and how it is judged."""
    todo = [(int(g), groups[g], MAYBE_ZERO if floor[g] == 0 else CELL) for g in np.flatnonzero(hidden)]
    if context is not None:
        rows = sparse.csr_matrix(context.targets)
        todo += [
            (len(groups) + t, rows[t].toarray().ravel(), int(context.target_mode[t])) for t in range(rows.shape[0])
        ]
    return todo


def _still(attacker: Attacker, iv: Interval, mode: int, threshold: int, prange: int) -> bool:
    """Does a pass found with more cells hidden stand now? Publishing a cell only shrinks the
    attacker's feasible set, so a side of the interval stays put while its point stays feasible;
    the pass stands when every side it relied on does."""
    lo_ok, hi_ok = attacker.holds(iv.at_lo), attacker.holds(iv.at_hi)
    if mode == CHANGE:
        return lo_ok and (iv.lo == 0 or iv.lo >= threshold)
    if lo_ok and iv.lo >= threshold:
        return True  # it cannot be small, whatever its upper bound
    if hi_ok and iv.hi < (0 if mode == MAYBE_ZERO else 1):
        return True
    return lo_ok and hi_ok and iv.width >= prange - 1e-9


def _judge(attacker: Attacker, row, mode: int, threshold: int, prange: int) -> Interval | None:
    """The target's integer interval when it is protected, else None. The lower bound comes
    first: a target that cannot hold fewer than ``threshold`` (or, for a change, that may hold
    none) needs nothing more, and most large cells end there with one LP."""
    lo, whole, point = attacker.lp_min(row)
    if math.ceil(lo - 1e-9) >= threshold:
        return Interval(float(math.ceil(lo - 1e-9)), math.inf, at_lo=point)  # it cannot be small
    if mode == CHANGE:
        if not whole:
            lo, point = attacker.ip_min(row)
        if lo < 0.5:
            return Interval(0.0, math.inf, at_lo=point)  # nobody is sure any unit changed here
        if lo >= threshold:
            return Interval(lo, math.inf, at_lo=point)
        bound = attacker.lp_bounds(row)
        ip = attacker.ip_bounds(row, bound)
        return None if ip.pins_some(threshold, prange) else ip
    zeros = mode == MAYBE_ZERO
    bound = attacker.lp_bounds(row)
    if bound.interval.protects(threshold, prange, zeros):
        ip = attacker.ip_bounds(row, bound)
        if ip.protects(threshold, prange, zeros):
            return ip
    return None


def _overlapping(groups: np.ndarray, hideable: np.ndarray, context: Context, t: int) -> np.ndarray:
    """Hideable cells over any atom context target ``t`` counts or bounds, in whichever copy of the
    atoms (an earlier release, a change between releases, a related population) it is written."""
    n = groups.shape[1] - context.n_extra
    cols = sparse.csr_matrix(context.targets)[t].indices
    atoms = np.zeros(n, dtype=bool)
    atoms[cols[cols < n]] = True
    extra = cols[cols >= n] - n
    if context.reach is not None:
        atoms[np.unique(context.reach[extra].indices)] = True
    else:  # copies of the atoms, n columns each
        atoms[np.unique(extra % n)] = True
    pub = np.flatnonzero(hideable)
    return pub[groups[pub][:, :n][:, atoms].any(axis=1)]


def joint_failures(
    incidence: np.ndarray,
    values: np.ndarray,
    hidden: np.ndarray,
    structural: np.ndarray | None,
    lines: list[G.Line] | None,
    context: Context,
    threshold: int,
    protection_range: int,
) -> list[tuple[int, Interval]]:
    """Audit a release's hidden pattern as it stands, with what else the attacker knows: every
    hidden cell (its number) and context target (numbered after the cells) that is not protected."""
    groups, structural, policy = _joint(incidence, structural, lines, context)
    found = _failing(
        groups,
        np.asarray(values, dtype=np.int64),
        np.asarray(hidden, dtype=bool),
        structural,
        threshold,
        protection_range,
        {},
        policy,
    )
    return [(g, interval) for g, _, interval in found]


def joint_intervals(
    incidence: np.ndarray,
    values: np.ndarray,
    hidden: np.ndarray,
    structural: np.ndarray | None,
    lines: list[G.Line] | None,
    context: Context | None,
) -> list[tuple[int, Interval, int]]:
    """Every hidden cell's and context target's whole-number interval (cells by number, targets
    numbered after them), with how it is judged (``CELL``, ``MAYBE_ZERO``, ``CHANGE``): what
    the attacker can do, for measuring rather than for passing or failing."""
    groups, structural, policy = _joint(incidence, structural, lines, context)
    hidden = np.asarray(hidden, dtype=bool)
    attacker = policy.attacker(groups, np.asarray(values, dtype=np.int64), hidden, structural)
    floor = policy.floors(hidden)
    out = []
    for g, row, mode in _targets(groups, hidden, floor, context):
        bound = attacker.lp_bounds(row)
        out.append((g, attacker.ip_bounds(row, bound), mode))
    return out


def _joint(incidence, structural, lines, context: Context | None):
    extra = 0 if context is None else context.n_extra
    groups = np.hstack([incidence, np.zeros((len(incidence), extra), dtype=incidence.dtype)])
    if structural is not None and len(structural):
        structural = np.hstack([structural, np.zeros((len(structural), extra), dtype=structural.dtype)])
    return groups, structural, _Policy(lines, False, context)
