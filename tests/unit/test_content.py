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
    replace(
        content_copy / "ui.toml",
        'language = { en = "Language", es = "Idioma" }',
        'language = { en = "Language", es = " " }',
    )
    with pytest.raises(ContentError, match="ui.language.es: Value error, is blank"):
        load_content(content_copy)


def test_an_unknown_table_is_named(content_copy):
    replace(content_copy / "findings.toml", 'table = "frequent_jail_use"', 'table = "frequent_flyers"')
    with pytest.raises(ContentError, match="needs table 'frequent_flyers', which this release does not have"):
        load_content(content_copy, release=load_release())


def test_an_unknown_chart_is_named(content_copy):
    replace(content_copy / "findings.toml", 'chart = "frequent"', 'chart = "pie"')
    with pytest.raises(ContentError, match="asks for chart 'pie'"):
        load_content(content_copy)


def test_a_takeaway_citing_an_unknown_fact_is_refused(content_copy):
    replace(content_copy / "findings.toml", "{four} used all four.", "{five} used all five.")
    with pytest.raises(ContentError, match=r"cites \['five'\]"):
        load_content(content_copy)


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
