"""The publish step's exact counts equal an independent, plain GROUP BY of the same records."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.bare_groupby import exact_tables, program_outcomes, read, without_contribution_bounds
from cpt_public.publish.inputs import load_inputs
from cpt_public.publish.run import build_tables
from cpt_public.release.spec import TOTAL, load_spec


@pytest.fixture(scope="module")
def exact(county_input, monkeypatch_module):
    """The publish step's tables with protection switched off (threshold 1 hides nothing; no noise)."""
    import cpt_public.release.protect.dp as dp

    monkeypatch_module.setattr(dp, "raw_noisy", lambda values, *a, **k: np.asarray(values, dtype=np.int64))
    spec = load_spec()
    spec = spec.model_copy(update={"release": spec.release.model_copy(update={"threshold": 1})})
    spec = without_contribution_bounds(spec)  # no clipping either: allow every unit
    return {
        b.spec.name: b.frame for b in build_tables(load_inputs(county_input, spec), spec, seed=0, log=lambda _: None)[0]
    }


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def bare(county_input):
    return read(county_input)


def interior(frame) -> dict[tuple, int]:
    dims = [c for c in frame.columns if c not in ("count", "suppressed", "moe90")]
    inner = frame[~(frame[dims] == TOTAL).any(axis=1)]
    return {tuple(r[:-1]): int(r[-1]) for r in inner[dims + ["count"]].itertuples(index=False)}


def as_dict(series) -> dict[tuple, int]:
    return {(k if isinstance(k, tuple) else (k,)): int(v) for k, v in series.items()}


def same(ours: dict, theirs: dict) -> None:
    """Equal cell by cell; a cell the bare count lacks must be zero in ours (the spec lists every category)."""
    assert set(theirs) <= set(ours), set(theirs) - set(ours)
    diff = {k: (v, theirs.get(k, 0)) for k, v in ours.items() if v != theirs.get(k, 0)}
    assert not diff, diff


@pytest.mark.parametrize(
    "name",
    [
        "people_by_systems_used",
        "system_overlap",
        "age_by_multi_system",
        "gender_by_multi_system",
        "race_by_multi_system",
        "frequent_jail_use",
        "release_transitions",
        "monthly_contacts",
        "service_use_cost",
    ],
)
def test_exact_counts_match_a_bare_group_by(exact, bare, name):
    same(interior(exact[name]), as_dict(exact_tables(bare)[name]))


def test_program_outcomes_match_a_bare_group_by(exact, bare):
    same(interior(exact["housing_outcomes"]), as_dict(program_outcomes(bare)))


def test_margins_are_sums_of_their_cells(exact):
    f = exact["age_by_multi_system"]
    total = f[(f.multi_system == TOTAL) & (f.age_group == TOTAL)]["count"].iat[0]
    assert total == f[(f.multi_system != TOTAL) & (f.age_group != TOTAL)]["count"].sum() == 3000


def test_records_outside_the_period_are_in_the_input(bare):
    """The oracle is only worth something if the synthetic export has records the period leaves out."""
    assert bare.execute("SELECT count(*) FROM jail_bookings WHERE booking_date < DATE '2022-01-01'").fetchone()[0] > 0
    assert (
        bare.execute(
            "SELECT count(*) FROM homeless_enrollments WHERE entry_date < DATE '2022-01-01' "
            "AND exit_date >= DATE '2022-01-01'"
        ).fetchone()[0]
        > 0
    )
