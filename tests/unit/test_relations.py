"""Relations between populations (issue 13): the people booked in the last year are people who
used the jail in the period, so a table of one can narrow a hidden cell of the other. The audit
(publish and ``audit``) models that; the tests' own attacker (``tests.attacker.together``, a
lifted model written apart) checks it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cpt_public.publish.run import Built, write_release
from cpt_public.release import manifest as mf
from cpt_public.release.catalog import load_release
from cpt_public.release.model import universe_model
from cpt_public.release.relations import Known, Relation, compatible, relation_for, world
from cpt_public.release.spec import Protection, TableSpec, load_spec
from cpt_public.release.verify import audit_release, published_system
from cpt_public.release.vocabulary import table_vocab
from tests.attacker import together

T = P = 11


def _table(name: str, kind: str, dims: list[str], **params) -> TableSpec:
    return TableSpec(
        name=name,
        title=name,
        description=name,
        kind=kind,
        dimensions=dims,
        protection=Protection(method="suppression"),
        **params,
    )


def _vocab(spec, t: TableSpec):
    tv = table_vocab(spec, t)
    model = universe_model(dict(tv.attributes), {t.name: (tv.dims, tv.categories())})
    return tv, model


def test_what_each_kind_promises_about_its_units():
    spec = load_spec()
    people = table_vocab(spec, _table("p", "people", ["jail"])).population
    booked = _table("b", "frequent_use", ["events"], system="jail", event_bands=["1", "2+"])
    rel = relation_for(spec, table_vocab(spec, booked).population, booked, people)
    assert rel.inside == "people" and rel.once_per == ()
    assert (None, ("jail", "Yes")) in rel.implies  # everyone booked in the window used the jail
    assert (("homeless", "Yes"), ("homeless", "Yes")) in rel.implies
    assert {"age_group", "gender", "race_ethnicity"} <= set(rel.same)  # ages at the period's start here
    monthly = _table("m", "monthly", ["month", "system"])
    rel = relation_for(spec, table_vocab(spec, monthly).population, monthly, people)
    assert rel.once_per == ("month", "system")  # a person counts once per month and system
    assert (("system", "Jail"), ("jail", "Yes")) in rel.implies
    program = _table("o", "program_outcomes", ["group"], windows=["Months 1-6"], outcomes={"Jail booking": "jail"})
    assert relation_for(spec, table_vocab(spec, program).population, program, people) is None
    assert Relation.from_dict(rel.to_dict()) == rel


def test_ages_taken_at_an_event_may_be_older_by_the_years_since_the_start():
    from cpt_public.release.spec import SPECS

    spec = load_spec(SPECS / "hmis_only.toml")  # ages at the event; a period of two years
    people = table_vocab(spec, _table("p", "people", ["age_group"])).population
    left = _table("t", "transitions", ["age_group"], system="homeless", after_days=30)
    rel = relation_for(spec, table_vocab(spec, left).population, left, people)
    assert "age_group" not in rel.same
    period = spec.release.period
    assert rel.ages == (("age_group", 0, period.end.year - period.start.year + 1),)
    cats = {"age_group": people.attrs["age_group"]}
    unknown = cats["age_group"][-1]
    q = pd.DataFrame({"age_group": ["18-24", "62+", unknown]})
    p = pd.DataFrame({"age_group": ["Under 18", "18-24", "45-54", "55-61", unknown]})
    ok = compatible(rel, q, p, cats)
    assert ok.tolist() == [
        [True, True, False, False, False],  # 18-24 later: under 18 or 18-24 at the start
        [False, False, False, True, False],  # 62+ later: 55-61 (up to 3 years on) or 62+ at the start
        [False, False, False, False, True],  # an unknown age stays unknown
    ]


def _crafted(tmp_path, hide_b: list[str] | None = None, related: bool = True):
    """People by jail x homeless use, all published (11 used both); people booked in the last
    year by bookings x homeless use, its small cells hidden the way one table alone would need.
    Alone, 10 booked people who used homeless services lie anywhere in [1, 54]; as people who
    used both systems, they are at most 11: [1, 11]."""
    spec = load_spec()
    pt = _table("jail_by_homeless", "people", ["jail", "homeless"])
    bt = _table("booked", "frequent_use", ["events", "homeless"], system="jail", event_bands=["1", "2+"])
    ptv, pmodel = _vocab(spec, pt)
    btv, bmodel = _vocab(spec, bt)
    # atoms are in the order of the attributes' categories (Yes before No)
    p_atoms = {("Yes", "Yes"): 11, ("Yes", "No"): 60, ("No", "Yes"): 70, ("No", "No"): 500}
    b_atoms = {("1", "Yes"): 4, ("1", "No"): 30, ("2+", "Yes"): 6, ("2+", "No"): 25}
    px = np.array([p_atoms[tuple(r)] for r in pmodel.blocks[0].atoms[["jail", "homeless"]].itertuples(index=False)])
    bx = np.array([b_atoms[tuple(r)] for r in bmodel.blocks[0].atoms[["events", "homeless"]].itertuples(index=False)])
    rel = relation_for(spec, btv.population, bt, ptv.population)
    tm = bmodel.tables["booked"]
    label = tm.cells.apply(lambda r: f"{r['events']}/{r['homeless']}", axis=1)
    hidden = label.isin(hide_b or ["1/Yes", "2+/Yes", "Total/Yes", "1/No", "2+/No", "Total/No"]).to_numpy()
    built = []
    for tv, model, x, h, relation in [
        (ptv, pmodel, px, np.zeros(len(pmodel.tables[pt.name].cells), dtype=bool), None),
        (btv, bmodel, bx, hidden, rel if related else None),
    ]:
        values = model.tables[tv.spec.name].incidence.astype(np.int64) @ x
        frame = model.tables[tv.spec.name].cells.astype(str).copy()
        frame["count"] = pd.array(np.where(h, 0, values), dtype="Int64")
        frame.loc[h, "count"] = pd.NA
        frame["suppressed"] = h
        control = mf.DisclosureControl(method="suppression", threshold=T, protectionRange=P)
        built.append(Built(tv, frame, control, relation))
    write_release(built, spec, tmp_path / "out", log=lambda _: None, verify=False)
    return spec, (ptv, pmodel, px), (btv, bmodel, bx, rel)


def _own_attack(release) -> list[str]:
    """Every hidden cell of the release that the tests' own attacker, holding all its suppressed
    populations and their relations, narrows below the protection range."""
    by_population: dict[str, list] = {}
    for t in release.tables.values():
        if t.control.method == "suppression":
            by_population.setdefault(t.resource.universe_id, []).append(t)
    systems = {pid: published_system(ts) for pid, ts in by_population.items()}
    relations = {
        pid: Relation.from_dict(ts[0].resource.within)
        for pid, ts in by_population.items()
        if ts[0].resource.within is not None
    }
    k, at = together(systems, relations)
    found = []
    for pid, s in systems.items():
        floor = s.floors()
        for i in np.flatnonzero(~s.shown):
            lo, hi = k.interval(k.place(s.incidence[i], at[pid]))
            could_be_small = lo <= T - 1 and hi >= (0 if floor[i] == 0 else 1)
            if could_be_small and hi - lo < P:
                found.append(f"{pid} {i}: [{lo}, {hi}]")
    return found


def test_a_table_narrowing_a_related_population_is_refused_by_the_audit(tmp_path):
    _crafted(tmp_path)
    release = load_release(tmp_path / "out")
    found = _own_attack(release)
    assert found == ["frequent_jail 6: [1, 11]"]  # booked people who used homeless services
    report = audit_release(tmp_path / "out")
    assert not report.ok
    text = report.text()
    assert "homeless=Yes" in text and "whose people its units are" in text, text


def test_without_the_relation_the_same_tables_pass(tmp_path):
    """The negative control: the same tables, with no relation in the manifest, pass both the
    audit and the tests' own attacker (it is the relation that narrows)."""
    _crafted(tmp_path, related=False)
    assert _own_attack(load_release(tmp_path / "out")) == []
    assert audit_release(tmp_path / "out").ok


