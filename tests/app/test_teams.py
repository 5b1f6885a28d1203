"""Any release on screen: every page, in both languages, on the example teams' releases and a
degenerate one, with the content `init` drafts for each — no exception, takeaways equal to what
the release supports, nothing said about a system the team lacks, a draft banner until the
placeholders are filled."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from cpt_public.release.catalog import load_release
from cpt_public.release.spec import SPECS, load_spec
from cpt_public.site.charts import build
from cpt_public.site.content import load_content
from cpt_public.site.text import takeaway
from tests.app.test_app import app
from tests.conftest import ROOT, TEAMS, fill_placeholders

PAGES = [
    "app_pages/home.py",
    "app_pages/briefing.py",
    "app_pages/feedback.py",
    "app_pages/about.py",
    "app_pages/staff_signin.py",
]


def foreign_systems(team: str) -> re.Pattern:
    """Every system label of the other example teams (and the demo) that this team lacks."""
    own = {s.label.en for s in load_spec(TEAMS[team][0]).system} | {
        s.label.es for s in load_spec(TEAMS[team][0]).system
    }
    others = set()
    for path in SPECS.glob("*.toml"):
        for s in load_spec(path).system:
            others |= {s.label.en, s.label.es}
    lacking = sorted(others - own, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, lacking)) + r")\b")


def texts(at: AppTest) -> list[str]:
    out = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "warning", "info")
        for e in at.get(kind)
    ]
    out += [f"{m.label} {m.value}" for m in at.metric]
    for t in list(at.table) + list(at.dataframe):
        out.append(t.value.to_string())
    return [str(x) for x in out]


def run(monkeypatch, release, content, lang, page=None, **state) -> AppTest:
    at = app(monkeypatch, release, lang, content_path=content, **state)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def check_words(at: AppTest, team: str, where: str) -> None:
    foreign = foreign_systems(team)
    for text in texts(at):
        assert not foreign.search(text), f"{where}: names a system {team} lacks: {text[:200]!r}"
        assert "{" not in text or "Vega" in text, f"{where}: an unfilled placeholder: {text[:200]!r}"
        assert not re.search(r"\bsuppressed (people|of them|personas)", text), f"{where}: {text[:200]!r}"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("team", list(TEAMS))
def test_every_page_and_finding_on_a_team_release(monkeypatch, team_site, team, lang):
    release, content = team_site(team)
    site, data = load_content(content), load_release(release)
    tr = site.translator(lang)
    draft = site.translator(lang)("draft_banner", n=len(site.placeholders)).replace("**", "")
    for page in PAGES:
        at = run(monkeypatch, release, content, lang, page)
        assert at.title, page
        assert any(draft in w.value.replace("**", "") for w in at.warning), f"{page}: no draft banner"
        check_words(at, team, f"{team} {page} {lang}")
    for f in site.findings:
        at = run(monkeypatch, release, content, lang, "app_pages/findings.py", finding=f.id)
        assert at.header[0].value == f.title[lang]
        expected, _ = takeaway(f, build(data, f, tr).facts, tr)
        shown = [m.value for m in at.markdown if m.value.startswith("**")]
        assert f"**{expected}**" in shown, (f.id, expected, shown)
        check_words(at, team, f"{team} finding {f.id} {lang}")
    at = run(monkeypatch, release, content, lang, "app_pages/walk.py")
    walk = site.walks.walk[0]
    for n in range(1, len(walk.stations) + 1):
        assert any(m.value == f"**{tr('station_of', n=n, m=len(walk.stations))}**" for m in at.markdown)
        check_words(at, team, f"{team} station {n} {lang}")
        if n < len(walk.stations):
            at = at.button(key="walk_next").click().run()
            assert not at.exception, at.exception
    for mode in ("kiosk", "facilitator"):
        at = run(monkeypatch, release, content, lang)
        at.query_params["mode"] = mode
        at.switch_page("app_pages/walk.py").run()
        assert not at.exception, (mode, at.exception)


@pytest.mark.slow
def test_home_headlines_are_the_findings_facts(monkeypatch, team_site):
    release, content = team_site("degenerate")
    site, data = load_content(content), load_release(release)
    at = run(monkeypatch, release, content, "en", "app_pages/home.py")
    tr = site.translator("en")
    for h in site.site.headlines:
        fact = build(data, site.finding(h.finding), tr).facts[h.fact]
        shown = fact.text if fact.state not in ("hidden", "none") else "—"
        assert any(m.label == h.label["en"] and m.value == shown for m in at.metric), h


def test_the_draft_banner_goes_once_placeholders_are_filled(monkeypatch, team_site, tmp_path):
    import shutil

    release, content = team_site("hmis_only")
    filled = tmp_path / "content"
    shutil.copytree(content, filled)
    fill_placeholders(filled)
    assert load_content(filled, release=load_release(release)).placeholders == ()
    at = run(monkeypatch, release, filled, "en", "app_pages/home.py")
    assert not any("Draft content" in w.value for w in at.warning)
    assert any("Synthetic" in w.value for w in at.warning)  # the release is still synthetic, and says so


def test_demonstration_words_beside_a_real_release_are_flagged_as_a_draft(monkeypatch, release_copy):
    import json

    manifest = release_copy / "datapackage.json"
    data = json.loads(manifest.read_text())
    data["cpt:synthetic"] = False
    manifest.write_text(json.dumps(data))
    at = run(monkeypatch, release_copy, ROOT / "content", "en", "app_pages/home.py")
    assert any("Draft content" in w.value for w in at.warning)
