"""Refreshes (issue 13): every publish is recorded in a ledger beside the release, and a new
release is audited together with every earlier one still public.

A refresh either passes with nobody pinned — checked here by the tests' own attacker, which
knows both releases, the exact number of arrivals and departures, and solves its own integer
programs — or is refused with a message naming the cell, leaving the earlier release and the
ledger as they were."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cpt_public.errors import ProtectionError
from cpt_public.publish import joint, synth
from cpt_public.publish.ledger import Ledger, ledger_for
from cpt_public.publish.run import publish
from cpt_public.release.catalog import load_release
from cpt_public.release.spec import DEMO_SPEC
from cpt_public.release.verify import audit_release
from tests.attacker import Knowledge
from tests.conftest import quiet, tree_bytes

KEEP = ("people_by_systems_used", "gender_by_multi_system", "frequent_jail_use", "monthly_contacts")
DATES = {
    "jail_bookings": "booking_date",
    "homeless_enrollments": "entry_date",
    "ems_encounters": "encounter_date",
    "ed_visits": "visit_date",
}
pytestmark = pytest.mark.slow


def small_spec(folder: Path, lifetime: float = 8.0, window: int = 365) -> Path:
    """The demo spec with four of its tables (three suppressed over two populations, one noisy)."""
    text = DEMO_SPEC.read_text(encoding="utf-8")
    head, *tables = text.split("[[table]]")
    kept = [t for t in tables if re.search(r'name = "(\w+)"', t).group(1) in KEEP]
    out = head + "".join("[[table]]" + t for t in kept)
    out = re.sub(r"lifetime_epsilon = [0-9.]+", f"lifetime_epsilon = {lifetime}", out)
    out = out.replace("epsilon_budget = 2.0", "epsilon_budget = 1.0").replace(
        "window_days = 365", f"window_days = {window}"
    )
    path = folder / "spec.toml"
    path.write_text(out, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("records")
    synth.write(synth.synthesize(1200, seed=13), folder)
    return folder


def earlier_export(records: Path, out: Path, change: str) -> Path:
    """The records as an earlier export saw them: without some people, or without the last month."""
    out.mkdir(parents=True)
    frames = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in records.glob("*.csv")}  # verbatim
    if change == "month":
        for name, col in DATES.items():
            frames[name] = frames[name][pd.to_datetime(frames[name][col]) < pd.Timestamp("2025-12-01")]
    else:
        users = pd.concat([frames["jail_bookings"]["person_id"], frames["ems_encounters"]["person_id"]]).unique()
        gone = set(pd.Series(sorted(users)).sample(int(change), random_state=3))
        frames = {n: f[~f["person_id"].isin(gone)] for n, f in frames.items()}
    for name, f in frames.items():
        f.to_csv(out / f"{name}.csv", index=False)
    for extra in records.glob("*.txt"):
        shutil.copy(extra, out)
    return out


def arrivals_pinned(ledger: Ledger) -> list[str]:
    """The tests' own attacker on the ledger's last two releases: the cells (all but the cell of
    everyone) where it is sure that 1 to 10 people arrived or left."""
    first, last = ledger.entries()[-2:]
    pinned = []
    for pid in ("people", "recent_bookings"):
        a_cats, a_units = first.exact_units(pid)
        b_cats, b_units = last.exact_units(pid)

        def tables(e, pid=pid):
            return [
                t
                for t in e.release().tables.values()
                if t.resource.universe_id == pid and t.control.method == "suppression"
            ]

        earlier = [joint.Earlier(first.version, tables(first), a_cats, a_units)]
        model, names = joint.joint_model(tables(last), earlier)
        n = model.n_vars
        k = Knowledge(4 * n)  # x_a, x_b, arrivals, departures
        for at, ts, prefix in ((0, earlier[0].tables, "0:"), (n, tables(last), "new:")):
            for t in ts:
                inc = model.tables[prefix + t.name].incidence
                k.publish(inc, t.frame["count"].to_numpy(dtype="float64", na_value=np.nan), offset=at)
        for at in range(4):
            for row in model.structural:
                k.equal(k.place(row, at * n), 0)
        for i in range(n):  # x_b = x_a + arrivals - departures
            row = np.zeros(4 * n)
            row[[n + i, i, 2 * n + i, 3 * n + i]] = [1, -1, -1, 1]
            k.equal(row, 0)
        arrived, left = joint.least_change(a_units, b_units, list(model.attr_cats))
        block = np.zeros(n)
        block[: model.blocks[0].size] = 1
        k.equal(k.place(block, 2 * n), arrived)
        k.equal(k.place(block, 3 * n), left)
        for label, row in joint._distinct_cells(model):
            for at, total in ((2 * n, arrived), (3 * n, left)):
                if total:
                    lo, hi = k.interval(k.place(row, at))
                    if 1 <= lo <= 10 and hi - lo < 11:
                        pinned.append(f"{label}: [{lo}, {hi}]")
    return pinned


@pytest.mark.parametrize("change", ["1", "3", "month"])
def test_a_refresh_passes_with_nobody_pinned_or_is_refused(tmp_path, records, change):
    spec = small_spec(tmp_path)
    before = earlier_export(records, tmp_path / "before", change)
    out = tmp_path / "published_data"
    publish(before, out, spec, seed=1, log=quiet)
    first = tree_bytes(out)
    ledger = Ledger(ledger_for(out))
    try:
        publish(records, out, spec, seed=1, log=quiet)
    except ProtectionError as exc:
        text = str(exc)
        assert "compared with earlier ones" in text or "comparing this release with earlier ones" in text
        assert re.search(r"\(\w+: [^)]*=", text), text  # names the cell
        assert tree_bytes(out) == first  # the earlier release stands
        assert len(ledger.entries()) == 1
        return
    assert audit_release(out).ok
    assert len(ledger.entries()) == 2
    assert joint.audit_ledger(ledger) == []
    assert arrivals_pinned(ledger) == []


def test_a_refresh_that_hiding_cannot_protect_is_refused_with_the_cell_named():
    """Release A published a cell of 11; one of those people's records were then corrected away.
    In B the cell is 10, a small cell to hide — but A's 11 and one departure pin it to [10, 11],
    and no cell of B can change that."""
    from scipy import sparse

    from cpt_public.release.protect.suppression import CHANGE, Context, suppress

    # one table: two categories and their total; atoms: the two categories
    inc = np.array([[1, 0], [0, 1], [1, 1]], dtype=bool)
    a_counts, b_counts = np.array([11, 40]), np.array([10, 40])
    n = 2  # unknowns: x_b (this release), x_a, arrivals, departures
    eye = np.eye(n)
    eq_a = np.vstack(
        [
            np.hstack([np.zeros((3, n)), inc.astype(float), np.zeros((3, 2 * n))]),  # A's published cells
            np.hstack([eye, -eye, -eye, eye]),  # x_b = x_a + arrivals - departures
            np.hstack([np.zeros((1, 2 * n)), np.ones((1, n)), np.zeros((1, n))]),  # nobody arrived
            np.hstack([np.zeros((1, 3 * n)), np.ones((1, n))]),  # one departed
        ]
    )
    eq_b = np.concatenate([inc.astype(int) @ a_counts, np.zeros(n), [0, 1]])
    targets = np.hstack([np.zeros((2, 3 * n)), eye])  # departures per category
    context = Context(
        n_extra=3 * n,
        eq_a=sparse.csr_matrix(eq_a),
        eq_b=eq_b,
        ge_a=sparse.csr_matrix((0, 4 * n)),
        ge_b=np.zeros(0),
        le_a=sparse.csr_matrix((0, 4 * n)),
        le_b=np.zeros(0),
        targets=sparse.csr_matrix(targets),
        target_mode=np.array([CHANGE, CHANGE]),
        labels=["departures (group=a)", "departures (group=b)"],
    )
    values = inc.astype(int) @ b_counts
    labels = ["t: group=a", "t: group=b", "t: group=Total"]
    with pytest.raises(
        ProtectionError, match=r"hidden cell \(t: group=a\) could be narrowed to \[10, 11\] when this release"
    ):
        suppress(inc, values, np.array([0, 0, 1]), 11, 11, context=context, labels=labels)
    # Without the earlier release, B alone is protected by hiding its neighbour.
    alone = suppress(inc, values, np.array([0, 0, 1]), 11, 11)
    assert alone.hidden[0]


def test_a_refresh_published_without_the_joint_audit_is_caught(tmp_path, records, monkeypatch):
    """A tool that protects each release alone publishes a refresh of one person; the ledger's
    joint audit (``audit --ledger``) finds the newcomer."""
    spec = small_spec(tmp_path)
    out = tmp_path / "published_data"
    publish(earlier_export(records, tmp_path / "before", "1"), out, spec, seed=1, log=quiet)
    with monkeypatch.context() as m:
        m.setattr(joint, "earlier_releases", lambda *a, **k: [])
        publish(records, out, spec, seed=1, log=quiet)
    assert audit_release(out).ok  # each release alone passes
    problems = joint.audit_ledger(Ledger(ledger_for(out)))
    # "added": the ledger keeps the order of publishing, even within one second
    assert problems and any("added to or moved into" in p and "[1, 1]" in p for p in problems), problems


def test_republishing_the_same_records_repeats_the_noise_and_spends_nothing(tmp_path, records):
    spec = small_spec(tmp_path)
    out = tmp_path / "published_data"
    publish(records, out, spec, log=quiet)  # secure noise, no seed
    noisy = load_release(out).tables["monthly_contacts"].frame
    publish(records, out, spec, log=quiet)
    again = load_release(out)
    pd.testing.assert_frame_equal(again.tables["monthly_contacts"].frame, noisy)
    privacy = again.package.privacy
    assert privacy.epsilonNew == 0 and privacy.epsilonLifetimeSpent == 1.0 and privacy.epsilonLifetimeBudget == 8.0
    assert again.tables["monthly_contacts"].control.noiseFrom is not None
    assert "one person" in privacy.neighbouring


def test_the_lifetime_budget_refuses_a_refresh_that_would_overspend(tmp_path, records):
    spec = small_spec(tmp_path, lifetime=1.0)
    out = tmp_path / "published_data"
    publish(earlier_export(records, tmp_path / "before", "month"), out, spec, seed=1, log=quiet)
    first = tree_bytes(out)
    with pytest.raises(ProtectionError, match=r"already spent 1 of the lifetime budget 1"):
        publish(records, out, spec, seed=1, log=quiet)
    assert tree_bytes(out) == first
    assert len(Ledger(ledger_for(out)).entries()) == 1


def test_a_changed_population_is_refused_until_the_old_release_is_retired(tmp_path, records):
    out = tmp_path / "published_data"
    (tmp_path / "first").mkdir()
    publish(records, out, small_spec(tmp_path / "first"), seed=1, log=quiet)
    changed = small_spec(tmp_path, window=180)
    with pytest.raises(ProtectionError, match=r"population 'recent_bookings' is defined differently.*ledger retire"):
        publish(records, out, changed, seed=1, log=quiet)
    ledger = Ledger(ledger_for(out))
    [entry] = ledger.entries()
    ledger.retire(entry.version, "a test release, never shown to anyone")
    publish(records, out, changed, seed=1, log=quiet)
    assert [e.version for e in ledger.entries()] != [entry.version]
    assert entry.version in ledger.retired()


def test_a_release_missing_from_the_ledger_stops_a_real_refresh(tmp_path, records):
    """A lost ledger would make every refresh look like a first release: publishing over a release
    the ledger does not know is refused (real releases) or noted (synthetic ones)."""
    text = small_spec(tmp_path).read_text(encoding="utf-8")
    real = tmp_path / "real.toml"
    real.write_text(text.replace("synthetic = true", "synthetic = false"), encoding="utf-8")
    out = tmp_path / "published_data"
    publish(records, out, real, log=quiet)
    shutil.rmtree(ledger_for(out))
    first = tree_bytes(out)
    with pytest.raises(ProtectionError, match=r"is not in the release ledger .*Restore the ledger"):
        publish(records, out, real, log=quiet)
    assert tree_bytes(out) == first
    notes = []
    publish(records, out, small_spec(tmp_path), seed=1, log=notes.append)
    assert any("is not in the ledger" in n for n in notes)
