"""Every page, in both languages, under streamlit.testing.v1.AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from cpt_public.site.content import load_content
from tests.conftest import ROOT

PAGES = [
    "app_pages/home.py",
    "app_pages/findings.py",
    "app_pages/briefing.py",
    "app_pages/walk.py",
    "app_pages/feedback.py",
    "app_pages/about.py",
    "app_pages/staff_signin.py",
]
BANNER = {"en": "Synthetic demonstration data", "es": "Datos sintéticos de demostración"}


def app(monkeypatch, release_path=None, lang="en", content_path=None, **state) -> AppTest:
    if release_path is not None:
        monkeypatch.setenv("CPT_RELEASE_DIR", str(release_path))
    if content_path is not None:
        monkeypatch.setenv("CPT_CONTENT_DIR", str(content_path))
    from cpt_public import cached

    cached._release.clear()
    cached._content.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = lang
    for k, v in state.items():
        at.session_state[k] = v
    return at


def numbers(at: AppTest):
    """The finding's table of numbers: a plain table when short, the data grid when long."""
    return (at.table or at.dataframe)[0].value


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(monkeypatch, page, lang):
    at = app(monkeypatch, lang=lang)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert BANNER[lang] in at.warning[0].value
    assert at.title, "every page has a title (an h1)"
    nav = load_content().translator(lang)
    if page.endswith("findings.py"):
        assert at.title[0].value == nav("nav_findings")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_finding_shows_takeaway_table_source_and_downloads(monkeypatch, county_release, lang):
    site = load_content()
    for f in site.findings:
        at = app(monkeypatch, county_release, lang=lang, finding=f.id)
        at.switch_page("app_pages/findings.py").run()
        assert not at.exception, (f.id, at.exception)
        assert at.header[0].value == f.title[lang]
        assert at.dataframe or at.table, f.id
        bold = [m.value for m in at.markdown if m.value.startswith("**")]
        assert bold and "{" not in bold[0]
        assert any(site.translator(lang)("population") in m.value for m in at.markdown)
        labels = [b.label for b in at.get("download_button")]
        assert len(labels) == 3, labels


def test_filters_change_the_view(monkeypatch):
    at = app(monkeypatch, finding="monthly_contacts")
    at.switch_page("app_pages/findings.py").run()
    rows_all = len(numbers(at))
    at.multiselect(key="monthly_contacts_systems").set_value(["Jail"]).run()
    assert not at.exception
    assert len(numbers(at)) == rows_all // 4
    at.select_slider(key="monthly_contacts_years").set_value((2025, 2025)).run()
    assert len(numbers(at)) == 12


def test_demographic_and_outcome_filters(monkeypatch):
    at = app(monkeypatch, finding="demographics", demographics_group="race_ethnicity")
    at.switch_page("app_pages/findings.py").run()
    assert not at.exception and "Race/ethnicity" in numbers(at).columns[0]
    at = app(monkeypatch, finding="program_outcomes", program_outcomes_outcome="Homeless services entry")
    at.switch_page("app_pages/findings.py").run()
    assert not at.exception and "Homeless services entry" in numbers(at).columns


def test_language_switch(monkeypatch):
    at = app(monkeypatch)
    at.run()
    assert at.title[0].value.startswith("Millbrook County")
    at.session_state["lang"] = "es"
    at.run()
    assert at.title[0].value.startswith("Equipo de Planificación")


@pytest.mark.parametrize("breakage", ["missing", "empty", "tampered"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_broken_release_shows_a_clear_page(monkeypatch, tmp_path, release_copy, breakage, lang):
    if breakage == "missing":
        target = tmp_path / "nothing-here"
    elif breakage == "empty":
        target = tmp_path / "empty"
        target.mkdir()
    else:
        path = release_copy / "tables" / "people_by_systems_used.parquet"
        path.write_bytes(path.read_bytes()[:-10])
        target = release_copy
    at = app(monkeypatch, target, lang=lang)
    at.run()
    assert not at.exception
    assert at.title[0].value == load_content().translator(lang)("broken_title")
    expected = {"missing": "does not exist", "empty": "no datapackage.json", "tampered": "people_by_systems_used"}[
        breakage
    ]
    assert expected in at.error[0].value


def test_broken_content_shows_a_clear_page(monkeypatch, tmp_path):
    import shutil

    from cpt_public.site.content import CONTENT_DIR

    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    text = (
        (tmp_path / "content" / "findings.toml")
        .read_text()
        .replace('table = "people_by_systems_used"', 'table = "nope"', 1)
    )
    (tmp_path / "content" / "findings.toml").write_text(text)
    monkeypatch.setenv("CPT_CONTENT_DIR", str(tmp_path / "content"))
    at = app(monkeypatch)
    at.run()
    assert not at.exception
    assert "names table 'nope', which this release does not have" in at.error[0].value


def test_shipped_demo_release_loads():
    from cpt_public.release.catalog import DEFAULT_RELEASE, load_release

    release = load_release(DEFAULT_RELEASE)
    assert release.synthetic


def test_pages_use_no_faded_captions():
    """Streamlit's caption grey is just under WCAG AA contrast (axe flags it): notes are normal text."""
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        assert "st.caption(" not in path.read_text(encoding="utf-8"), path.name
