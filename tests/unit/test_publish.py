"""publish and audit, end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cpt_public.errors import CptError, ProtectionError, ReleaseError
from cpt_public.publish import synth
from cpt_public.publish.run import publish
from cpt_public.release.catalog import load_release
from cpt_public.release.protect.suppression import suppress
from cpt_public.release.verify import audit_release
from tests.conftest import ROOT, quiet, tree_bytes
from tests.helpers import craft_release, people_model, rewrite_table
from tests.unit.test_inputs import BROKEN


def cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "cpt_public", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def test_county_release_passes_the_audit(county_release):
    report = audit_release(county_release)
    assert report.ok, report.text()
    release = load_release(county_release)
    hidden = sum(int(t.frame["suppressed"].sum()) for t in release.tables.values())
    assert hidden > 0  # a small county has small cells; they were hidden
    for t in release.tables.values():
        if "suppression" in t.control.method:
            visible = t.frame["count"].dropna()
            assert not ((visible >= 1) & (visible < 11)).any()


def test_audit_command_prints_per_table_results(county_release):
    out = cli("audit", county_release)
    assert out.returncode == 0, out.stderr
    for name in (
        "people_by_systems_used",
        "system_overlap",
        "housing_outcomes",
        "monthly_contacts",
    ):  # one line per table
        assert name in out.stdout
    assert "OK" in out.stdout


@pytest.mark.parametrize("people,seed", [(600, 1), (4000, 2), (25_000, 3)])
def test_releases_from_other_seeds_and_sizes_pass_the_audit(tmp_path, people, seed):
    synth.write(synth.synthesize(people, seed), tmp_path / "in")
    publish(tmp_path / "in", tmp_path / "out", seed=seed, log=quiet)
    report = audit_release(tmp_path / "out")
    assert report.ok, report.text()


def test_release_manifest_has_the_promised_fields(county_release):
    man = json.loads((county_release / "datapackage.json").read_text())
    assert man["cpt:synthetic"] is True
    assert set(man["cpt:privacy"]) >= {"threshold", "protectionRange", "epsilonBudget", "epsilonSpent"}
    assert man["cpt:privacy"]["epsilonSpent"] <= man["cpt:privacy"]["epsilonBudget"]
    universes = {}
    for r in man["resources"]:
        assert r["path"] == f"tables/{r['name']}.parquet" and r["hash"].startswith("sha256:") and r["bytes"] > 0
        assert r["title"] and r["description"] and r["schema"]["fields"]
        assert all(f["description"] for f in r["schema"]["fields"])
        dc = r["cpt:disclosureControl"]
        assert set(dc) >= {"method", "threshold", "protectionRange", "epsilon", "mechanism", "moeLevel"}
        universes.setdefault(r["cpt:universeId"], set()).add(r["cpt:universe"])
    assert all(len(v) == 1 for v in universes.values())  # one string per population


def test_tables_are_tidy_with_total_margins(county_release):
    release = load_release(county_release)
    overlap = release["system_overlap"].frame
    assert list(overlap.columns) == ["jail", "homeless", "ems", "ed", "count", "suppressed"]
    assert len(overlap) == 2**4  # exclusive combinations only (totals = false in the spec)
    assert str(overlap["count"].dtype) == "Int64"
    age = release["age_by_multi_system"].frame
    assert len(age) == 3 * 9  # (Yes, No, Total) x (8 age groups + Total)
    grand = age[(age["multi_system"] == "Total") & (age["age_group"] == "Total")]["count"].iat[0]
    assert grand == 3000


# ----------------------------------------------------------------------------- failures keep the old release


@pytest.mark.parametrize(
    "case",
    [
        "missing column",
        "missing file",
        "text in a date column",
        "empty file",
        "not UTF-8",
        "garbage bytes",
        "duplicate person ids",
        "date after the export",
    ],
)
def test_failed_publish_leaves_the_previous_release_intact(tmp_path, input_copy, release_copy, case):
    before = tree_bytes(release_copy)
    BROKEN[case][0](input_copy)
    out = cli("publish", "--input", input_copy, "--out", release_copy, "--seed", 1)
    assert out.returncode == 2
    assert out.stderr.startswith("error: ") and "Traceback" not in out.stderr
    assert tree_bytes(release_copy) == before
    assert not [p for p in release_copy.parent.iterdir() if "staging" in p.name or "previous" in p.name]


def test_budget_overrun_is_refused_before_reading_data(tmp_path, county_input, release_copy):
    spec = (
        (ROOT / "cpt_public" / "specs" / "demo.toml")
        .read_text()
        .replace("epsilon_budget = 2.0", "epsilon_budget = 1.2")
    )
    (tmp_path / "spec.toml").write_text(spec)
    before = tree_bytes(release_copy)
    with pytest.raises(ProtectionError, match="release budget is 1.2"):
        publish(county_input, release_copy, tmp_path / "spec.toml", seed=1, log=quiet)
    assert tree_bytes(release_copy) == before


def test_a_failed_audit_refuses_the_release(monkeypatch, county_input, release_copy):
    """If protection were broken, the publish step's own audit stops the release."""
    import cpt_public.publish.run as pub

    def broken(inc, values, n_totals, threshold, prange, *a, **k):
        k.pop("context", None)  # nor does it know what related populations and earlier releases tell
        result = suppress(inc, values, n_totals, threshold, prange, *a, **k)
        result.hidden = result.primary.copy()  # forget the complementary cells
        return result

    monkeypatch.setattr(pub, "suppress", broken)
    before = tree_bytes(release_copy)
    with pytest.raises(ProtectionError, match="failed its audit"):
        publish(county_input, release_copy, seed=11, log=quiet)
    assert tree_bytes(release_copy) == before


