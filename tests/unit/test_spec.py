"""The release spec: the demo loads; mistakes get a clear error before any data is read."""

from __future__ import annotations

import pytest

from cpt_public.errors import SpecError
from cpt_public.release.spec import DEMO_SPEC, load_spec, parse_band

DEMO = DEMO_SPEC.read_text(encoding="utf-8")


def spec_with(tmp_path, text: str):
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path)


def test_demo_spec_loads():
    spec = load_spec()
    assert spec.release.synthetic and spec.release.threshold == 11 and spec.protection_range == 11
    assert {t.name for t in spec.tables} >= {
        "people_by_systems_used",
        "system_overlap",
        "monthly_contacts",
        "housing_outcomes",
        "frequent_jail_use",
        "release_transitions",
        "service_use_cost",
    }


@pytest.mark.parametrize(
    "change,message",
    [
        (
            ('column = "gender"\ncodebook = ["Female", "Male", "Another gender identity"]', 'column = "gender"', 1),
            "people.attributes.gender.codebook.codebook: Field required",
        ),
        (
            ('birth_year = "birth_year"', 'birth_year = "birth_year"\nbirth_date = "dob"', 1),
            "people.attributes.age_group.age: .*give one of birth_year or birth_date",
        ),
        (
            ('file = "ems_encounters"', 'file = "ems_encounters"\ncolour = "red"', 1),
            "system 'ems': colour: Extra inputs",
        ),
    ],
)
def test_spec_mistakes_name_the_key(tmp_path, change, message):
    old, new, count = change
    assert old in DEMO
    with pytest.raises(SpecError, match=message):
        spec_with(tmp_path, DEMO.replace(old, new, count))


@pytest.mark.parametrize(
    "change,message",
    [
        (('kind = "people"', 'kind = "peeple"', 1), "kind"),
        (('dimensions = ["systems_used"]', 'dimensions = ["systems_usd"]', 1), "has no dimension 'systems_usd'"),
        (('"25-34", "35-44"', '"25-30", "35-44"', 1), "should start at 31"),
        (('protection = { method = "suppression" }', 'protection = { method = "dp" }', 1), "needs an epsilon"),
        (
            ('protection = { method = "suppression" }', 'protection = { method = "suppression", epsilon = 1.0 }', 1),
            "takes no epsilon",
        ),
        (("threshold = 11", "threshold = 1", 1), "threshold"),
        (("[release]", "[release]\nsurprise = 1", 1), "surprise"),
        (("end = 2025-12-31", "end = 2021-12-31", 1), "period end must be after its start"),
        (('name = "people_by_systems_used"', 'name = "system_overlap"', 1), "table names must be unique"),
        (
            (
                'dimensions = ["followup_window", "outcome", "group"]\nprotection = { method = "suppression" }',
                'dimensions = ["followup_window", "outcome", "group"]\nprotection = { method = "dp", epsilon = 0.1 }',
                1,
            ),
            "categories do not overlap",
        ),
        (
            ('system = "jail"\nwindow_days = 365', 'system = "probation"\nwindow_days = 365', 1),
            "'probation' is not a system",
        ),
        (('"Jail booking" = "jail"', '"Jail booking" = "jail.shelter"', 1), "'jail.shelter' is not a system"),
        (
            ('where = { project_type = ["Emergency Shelter"', 'where = { project_kind = ["Emergency Shelter"', 1),
            "'project_kind' is not one of this system's attributes",
        ),
        (
            ('where = { project_type = ["Emergency Shelter"', 'where = { project_type = ["Hotel"', 1),
            "not in the codebook",
        ),
        (
            (
                'kind = "people"\ndimensions = ["systems_used"]',
                'kind = "people"\nwindow_days = 30\ndimensions = ["systems_used"]',
                1,
            ),
            "kind 'people' takes no window_days",
        ),
        (("after_days = 30\n", "", 1), "kind 'transitions' needs after_days"),
        (("[people.attributes.gender]", "[people.attributes.jail]", 1), "'jail' is already"),
        (("[people.attributes.gender]", "[people.attributes.month]", 1), "reserved"),
        (
            (
                'not_recorded = "Unknown"\n\n[people.attributes.race_ethnicity]',
                'not_recorded = "Male"\n\n[people.attributes.race_ethnicity]',
                1,
            ),
            "not_recorded",
        ),
        (('population = "recent_bookings"', 'population = "jail_releases"', 1), "already a different population"),
        (("window_days = 365\nevent_bands", "window_days = 5000\nevent_bands", 1), "longer than the period"),
        (('id = "ems"', 'id = "ed"', 1), "system names must be unique"),
        (
            ('dimensions = ["ed", "homeless.shelter"]', 'dimensions = ["ed", "homeless.hotel"]', 1),
            "has no dimension 'homeless.hotel'",
        ),
    ],
)
def test_spec_mistakes_are_explained(tmp_path, change, message):
    old, new, count = change
    assert old in DEMO
    with pytest.raises(SpecError, match=message):
        spec_with(tmp_path, DEMO.replace(old, new, count))


def test_a_suppression_table_cannot_count_contacts(tmp_path):
    text = DEMO.replace(
        'protection = { method = "dp", epsilon = 0.5, max_units_per_person = 4, max_value_per_unit = 12 }',
        'protection = { method = "suppression" }',
    )
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


def test_one_population_is_protected_one_way(tmp_path):
    # A noisy table of the people behind the suppressed overlap table would publish an estimate of
    # every hidden cell ("a hidden 5 shown as 7 ± 2"), which the suppression audit cannot see.
    old = 'totals = false\nprotection = { method = "suppression" }'
    assert old in DEMO
    with pytest.raises(
        SpecError, match=r"population 'people' has suppressed tables .* and noisy ones \(system_overlap\)"
    ):
        spec_with(tmp_path, DEMO.replace(old, 'totals = false\nprotection = { method = "dp", epsilon = 0.5 }'))


@pytest.mark.parametrize("epsilon", ["inf", "nan", "1e6", "0", "-1"])
def test_an_epsilon_that_protects_nothing_is_refused_clearly(tmp_path, epsilon):
    old = 'method = "dp+suppression", epsilon = 0.5'
    assert old in DEMO
    with pytest.raises(SpecError) as info:
        spec_with(tmp_path, DEMO.replace(old, f'method = "dp+suppression", epsilon = {epsilon}'))
    text = str(info.value)
    assert "table" in text and "epsilon" in text and "Traceback" not in text
    assert any(w in text for w in ("finite", "less than or equal to 10", "greater than 0"))