def test_suppression_protects_what_the_related_population_would_narrow(tmp_path):
    """The publish step's suppression, given the people tables as published, hides what it must
    in the booked table; the tests' own attacker then finds nothing."""
    from cpt_public.release.protect.suppression import suppress

    spec, (ptv, pmodel, px), (btv, bmodel, bx, rel) = _crafted(tmp_path)
    ptm, btm = pmodel.tables[ptv.spec.name], bmodel.tables[btv.spec.name]
    people = Known(
        "people",
        pmodel,
        ptm.incidence,
        (ptm.incidence.astype(np.int64) @ px).astype(float),
        ptm.lines(ptv.dims),
        [str(i) for i in range(len(ptm.cells))],
    )
    context, notes = world(bmodel, rel, None, [people])
    assert notes == [] and context is not None
    values = btm.incidence.astype(np.int64) @ bx
    result = suppress(
        btm.incidence,
        values,
        btm.n_totals,
        T,
        P,
        btm.keys,
        bmodel.structural,
        lines=btm.lines(btv.dims),
        context=context,
    )
    alone = suppress(btm.incidence, values, btm.n_totals, T, P, btm.keys, bmodel.structural, lines=btm.lines(btv.dims))
    assert not np.array_equal(result.hidden, alone.hidden)  # the relation changed what is hidden
    hidden = [f"{r['events']}/{r['homeless']}" for r, h in zip(btm.cells.to_dict("records"), result.hidden) if h]
    _crafted(tmp_path / "again", hidden)
    release = load_release(tmp_path / "again" / "out")
    assert _own_attack(release) == []
    assert audit_release(tmp_path / "again" / "out").ok


def test_a_world_without_the_people_population_is_the_own_context():
    spec = load_spec()
    bt = _table("booked", "frequent_use", ["events"], system="jail", event_bands=["1", "2+"])
    btv, bmodel = _vocab(spec, bt)
    people = table_vocab(spec, _table("p", "people", ["jail"])).population
    rel = relation_for(spec, btv.population, bt, people)
    assert world(bmodel, rel, None, []) == (None, [])


@pytest.mark.slow
def test_shipped_and_example_releases_give_nothing_away_to_an_attacker_holding_related_populations(
    tmp_path_factory,
):
    from tests.unit.test_disclosure import releases_to_check

    checked = 0
    for name, release in releases_to_check(tmp_path_factory):
        within = [t for t in release.tables.values() if t.resource.within and t.control.method == "suppression"]
        assert _own_attack(release) == [], name
        checked += len(within)
    assert checked >= 3  # the demo's bookings, the coalition's EMS runs, the reentry and HMIS transitions
