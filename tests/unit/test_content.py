"""Site content: complete in every language, consistent with the release, errors at start-up."""

from __future__ import annotations

import shutil

import pytest

from cpt_public.release.catalog import load_release
from cpt_public.site.content import CONTENT_DIR, ContentError, load_content


@pytest.fixture()
def content_copy(tmp_path):
    dst = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, dst)
    return dst


def replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_demo_content_matches_the_shipped_release_and_a_small_county(county_release):
    for release in (load_release(), load_release(county_release)):
        content = load_content(release=release)
        assert [f.id for f in content.findings][0] == "systems_used"


def test_a_missing_translation_is_named(content_copy):
    replace(
        content_copy / "findings.toml",
        'title = { en = "Frequent jail use", es = "Ingresos frecuentes a la cárcel" }',
        'title = { en = "Frequent jail use" }',
    )
    with pytest.raises(ContentError, match=r"findings.toml:\n  finding.4.title.es: no Español text"):
        load_content(content_copy)


def test_a_blank_translation_is_refused(content_copy):
    replace(content_copy / "ui.toml", "[ui]\n", '[ui]\nlanguage = { en = "Language", es = " " }\n')
    with pytest.raises(ContentError, match="ui.language.es: Value error, is blank"):
        load_content(content_copy)


def test_the_product_words_come_from_the_package_and_content_overrides_them(content_copy):
    """A team's ui.toml need not hold the product's words: new ones reach every site, and a team
    may still change any of them."""
    assert load_content(content_copy).translator("es")("language") == "Idioma"
    replace(content_copy / "ui.toml", "[ui]\n", '[ui]\nlanguage = { en = "Tongue", es = "Lengua" }\n')
    assert load_content(content_copy).translator("es")("language") == "Lengua"


def test_an_unknown_table_is_named(content_copy):
    replace(content_copy / "findings.toml", 'table = "frequent_jail_use"', 'table = "frequent_flyers"')
    with pytest.raises(ContentError, match="names table 'frequent_flyers', which this release does not have"):
        load_content(content_copy, release=load_release())


def test_a_chart_that_cannot_show_its_table_is_named(content_copy):
    replace(content_copy / "findings.toml", 'table = "frequent_jail_use"', 'table = "frequent_jail_use"\nchart = "pie"')
    with pytest.raises(
        ContentError, match="finding 'frequent_jail_use': table 'frequent_jail_use' cannot be drawn.*'pie'"
    ):
        load_content(content_copy, release=load_release())


def test_a_takeaway_citing_an_unknown_fact_is_refused(content_copy):
    replace(content_copy / "findings.toml", "{four} used all four.", "{five} used all five.")
    with pytest.raises(ContentError, match=r"cites \['five'\].*declare them under \[finding.facts\]"):
        load_content(content_copy, release=load_release())


def test_every_problem_is_reported_at_once_saying_who_is_at_fault(content_copy):
    replace(content_copy / "findings.toml", "{four} used all four.", "{five} used all five.")
    replace(content_copy / "findings.toml", 'table = "frequent_jail_use"', 'table = "frequent_flyers"')
    replace(content_copy / "ui.toml", 'gender = { en = "Gender", es = "Género" }\n', "")
    replace(content_copy / "site.toml", 'fact = "multi_share"', 'fact = "multi_shares"')
    replace(
        content_copy / "findings.toml",
        'facts.four = { cells = { systems_used = "4" } }',
        'facts.four = { cells = { systems_used = "5" } }',
    )
    with pytest.raises(ContentError) as err:
        load_content(content_copy, release=load_release())
    text = str(err.value)
    assert text.startswith("5 problem(s)")
    for part in (
        "cites ['five']",
        "names table 'frequent_flyers'",
        "dimension 'gender' (table 'gender_by_multi_system') has no name",
        "headlines: finding 'systems_used' has no fact 'multi_shares'",
        "fact 'four': dimension 'systems_used' of table 'people_by_systems_used' has no category '5'",
    ):
        assert part in text, part
    assert all(line.startswith("  - content: ") for line in text.splitlines()[1:])


def test_a_sum_over_overlapping_categories_is_refused(content_copy):
    text = (content_copy / "findings.toml").read_text(encoding="utf-8")
    text = text.replace(
        'table = "housing_outcomes"\n',
        'table = "housing_outcomes"\nfacts.both = { cells = { followup_window = "@first", group = "Program", '
        'outcome = ["Jail booking", "Emergency department visit"] } }\n',
    )
    (content_copy / "findings.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match="categories overlap .* cannot be added up"):
        load_content(content_copy, release=load_release())


def test_placeholders_are_listed_and_demo_words_beside_a_real_release_are_a_draft(content_copy):
    assert load_content(content_copy).placeholders == ()
    replace(content_copy / "site.toml", 'vision = { en = "A county', 'vision = { en = "TODO: A county')
    content = load_content(content_copy)
    assert content.placeholders == ("site.toml: team.vision.en",)

    class Real:
        synthetic = False

    assert content.draft(Real())[0].startswith("site.toml: demonstration = true")


def test_a_category_without_a_label_is_named(content_copy):
    replace(content_copy / "ui.toml", '"Asian" = { en = "Asian", es = "Asiático" }\n', "")
    with pytest.raises(ContentError, match="category 'Asian'.*has no label"):
        load_content(content_copy, release=load_release())


def test_broken_toml(content_copy):
    (content_copy / "site.toml").write_text("[team\n", encoding="utf-8")
    with pytest.raises(ContentError, match="site.toml is not valid TOML"):
        load_content(content_copy)


def test_a_population_without_a_name_is_named(content_copy):
    text = (content_copy / "ui.toml").read_text(encoding="utf-8")
    start = text.index("recent_bookings = {")
    (content_copy / "ui.toml").write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")
    with pytest.raises(ContentError, match="population 'recent_bookings'.*has no name"):
        load_content(content_copy, release=load_release())


def test_populations_are_translated():
    tr = load_content().translator("es")
    assert tr.population("people", "x") == "Todas las personas en los datos vinculados"
