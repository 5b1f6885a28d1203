"""Disclosure beyond one table's small cells (issue 13): what the zero policy lets an attacker
assume, group disclosure, 'dp+suppression' tables, and methods mixed on one population.

Each attack is checked by an attacker of the tests' own — exhaustive enumeration of every table
of whole numbers consistent with what is published, written independently of the audit's LP — and
each crafted leak must be refused by the audit of a written release."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpt_public.release.protect.audit import audit_hidden
from cpt_public.release.protect.groups import disclosing_zeros, floors, lines
from cpt_public.release.protect.suppression import suppress
from cpt_public.release.terms import TOTAL
from cpt_public.release.verify import audit_release
from tests.attacker import Knowledge, narrow
from tests.helpers import craft_release, people_model

T = P = 11


def two_way(rows: int, cols: int):
    """An r x c table with row, column and grand totals: incidence over its interior cells, the
    number of Totals in each cell, and its lines."""
    cells, inc = [], []
    for i in [*range(rows), None]:
        for j in [*range(cols), None]:
            m = np.zeros((rows, cols), dtype=bool)
            m[(slice(None) if i is None else i), (slice(None) if j is None else j)] = True
            inc.append(m.ravel())
            cells.append((TOTAL if i is None else f"r{i}", TOTAL if j is None else f"c{j}"))
    frame = pd.DataFrame(cells, columns=["r", "c"])
    n_totals = (frame == TOTAL).sum(axis=1).to_numpy()
    return np.array(inc), n_totals, lines(frame, {"r": True, "c": True})


def attack(inc, values, hidden, floor):
    """The tests' own attacker on one table: each hidden cell's [min, max]."""
    k = Knowledge(inc.shape[1])
    k.publish(inc, np.where(hidden, np.nan, values), floors=floor)
    return {int(i): k.interval(inc[i]) for i in np.flatnonzero(hidden)}


# ----------------------------------------------------------------------------- hidden >= 1


def test_hidden_cells_are_at_least_one_when_zeros_are_published():
    # a=3  b=9  | 12      Without the floor, a lies anywhere in [0, 11]: wide enough.
    # c=8  d=20 | 28      Knowing that zeros are published, every hidden cell is at least 1:
    # 11   29   | 40      a lies in [1, 10], which is narrower than the protection range.
    inc, n_totals, lns = two_way(2, 2)
    values = inc.astype(int) @ np.array([3, 9, 8, 20])
    hidden = np.zeros(len(values), dtype=bool)
    hidden[[0, 1, 3, 4]] = True  # the four interior cells
    [plain, *_] = audit_hidden(inc[~hidden], values[~hidden], inc[hidden], T, P)
    assert plain.ok and (plain.lp.lo, plain.lp.hi) == (0, 11)
    floor = floors(lns, hidden)
    assert floor[hidden].tolist() == [1, 1, 1, 1]
    [narrowed, *_] = audit_hidden(inc[~hidden], values[~hidden], inc[hidden], T, P, floors=floor[hidden])
    assert not narrowed.ok and (narrowed.lp.lo, narrowed.lp.hi) == (1, 10)
    # Our suppression, told the policy, hides more until every hidden cell is protected again.
    result = suppress(inc, values, n_totals, T, P, lines=lns)
    assert result.hidden.sum() > 4
    floor = floors(lns, result.hidden)
    res = audit_hidden(
        inc[~result.hidden], values[~result.hidden], inc[result.hidden], T, P, floors=floor[result.hidden]
    )
    assert all(r.ok for r in res)


def test_a_release_narrowed_by_hidden_at_least_one_is_refused(tmp_path):
    spec, model = people_model({"g": ["multi_system", "gender"]})
    tm = model.tables["g"]
    cells = tm.cells
    atoms = np.zeros(model.n_vars, dtype=np.int64)
    block = model.blocks[0].atoms
    want = {
        ("Yes", "Another gender identity"): 3,
        ("No", "Another gender identity"): 9,
        ("Yes", "Unknown"): 8,
        ("No", "Unknown"): 20,
        ("Yes", "Female"): 300,
        ("No", "Female"): 400,
        ("Yes", "Male"): 350,
        ("No", "Male"): 450,
    }
    multi = (block[["jail", "homeless", "ems", "ed"]] == "Yes").sum(axis=1).to_numpy() >= 2
    for (m, g), n in want.items():
        first = np.flatnonzero((multi if m == "Yes" else ~multi) & (block["gender"] == g).to_numpy())[0]
        atoms[first] = n
    hide = (
        cells["gender"].isin(["Another gender identity", "Unknown"]).to_numpy()
        & (cells["multi_system"] != TOTAL).to_numpy()
    )
    craft_release(tmp_path / "r", model, spec, atoms, {"g": hide})
    report = audit_release(tmp_path / "r")
    assert not report.ok, report.text()
    assert "[1, 10]" in report.text()


# ----------------------------------------------------------------------------- group disclosure


def test_a_zero_that_reveals_a_small_groups_attribute_is_hidden_and_protected():
    # Everyone in row r2 (7 people) is in column c0: the published zero beside them would say so.
    inc, n_totals, lns = two_way(3, 2)
    values = inc.astype(int) @ np.array([120, 80, 60, 90, 7, 0])
    result = suppress(inc, values, n_totals, T, P, lines=lns)
    zero = 7  # (r2, c1)
    assert values[zero] == 0 and result.hidden[zero] and result.primary[zero]
    assert not disclosing_zeros(lns, values, result.hidden, inc).any()
    floor = floors(lns, result.hidden)
    assert floor[zero] == 0  # the policy can hide a zero there, so the attacker may not assume 1
    for i, (lo, hi) in attack(inc, values, result.hidden, floor).items():
        assert not narrow(lo, hi, T, P, maybe_zero=floor[i] == 0), (i, lo, hi)


def test_a_zero_beside_a_large_group_stays_published():
    inc, n_totals, lns = two_way(3, 2)
    values = inc.astype(int) @ np.array([120, 80, 60, 90, 40, 0])
    result = suppress(inc, values, n_totals, T, P, lines=lns)
    assert not result.hidden.any()


def test_a_release_publishing_a_group_disclosing_zero_is_refused(tmp_path):
    # 7 people booked 5+ times, all of them in homeless services: hiding the 7 is not enough.
    spec, model = people_model({"g": ["multi_system", "gender"]})
    tm = model.tables["g"]
    block = model.blocks[0].atoms
    multi = (block[["jail", "homeless", "ems", "ed"]] == "Yes").sum(axis=1).to_numpy() >= 2
    atoms = np.zeros(model.n_vars, dtype=np.int64)
    for m, g, n in [
        (True, "Female", 300), (False, "Female", 400), (True, "Male", 350), (False, "Male", 450),
        (True, "Unknown", 30), (False, "Unknown", 40), (True, "Another gender identity", 7),
    ]:  # fmt: skip
        atoms[np.flatnonzero((multi if m else ~multi) & (block["gender"] == g).to_numpy())[0]] = n
    values = tm.incidence.astype(np.int64) @ atoms
    old = suppress(tm.incidence, values, tm.n_totals, T, P)  # no zero policy: the zero stays
    craft_release(tmp_path / "old", model, spec, atoms, {"g": old.hidden})
    report = audit_release(tmp_path / "old")
    assert not report.ok
    assert "published zero (multi_system=No, gender=Another gender identity)" in report.text()
    ours = suppress(tm.incidence, values, tm.n_totals, T, P, lines=tm.lines(model.vocabs["g"].dims))
    craft_release(tmp_path / "ours", model, spec, atoms, {"g": ours.hidden})
    assert audit_release(tmp_path / "ours").ok, audit_release(tmp_path / "ours").text()


tables = st.tuples(st.integers(2, 3), st.integers(2, 3)).flatmap(
    lambda rc: st.tuples(
        st.just(rc),
        st.lists(
            st.one_of(st.just(0), st.integers(1, 12), st.integers(0, 150)),
            min_size=rc[0] * rc[1],
            max_size=rc[0] * rc[1],
        ),
    )
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables)
def test_suppression_under_the_zero_policy_survives_our_own_attacker(table):
    (r, c), x = table
    inc, n_totals, lns = two_way(r, c)
    values = inc.astype(int) @ np.array(x)
    result = suppress(inc, values, n_totals, T, P, lines=lns)
    hidden = result.hidden
    assert hidden[(values >= 1) & (values < T)].all()
    assert not disclosing_zeros(lns, values, hidden, inc).any()
    floor = floors(lns, hidden)
    assert (values[hidden & (floor > 0)] >= 1).all()  # the floors the attacker is given are true
    for i, (lo, hi) in attack(inc, values, hidden, floor).items():
        assert lo <= values[i] <= hi
        assert not narrow(lo, hi, T, P, maybe_zero=floor[i] == 0), (i, values[i], lo, hi)


# ----------------------------------------------------------------------------- shipped and example releases


def own_attack(system) -> list[str]:
    """The tests' own attacker on a published system (``verify.published_system``/``noisy_system``):
    every hidden cell narrower than the protection range, given every published cell, the model's
    equations and the zero policy's floors; and every published zero that gives a hidden group away."""
    shown = system.shown
    floor = system.floors()
    k = Knowledge(system.incidence.shape[1])
    k.publish(system.incidence, system.counts, floors=floor)
    for row in system.structural if system.structural is not None else []:
        k.equal(row, 0)
    found = []
    for i in np.flatnonzero(~shown):
        lo, hi = k.interval(system.incidence[i])
        if narrow(lo, hi, T, P, maybe_zero=floor[i] == 0):
            found.append(f"cell {i}: [{lo}, {hi}]")
    if system.lines is not None:
        zeros = disclosing_zeros(system.lines, np.nan_to_num(system.counts, nan=-1), ~shown, system.incidence)
        found += [f"zero {i}" for i in np.flatnonzero(zeros)]
    return found


