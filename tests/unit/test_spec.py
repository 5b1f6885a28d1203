"""The release spec: the demo loads; mistakes get a clear error before any data is read."""

from __future__ import annotations

import pytest

from cpt_public.errors import SpecError
from cpt_public.spec import DEMO_SPEC, load_spec, parse_band

DEMO = DEMO_SPEC.read_text(encoding="utf-8")


def spec_with(tmp_path, text: str):
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path)


def test_demo_spec_loads():
    spec = load_spec()
    assert spec.release.synthetic and spec.release.threshold == 11 and spec.protection_range == 11
    assert {t.name for t in spec.tables} >= {"systems_used", "system_overlap", "monthly_contacts", "program_outcomes",
                                             "frequent_jail_use", "release_transitions", "service_use_cost"}


@pytest.mark.parametrize("change,message", [
    (("universe = \"people\"", "universe = \"peeple\"", 1), "unknown universe 'peeple'"),
    (("dimensions = [\"systems_used\"]", "dimensions = [\"systems_usd\"]", 1), "has no dimension 'systems_usd'"),
    (("\"25-34\", \"35-44\"", "\"25-30\", \"35-44\"", 1), "should start at 31"),
    (("protection = { method = \"suppression\" }", "protection = { method = \"dp\" }", 1), "needs an epsilon"),
    (("protection = { method = \"suppression\" }", "protection = { method = \"suppression\", epsilon = 1.0 }", 1), "takes no epsilon"),
    (("threshold = 11", "threshold = 1", 1), "threshold"),
    (("[release]", "[release]\nsurprise = 1", 1), "surprise"),
    (("end = 2025-12-31", "end = 2021-12-31", 1), "period end must be after its start"),
    (("name = \"systems_used\"", "name = \"system_overlap\"", 1), "table names must be unique"),
    (("dimensions = [\"followup_window\", \"outcome\", \"group\"]\nprotection = { method = \"suppression\" }",
      "dimensions = [\"followup_window\", \"outcome\", \"group\"]\nprotection = { method = \"dp\", epsilon = 0.1 }", 1),
     "categories do not overlap"),
    (("[unit_costs.\"EMS\"]", "[unit_costs.\"Ambulance\"]", 1), "not systems"),
])
def test_spec_mistakes_are_explained(tmp_path, change, message):
    old, new, count = change
    assert old in DEMO
    with pytest.raises(SpecError, match=message):
        spec_with(tmp_path, DEMO.replace(old, new, count))


def test_a_suppression_table_cannot_count_contacts(tmp_path):
    text = DEMO.replace('protection = { method = "dp", epsilon = 0.5, max_units_per_person = 4, max_value_per_unit = 12 }',
                        'protection = { method = "suppression" }')
    with pytest.raises(SpecError, match="counts contacts, not people"):
        spec_with(tmp_path, text)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(SpecError, match="does not exist"):
        load_spec(tmp_path / "nope.toml")
    with pytest.raises(SpecError, match="not valid TOML"):
        spec_with(tmp_path, "[release\n")


def test_band_labels():
    assert parse_band("18-24") == (18, 25)
    assert parse_band("65+") == (65, float("inf"))
    assert parse_band("Under 18") == (0, 18)
    assert parse_band("Months 7-12") == (7, 13)
    with pytest.raises(SpecError):
        parse_band("about forty")
