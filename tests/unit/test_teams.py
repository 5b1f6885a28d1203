"""Any team's systems and tables: every example spec publishes and passes its audit, and a team
adds a system by editing its spec and supplying records — no code change."""

from __future__ import annotations

import json

import pytest

from cpt_public.publish import synth
from cpt_public.publish.run import publish
from cpt_public.release.spec import DEMO_SPEC, SPECS, load_spec
from cpt_public.release.verify import audit_release

EXAMPLES = sorted(SPECS.glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_team_publishes_and_passes_its_audit(tmp_path, path):
    spec = load_spec(path)
    synth.write(synth.synthesize(2500, seed=5, spec=spec), tmp_path / "in")
    publish(tmp_path / "in", tmp_path / "out", path, seed=1, log=lambda _: None)
    report = audit_release(tmp_path / "out")
    assert report.ok, report.text()
    manifest = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert [r["name"] for r in manifest["resources"]] == [t.name for t in spec.tables]
    assert [s["id"] for s in manifest["cpt:systems"]] == [s.id for s in spec.system]
    for r in manifest["resources"]:  # every dimension states its role and rule
        for f in r["schema"]["fields"][: len(r["cpt:dimensions"])]:
            assert f["cpt:role"] and f["cpt:rule"]["attributes"], (r["name"], f["name"])


CHILD_WELFARE = """
[[system]]
id = "child_welfare"
label = { en = "Child welfare", es = "Bienestar infantil" }
file = "child_welfare_cases"
person = "case_person_id"
date = "case_opened"
end_date = "case_closed"

[system.attributes.case_type]
column = "case_type"
codebook = ["Investigation", "In-home services", "Out-of-home care"]
"""


def test_a_new_system_is_a_spec_edit_and_a_file(tmp_path):
    text = DEMO_SPEC.read_text(encoding="utf-8")
    text = text.replace("[program]", CHILD_WELFARE + "\n[program]", 1)
    text = text.replace(
        'dimensions = ["jail", "homeless", "ems", "ed"]',
        'dimensions = ["jail", "homeless", "ems", "ed", "child_welfare"]',
    )
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    spec = load_spec(path)
    synth.write(synth.synthesize(3000, seed=8, spec=spec), tmp_path / "in")
    assert (tmp_path / "in" / "child_welfare_cases.csv").exists()
    publish(tmp_path / "in", tmp_path / "out", path, seed=2, log=lambda _: None)
    assert audit_release(tmp_path / "out").ok
    manifest = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    res = {r["name"]: r for r in manifest["resources"]}
    assert "child_welfare" in res["system_overlap"]["cpt:dimensions"]
    used = next(f for f in res["people_by_systems_used"]["schema"]["fields"] if f["name"] == "systems_used")
    assert used["constraints"]["enum"] == ["0", "1", "2", "3", "4", "5", "Total"]
    monthly = next(f for f in res["monthly_contacts"]["schema"]["fields"] if f["name"] == "system")
    assert "Child welfare" in monthly["constraints"]["enum"]


def test_a_team_with_two_systems_supplies_two_event_files_and_people(tmp_path):
    spec_text = """
[release]
title = "Two systems"
description = "Synthetic."
publisher = "Test"
synthetic = true
period = { start = 2024-01-01, end = 2025-06-30 }
export_date = 2025-07-31

[people.attributes.gender]
column = "gender"
codebook = ["Woman", "Man", "Non-binary"]

[[system]]
id = "shelter"
label = { en = "Shelter", es = "Albergue" }
file = "shelter_stays"
date = "entry"
end_date = "exit"

[[system]]
id = "ems"
label = { en = "EMS", es = "Ambulancia" }
file = "ems_runs"
date = "run_date"

[[table]]
name = "overlap"
title = "Overlap"
description = "People by system used."
kind = "people"
dimensions = ["shelter", "ems"]
protection = { method = "suppression" }

[[table]]
name = "by_system"
title = "People by system"
description = "People who used each system."
kind = "people"
dimensions = ["system", "gender"]
protection = { method = "suppression" }
"""
    path = tmp_path / "two.toml"
    path.write_text(spec_text, encoding="utf-8")
    spec = load_spec(path)
    assert spec.input_files() == ["people", "shelter_stays", "ems_runs"]
    synth.write(synth.synthesize(1500, seed=3, spec=spec), tmp_path / "in")
    assert sorted(p.name for p in (tmp_path / "in").glob("*.csv")) == [
        "ems_runs.csv",
        "people.csv",
        "shelter_stays.csv",
    ]
    publish(tmp_path / "in", tmp_path / "out", path, seed=1, log=lambda _: None)
    report = audit_release(tmp_path / "out")
    assert report.ok, report.text()


CUSTOM = """
[[population]]
id = "bookings_2025"
description = "Jail bookings in 2025, one unit per booking"
unit = "booking"
sql = '''
SELECT person_id, charge_level, CASE WHEN release_date IS NULL THEN 'In custody' ELSE 'Released' END AS status
FROM jail_bookings WHERE booking_date >= DATE '2025-01-01'
'''
person = "person_id"

[population.attributes.charge_level]
column = "charge_level"
codebook = ["Felony", "Misdemeanor", "Other"]

[population.attributes.status]
column = "status"
codebook = ["Released", "In custody"]

[[table]]
name = "bookings_by_charge"
title = "Bookings in 2025 by charge level"
description = "Bookings, not people."
kind = "custom"
population = "bookings_2025"
dimensions = ["charge_level", "status"]
protection = { method = "dp", epsilon = 0.5, max_units_per_person = 3 }
"""


def test_a_custom_population_is_one_sql_query(tmp_path, county_input):
    text = DEMO_SPEC.read_text(encoding="utf-8").replace("epsilon_budget = 2.0", "epsilon_budget = 2.5") + CUSTOM
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    publish(county_input, tmp_path / "out", path, seed=3, log=lambda _: None)
    assert audit_release(tmp_path / "out").ok
    manifest = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    res = next(r for r in manifest["resources"] if r["name"] == "bookings_by_charge")
    assert res["cpt:universeId"] == "bookings_2025" and res["cpt:kind"] == "custom"
    assert res["cpt:attributes"]["charge_level"] == ["Felony", "Misdemeanor", "Other", "Not recorded"]


def test_a_custom_query_cannot_read_other_files(tmp_path, county_input):
    from cpt_public.errors import InputError

    text = DEMO_SPEC.read_text(encoding="utf-8").replace("epsilon_budget = 2.0", "epsilon_budget = 2.5")
    text += CUSTOM.replace("FROM jail_bookings WHERE", f"FROM read_csv('{county_input / 'jail_bookings.csv'}') WHERE")
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="its sql failed"):
        publish(county_input, tmp_path / "out", path, seed=3, log=lambda _: None)
    assert not (tmp_path / "out").exists()
