"""The interval audit and complementary suppression."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpt_public.release.protect.audit import Attacker, Interval, audit_hidden
from cpt_public.release.protect.suppression import suppress


def two_way(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Incidence of an r x c table with row, column and grand totals, over its interior cells.
    Cell order: row-major over (row categories + Total) x (column categories + Total)."""
    cells = []
    n_totals = []
    for i in list(range(rows)) + [None]:
        for j in list(range(cols)) + [None]:
            m = np.zeros((rows, cols), dtype=bool)
            m[(slice(None) if i is None else i), (slice(None) if j is None else j)] = True
            cells.append(m.ravel())
            n_totals.append((i is None) + (j is None))
    return np.array(cells), np.array(n_totals)


# ----------------------------------------------------------------------------- hand-worked


def test_two_by_two_rectangle_matches_the_hand_computed_ranges():
    # a b | 23        a = 3 is small; the whole rectangle a, b, c, d is hidden, margins published.
    # c d | 55        a in [max(0, R1-C2, C1-R2), min(R1, C1)] = [0, 18]
    # 18 60 | 78      b in [5, 23], c in [0, 18], d in [37, 55]
    inc, _ = two_way(2, 2)
    x = np.array([3, 20, 15, 40])
    values = inc.astype(int) @ x
    hidden = np.zeros(len(inc), dtype=bool)
    hidden[[0, 1, 3, 4]] = True  # a, b, c, d
    res = audit_hidden(inc[~hidden], values[~hidden], inc[hidden], threshold=11, protection_range=11)
    got = [(r.ip.lo, r.ip.hi) for r in res]
    assert got == [(0, 18), (5, 23), (0, 18), (37, 55)]
    assert [r.lp for r in res] == [Interval(0, 18), Interval(5, 23), Interval(0, 18), Interval(37, 55)]
    assert all(r.ok for r in res)


def test_a_narrow_rectangle_is_refused():
    # a = 3, b = 20, c = 15, d = 4: R1 = 23, C1 = 18, R2 = 19, C2 = 24 -> a in [0, 18]? no:
    # a in [max(0, 23-24, 18-19), min(23, 18)] = [0, 18] ok; d = 4 in [max(0, 19-18, 24-23), min(19, 24)] = [1, 19] ok.
    # Make it narrow: a = 3, b = 40, c = 2, d = 41 -> a in [max(0, 43-81, 5-43), min(43, 5)] = [0, 5]: too narrow.
    inc, _ = two_way(2, 2)
    x = np.array([3, 40, 2, 41])
    values = inc.astype(int) @ x
    hidden = np.zeros(len(inc), dtype=bool)
    hidden[[0, 1, 3, 4]] = True
    res = audit_hidden(inc[~hidden], values[~hidden], inc[hidden], threshold=11, protection_range=11)
    assert (res[0].lp.lo, res[0].lp.hi) == (0, 5)
    assert not res[0].ok and not res[2].ok  # a and c can be pinned to [0, 5]
    assert res[1].ok and res[3].ok  # b and d are known to be large: they hold no small count


def test_a_hidden_cell_equal_to_a_total_minus_published_cells_is_exposed():
    inc, _ = two_way(1, 3)  # a b c | total
    x = np.array([4, 30, 50])
    values = inc.astype(int) @ x
    hidden = np.array([True, False, False, False, False, False, False, False])[: len(inc)]
    res = audit_hidden(inc[~hidden], values[~hidden], inc[hidden], 11, 11)
    assert (res[0].lp.lo, res[0].lp.hi) == (4, 4) and not res[0].ok


def test_unbounded_cells_are_protected():
    inc, _ = two_way(1, 2)
    hidden = np.ones(len(inc), dtype=bool)  # nothing published at all
    res = audit_hidden(inc[:0], np.zeros(0), inc[hidden], 11, 11)
    assert all(r.lp.hi == math.inf and r.ok for r in res)


def test_protection_rule():
    assert Interval(0, 11).protects(11, 11)
    assert not Interval(0, 10).protects(11, 11)
    assert Interval(11, 12).protects(11, 11)  # cannot be a small count at all
    assert Interval(0, 0).protects(11, 11)  # known zero: no person
    assert not Interval(1, 5).protects(11, 11)


def test_inconsistent_published_cells_are_an_error():
    inc, _ = two_way(1, 2)
    inc = inc[:3]  # a, b, a + b
    values = np.array([5, 5, 99])  # 5 + 5 != 99
    from cpt_public.errors import ProtectionError

    with pytest.raises(ProtectionError, match="inconsistent"):
        Attacker(inc, values).lp_bounds(inc[0])