def test_seed_is_refused_for_a_real_release(tmp_path, county_input):
    spec = (ROOT / "cpt_public" / "specs" / "demo.toml").read_text().replace("synthetic = true", "synthetic = false")
    (tmp_path / "spec.toml").write_text(spec)
    with pytest.raises(CptError, match="only allowed for synthetic"):
        publish(county_input, tmp_path / "out", tmp_path / "spec.toml", seed=1, log=quiet)


def test_publish_replaces_a_previous_release(tmp_path, county_input, release_copy):
    old = json.loads((release_copy / "datapackage.json").read_text())["created"]
    publish(county_input, release_copy, seed=99, log=quiet)
    assert audit_release(release_copy).ok
    assert sorted(p.name for p in release_copy.parent.iterdir()) == ["release", "release.ledger"]  # no staging left
    assert json.loads((release_copy / "datapackage.json").read_text())["version"]
    del old


def test_a_seeded_synthetic_release_is_the_same_every_time(tmp_path, county_input, county_release):
    """`make demo-release` rebuilds the shipped release exactly: clipping and noise follow the seed,
    not the order of the files' rows or of DuckDB's threads (the files are shuffled here)."""
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for path in county_input.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.sample(frac=1, random_state=4).to_csv(shuffled / path.name, index=False)
    before = set(Path(tempfile.gettempdir()).glob("cpt-publish-*"))
    publish(shuffled, tmp_path / "again", seed=11, log=quiet)
    for path in sorted((county_release / "tables").glob("*.parquet")):
        assert pd.read_parquet(path).equals(pd.read_parquet(tmp_path / "again" / "tables" / path.name)), path.name
    assert set(Path(tempfile.gettempdir()).glob("cpt-publish-*")) <= before, (
        "the spill folder is removed after publishing"
    )


# ----------------------------------------------------------------------------- crafted leaks


def test_crafted_leak_total_minus_published_cells_is_refused(tmp_path):
    spec, model = people_model({"systems_used": ["systems_used"]})
    atoms = np.full(model.n_vars, 0)
    tm = model.tables["systems_used"]
    # 3 people used all four systems; the other categories are large.
    for k, n in zip(["0", "1", "2", "3", "4"], [0, 500, 200, 80, 3]):
        cell = np.flatnonzero(tm.incidence[list(tm.cells["systems_used"]).index(k)])
        atoms[cell[0]] = n
    hidden = (tm.cells["systems_used"] == "4").to_numpy()
    craft_release(tmp_path / "leaky", model, spec, atoms, {"systems_used": hidden})
    report = audit_release(tmp_path / "leaky")
    assert not report.ok
    assert "systems_used=4" in report.text() and "[3, 3]" in report.text()
    out = cli("audit", tmp_path / "leaky")
    assert out.returncode == 1 and "FAILED" in out.stdout


