"""The loader refuses any release that is malformed, tampered with, or breaks an invariant."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cpt_public.errors import ReleaseError
from cpt_public.release.catalog import load_release
from tests.helpers import rewrite_table


def edit_manifest(release, change):
    path = release / "datapackage.json"
    man = json.loads(path.read_text())
    change(man)
    path.write_text(json.dumps(man))


def resource(man, name):
    return next(r for r in man["resources"] if r["name"] == name)


def test_the_shipped_release_and_a_fresh_one_load(county_release):
    release = load_release(county_release)
    assert set(release.tables) >= {"people_by_systems_used", "monthly_contacts"}
    assert release["monthly_contacts"].frame["moe90"].notna().all()


def test_unknown_table_is_a_clear_error(county_release):
    with pytest.raises(ReleaseError, match="no such table"):
        load_release(county_release)["nope"]


def test_missing_manifest(tmp_path):
    tmp_path.joinpath("tables").mkdir()
    with pytest.raises(ReleaseError, match="no datapackage.json"):
        load_release(tmp_path)


def test_manifest_not_json(release_copy):
    (release_copy / "datapackage.json").write_text("{ nope")
    with pytest.raises(ReleaseError, match="not valid JSON"):
        load_release(release_copy)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda m: resource(m, "people_by_systems_used").update(path="../../etc/passwd"), "manifest schema"),
        (lambda m: resource(m, "people_by_systems_used").pop("cpt:disclosureControl"), "manifest schema"),
        (lambda m: resource(m, "people_by_systems_used")["schema"]["fields"][0].pop("cpt:rule"), "needs a cpt:role"),
        (
            lambda m: resource(m, "people_by_systems_used")["schema"]["fields"][0].update({"cpt:role": "vibes"}),
            "needs a cpt:role",
        ),
        (lambda m: resource(m, "age_by_multi_system")["cpt:attributes"]["age_group"].reverse(), "expected"),
        (lambda m: resource(m, "people_by_systems_used")["cpt:attributes"].pop("ed"), "does not list"),
        (lambda m: resource(m, "monthly_contacts")["cpt:disclosureControl"].update(epsilon=None), "manifest schema"),
        (lambda m: m["cpt:privacy"].update(epsilonBudget=0.5), "over its budget"),
        (lambda m: m["resources"].append(m["resources"][0]), "lists a table twice"),
    ],
)
def test_manifest_problems(release_copy, change, message):
    edit_manifest(release_copy, change)
    with pytest.raises(ReleaseError, match=message):
        load_release(release_copy)


def test_missing_table_file(release_copy):
    (release_copy / "tables" / "people_by_systems_used.parquet").unlink()
    with pytest.raises(ReleaseError, match="people_by_systems_used.*missing"):
        load_release(release_copy)


def frame_of(release, name):
    return pd.read_parquet(release / "tables" / f"{name}.parquet")


def test_a_visible_small_count_is_refused_even_with_a_matching_hash(release_copy):
    f = frame_of(release_copy, "frequent_jail_use")
    i = f.index[f["suppressed"]][0] if f["suppressed"].any() else 0
    f.loc[i, "count"], f.loc[i, "suppressed"] = 4, False
    rewrite_table(release_copy, "frequent_jail_use", f)
    with pytest.raises(ReleaseError, match="frequent_jail_use.*below the threshold"):
        load_release(release_copy)


def test_a_suppressed_cell_shown_as_zero_is_refused(release_copy):
    f = frame_of(release_copy, "housing_outcomes")
    i = f.index[f["suppressed"]][0]
    f.loc[i, "count"] = 0
    rewrite_table(release_copy, "housing_outcomes", f)
    with pytest.raises(ReleaseError, match="null exactly when the cell is suppressed"):
        load_release(release_copy)


def test_a_dropped_row_is_refused(release_copy):
    f = frame_of(release_copy, "people_by_systems_used").iloc[1:]
    rewrite_table(release_copy, "people_by_systems_used", f)
    with pytest.raises(ReleaseError, match="one per combination"):
        load_release(release_copy)


def test_a_person_level_column_is_refused(release_copy):
    f = frame_of(release_copy, "people_by_systems_used").rename(columns={"systems_used": "person_id"})
    rewrite_table(release_copy, "people_by_systems_used", f)
    edit_manifest(
        release_copy, lambda m: resource(m, "people_by_systems_used")["schema"]["fields"][0].update(name="person_id")
    )
    with pytest.raises(ReleaseError, match="person-level identifiers"):
        load_release(release_copy)


def test_dp_margins_that_do_not_add_up_are_refused(release_copy):
    f = frame_of(release_copy, "service_use_cost")
    f.loc[0, "count"] = f.loc[0, "count"] + 5
    rewrite_table(release_copy, "service_use_cost", f)
    with pytest.raises(ReleaseError, match="service_use_cost.*not the sum"):
        load_release(release_copy)


def test_a_dp_table_without_margins_of_error_is_refused(release_copy):
    f = frame_of(release_copy, "monthly_contacts")
    f["moe90"] = pd.array([None] * len(f), dtype="Int64")
    rewrite_table(release_copy, "monthly_contacts", f)
    with pytest.raises(ReleaseError, match="moe90"):
        load_release(release_copy)