# ----------------------------------------------------------------------------- exact, by enumeration


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=st.lists(st.integers(0, 6), min_size=4, max_size=4), mask=st.lists(st.booleans(), min_size=9, max_size=9))
def test_integer_bounds_equal_brute_force_on_two_by_two_tables(x, mask):
    """Every integer 2x2 table consistent with the published cells, enumerated: its min and max
    for each hidden cell are exactly the audit's integer bounds."""
    inc, _ = two_way(2, 2)
    x = np.array(x)
    values = inc.astype(int) @ x
    hidden = np.array(mask)
    if not hidden.any() or not (~hidden).any():
        return
    pub_inc, pub_val = inc[~hidden].astype(int), values[~hidden]
    grid = np.array(list(itertools.product(range(25), repeat=4)))
    feasible = grid[(grid @ pub_inc.T == pub_val).all(axis=1)]
    res = audit_hidden(pub_inc.astype(bool), pub_val, inc[hidden], 11, 11)
    for r, row in zip(res, inc[hidden].astype(int)):
        seen = feasible @ row
        if r.lp.hi == math.inf or seen.max() >= 24 * 4:  # unbounded in truth: enumeration cannot show it
            continue
        ip = r.ip or r.lp  # (ip is None when the LP already failed the cell)
        assert seen.min() >= r.lp.lo - 1e-9 and seen.max() <= r.lp.hi + 1e-9  # LP bounds are sound
        if r.ip is not None:
            assert (ip.lo, ip.hi) == (seen.min(), seen.max())


# ----------------------------------------------------------------------------- suppression


def check_protected(inc, values, hidden, threshold=11, prange=11, structural=None):
    res = audit_hidden(inc[~hidden], values[~hidden], inc[hidden], threshold, prange, structural)
    assert all(r.ok for r in res), [(r.lp, r.ip) for r in res if not r.ok]
    return res


small_tables = st.tuples(st.integers(2, 4), st.integers(2, 5)).flatmap(
    lambda rc: st.tuples(
        st.just(rc),
        st.lists(st.one_of(st.integers(0, 12), st.integers(0, 200)), min_size=rc[0] * rc[1], max_size=rc[0] * rc[1]),
    )
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=small_tables)
def test_suppression_always_passes_the_audit(table):
    (r, c), x = table
    inc, n_totals = two_way(r, c)
    values = inc.astype(int) @ np.array(x)
    result = suppress(inc, values, n_totals, 11, 11)
    hidden = result.hidden
    small = (values >= 1) & (values < 11)
    assert hidden[small].all()  # every small cell and margin is hidden
    assert not hidden[values == 0].any() or hidden.sum() > small.sum()  # zeros stay unless needed as complements
    check_protected(inc, values, hidden)


def test_single_small_cell_gets_a_minimal_rectangle():
    inc, n_totals = two_way(3, 3)
    x = np.array([50, 60, 70, 40, 5, 80, 90, 30, 20])
    values = inc.astype(int) @ x
    result = suppress(inc, values, n_totals, 11, 11)
    assert result.hidden.sum() == 4  # the small cell and three complements, no margins
    assert not result.hidden[n_totals > 0].any()
    check_protected(inc, values, result.hidden)


def test_a_small_margin_is_hidden_with_its_cells():
    inc, n_totals = two_way(2, 3)
    x = np.array([2, 3, 1, 40, 50, 60])  # first row total is 6: a small margin
    values = inc.astype(int) @ x
    result = suppress(inc, values, n_totals, 11, 11)
    assert result.hidden[3]  # the row total (row 0, Total)
    check_protected(inc, values, result.hidden)


def test_integer_programming_tightens_a_fractional_lp_bound():
    """Three published cells, each 'all atoms but one': 2, 3 and 4. The LP lets the total reach
    4.5; whole numbers cannot exceed 4. The audit reports the integer bound (via milp)."""
    a = np.array([[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1]], dtype=bool)
    b = np.array([2, 3, 4])
    total = np.ones(4, dtype=bool)
    bound = Attacker(a, b).lp_bounds(total)
    assert bound.interval == Interval(4, 4.5) and not bound.integral[1]
    [res] = audit_hidden(a, b, total[None, :], threshold=1, protection_range=1)  # passes the LP, so milp runs
    assert res.ip == Interval(4, 4)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_integer_bounds_equal_brute_force_on_random_cells(data):
    """Random cells over 4 atoms (not a nice table: LPs are often fractional here)."""
    a = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=2, max_size=5)))
    if not a.any(axis=0).all():
        return  # an atom no published cell covers is unbounded
    x = np.array(data.draw(st.lists(st.integers(0, 5), min_size=4, max_size=4)))
    target = np.array(data.draw(st.lists(st.booleans(), min_size=4, max_size=4)))
    b = a.astype(int) @ x
    grid = np.array(list(itertools.product(range(int(b.max()) + 1), repeat=4)))
    seen = grid[(grid @ a.T.astype(int) == b).all(axis=1)] @ target.astype(int)
    attacker = Attacker(a, b)
    bound = attacker.lp_bounds(target)
    ip = attacker.ip_bounds(target, bound)
    assert (ip.lo, ip.hi) == (seen.min(), seen.max())
    assert bound.interval.lo <= ip.lo and ip.hi <= bound.interval.hi  # the LP relaxation is never tighter