def test_crafted_leak_through_a_margin_shared_by_two_tables_is_refused(tmp_path):
    tables = {"systems_used": ["systems_used"], "gender_by_multi_system": ["multi_system", "gender"]}
    spec, model = people_model(tables)
    rng = np.random.default_rng(0)
    atoms = rng.integers(20, 200, model.n_vars)
    g = model.tables["gender_by_multi_system"]
    agi = (model.blocks[0].atoms["gender"] == "Another gender identity").to_numpy()
    multi = (model.blocks[0].atoms[["jail", "homeless", "ems", "ed"]] == "Yes").sum(axis=1).to_numpy() >= 2
    atoms[agi] = 0
    atoms[np.flatnonzero(agi & multi)[0]] = 3  # 3 multi-system users of another gender identity
    atoms[np.flatnonzero(agi & ~multi)[0]] = 40
    cells = g.cells
    hide = (
        (cells["gender"].isin(["Another gender identity", "Total"])) & (cells["multi_system"] != "Total")
    ).to_numpy()
    # Alone, the gender table protects the cell: it could be anything from 0 to 43.
    spec1, model1 = people_model({"gender_by_multi_system": tables["gender_by_multi_system"]})
    craft_release(tmp_path / "alone", model1, spec1, atoms, {"gender_by_multi_system": hide})
    assert audit_release(tmp_path / "alone").ok
    # Published next to systems_used, the multi-system total (2 + 3 + 4 systems) pins it to 3.
    craft_release(tmp_path / "both", model, spec, atoms, {"gender_by_multi_system": hide})
    report = audit_release(tmp_path / "both")
    assert not report.ok
    assert "gender=Another gender identity" in report.text() and "[3, 3]" in report.text()
    # Our suppression, judging both tables together, protects the same data.
    inc = np.vstack([tm.incidence for tm in model.tables.values()])
    values = inc.astype(np.int64) @ atoms
    keys = [k for tm in model.tables.values() for k in tm.keys]
    n_totals = np.concatenate([tm.n_totals for tm in model.tables.values()])
    result = suppress(inc, values, n_totals, 11, 11, keys, model.structural)
    n = len(model.tables["systems_used"].cells)
    hidden = {"systems_used": result.hidden[:n], "gender_by_multi_system": result.hidden[n:]}
    craft_release(tmp_path / "ours", model, spec, atoms, hidden)
    assert audit_release(tmp_path / "ours").ok


# ----------------------------------------------------------------------------- tampering


def test_a_tampered_table_fails_audit_and_is_refused_by_the_loader(release_copy):
    path = release_copy / "tables" / "people_by_systems_used.parquet"
    frame = pd.read_parquet(path)
    frame.loc[1, "count"] = frame.loc[1, "count"] + 1
    rewrite_table(release_copy, "people_by_systems_used", frame, fix_hash=False)
    with pytest.raises(ReleaseError, match="people_by_systems_used.*it was changed"):
        load_release(release_copy)
    out = cli("audit", release_copy)
    assert out.returncode == 1 and "people_by_systems_used" in out.stdout and "it was changed" in out.stdout


def test_a_same_size_change_is_caught_by_the_hash(release_copy):
    path = release_copy / "tables" / "system_overlap.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ReleaseError, match="system_overlap.*sha256"):
        load_release(release_copy)


def test_a_tampered_manifest_is_refused(release_copy):
    shutil.copy(release_copy / "datapackage.json", release_copy / "backup.json")
    man = json.loads((release_copy / "datapackage.json").read_text())
    man["cpt:privacy"]["epsilonSpent"] = 0.1
    (release_copy / "datapackage.json").write_text(json.dumps(man))
    with pytest.raises(ReleaseError, match="epsilonSpent"):
        load_release(release_copy)


def test_a_small_memory_limit_spills_to_disk_and_changes_nothing(tmp_path, county_input, county_release):
    publish(county_input, tmp_path / "small", seed=11, log=quiet, memory_limit="40MB")
    for path in sorted((county_release / "tables").glob("*.parquet")):
        assert pd.read_parquet(path).equals(pd.read_parquet(tmp_path / "small" / "tables" / path.name)), path.name


def test_a_memory_limit_that_is_not_a_size_is_one_clear_error(tmp_path, county_input, capsys):
    from cpt_public.cli import main

    assert (
        main(["publish", "--input", str(county_input), "--out", str(tmp_path / "out"), "--memory-limit", "lots"]) == 2
    )
    assert "is not a size DuckDB understands" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