def releases_to_check(tmp_path_factory):
    from cpt_public.publish import synth
    from cpt_public.publish.run import publish
    from cpt_public.release.catalog import load_release
    from cpt_public.release.spec import SPECS, load_spec

    yield "shipped demo", load_release()
    for path in sorted(SPECS.glob("*.toml")):
        out = tmp_path_factory.mktemp(path.stem)
        synth.write(synth.synthesize(2500, seed=5, spec=load_spec(path)), out / "in")
        publish(out / "in", out / "out", path, seed=1, log=lambda _: None)
        yield path.stem, load_release(out / "out")


@pytest.mark.slow
def test_no_shipped_or_example_release_gives_anything_away_to_our_own_attacker(tmp_path_factory):
    """No hidden cell narrower than the protection range under "hidden >= 1", no dp+suppression
    cell recomputable from published cells, no group-disclosing zero — by the tests' own solver."""
    from cpt_public.release.verify import noisy_system, published_system

    checked = 0
    for name, release in releases_to_check(tmp_path_factory):
        by_population: dict[str, list] = {}
        for t in release.tables.values():
            if t.control.method == "suppression":
                by_population.setdefault(t.resource.universe_id, []).append(t)
            elif t.control.method == "dp+suppression":
                assert own_attack(noisy_system(t)) == [], (name, t.name)
                checked += 1
        for pid, tables in by_population.items():
            assert own_attack(published_system(tables)) == [], (name, pid)
            checked += 1
    assert checked >= 10


def test_our_own_attacker_finds_what_it_should():
    """The negative control of the test above: the 2x2 rectangle narrowed by "hidden >= 1"."""
    from cpt_public.release.verify import System

    inc, _, lns = two_way(2, 2)
    counts = (inc.astype(int) @ np.array([3, 9, 8, 20])).astype(float)
    counts[[0, 1, 3, 4]] = np.nan
    system = System([], inc, counts, np.zeros(len(counts), dtype=int), None, lns)
    # d = 20 is not small, whatever its range; the other three are
    assert own_attack(system) == ["cell 0: [1, 10]", "cell 1: [2, 11]", "cell 3: [1, 10]"]
