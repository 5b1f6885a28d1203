"""Any release in a real browser: the reentry team's and a degenerate release, each with the
content `init` drafts for it, at desktop and phone sizes — no exception, no sideways scroll, the
draft banner, and no serious or critical axe violation."""

from __future__ import annotations

import pytest

from benchmarks.serve import streamlit_server
from cpt_public.site.content import load_content
from tests.e2e.conftest import SIZES, open_page

TEAMS = ["reentry", "degenerate"]


@pytest.fixture(scope="module", params=TEAMS)
def team_server(request, team_site, tmp_path_factory):
    release, content = team_site(request.param)
    env = {
        "CPT_RELEASE_DIR": str(release),
        "CPT_CONTENT_DIR": str(content),
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'feedback.sqlite'}",
        "CPT_DEMO_STAFF": None,
        "CPT_PUBLIC_URL": None,
    }
    with streamlit_server(env=env, log=tmp_path_factory.mktemp("server") / "streamlit.log") as (url, _):
        yield url, load_content(content)


def paths(site) -> list[str]:
    return [
        "/",
        *(f"/findings?finding={f.id}" for f in site.findings),
        "/briefing",
        "/walk",
        "/walk?mode=kiosk",
        "/walk?mode=facilitator",
        "/about",
    ]


@pytest.mark.slow
def test_every_page_of_a_team_release_in_the_browser(team_server, page):
    from axe_playwright_python.sync_playwright import Axe

    server, site = team_server
    for lang in ("en", "es"):
        for path in paths(site) if lang == "en" else ["/", f"/findings?finding={site.findings[-1].id}", "/walk"]:
            sep = "&" if "?" in path else "?"
            open_page(page, f"{server}{path}{sep}lang={lang}")
            page.wait_for_timeout(400)  # charts finish drawing
            where = f"{path} ({lang}, {page.size_name})"
            assert page.locator("[data-testid='stException']").count() == 0, where
            alerts = page.locator("[data-testid='stAlert']").all_inner_texts()
            banner = "Draft content" if lang == "en" else "Contenido en borrador"
            assert any(banner in a for a in alerts), (where, alerts)
            width = page.viewport_size["width"]
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{where} scrolls sideways"
            bad = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
            assert not bad, (
                where
                + "\n"
                + "\n".join(
                    f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad
                )
            )


@pytest.mark.slow
def test_a_team_releases_light_pages_in_the_browser(team_server, browser):
    """Stations, the closing screen, kiosks and embeds of a team's own release: no error, the
    draft banner, nothing wider than the screen, no serious accessibility violation."""
    from axe_playwright_python.sync_playwright import Axe

    server, site = team_server
    walk = site.walks.walk[0]
    light = [
        *(f"/s/{walk.id}/{n}" for n in range(1, len(walk.stations) + 1)),
        f"/s/{walk.id}/end",
        *(f"/embed/{f.id}" for f in site.findings),
    ]
    for size, viewport in {**SIZES, "kiosk": {"width": 1920, "height": 1080}}.items():
        context = browser.new_context(viewport=viewport)
        pg = context.new_page()
        for path in light if size != "kiosk" else [f"/kiosk/{walk.id}/{n}" for n in range(1, len(walk.stations) + 1)]:
            for lang in ("en", "es"):
                response = pg.goto(f"{server}{path}?lang={lang}")
                where = f"{path} ({lang}, {size})"
                assert response.status == 200, where
                assert ("Draft content" if lang == "en" else "Contenido en borrador") in pg.content(), where
                width = pg.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], f"{where} scrolls sideways"
                if size == "kiosk":
                    assert pg.evaluate("document.documentElement.scrollHeight") <= 1080, f"{where} scrolls"
                bad = [v for v in Axe().run(pg).response["violations"] if v["impact"] in ("serious", "critical")]
                assert not bad, where + ": " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)
        context.close()
