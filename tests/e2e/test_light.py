"""Light station pages in Chromium through serve.py: a phone visitor walks every station with the
keyboard alone and answers each, with scripts off; nothing overflows a phone's width; axe finds
no serious or critical violations."""

from __future__ import annotations

import pytest

from benchmarks.visitors import run_tag
from cpt_public.feedback.store import FeedbackStore
from cpt_public.site.content import load_content
from tests.e2e.conftest import SERVER_DB, SIZES, response_headers

RUN = run_tag()
SITE = load_content()


def no_overflow(pg) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= pg.viewport_size["width"], f"{pg.url}: the page is {width}px wide"


def tab_to(pg, name: str, limit: int = 80):
    """Press Tab until the focused element's accessible text is ``name``; fail if it never is."""
    for _ in range(limit):
        pg.keyboard.press("Tab")
        focused = pg.evaluate(
            "() => { const e = document.activeElement; return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText || e.value || '').trim(); }"
        )
        if focused == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with Tab on {pg.url}")


def test_a_phone_visitor_walks_every_station_by_keyboard_with_scripts_off(server, browser):
    walk = SITE.walks.walk[0]
    FeedbackStore(SERVER_DB[server]).add_event("facilitator", f"LIGHT-{RUN}", walk.id, "Light walk test")
    context = browser.new_context(viewport=SIZES["phone"], locale="en-US", java_script_enabled=False)
    pg = context.new_page()
    pg.goto(f"{server}/s/{walk.id}/1?lang=en&event=LIGHT-{RUN}")
    m = len(walk.stations)
    for n, station in enumerate(walk.stations, 1):
        assert pg.locator("h1").inner_text() == SITE.finding(station).title["en"]
        assert pg.get_by_text(f"Station {n} of {m}", exact=True).count() == 1
        no_overflow(pg)
        # the chart comes before the form, named for screen readers
        chart = pg.get_by_role("img").first
        assert len(chart.get_attribute("aria-label")) > 20
        tab_to(pg, "Yes")  # a radio group is one tab stop; arrows choose within it
        pg.keyboard.press("ArrowRight")
        assert pg.get_by_role("radio", name="Partly").is_checked()
        pg.keyboard.press("Tab")
        pg.keyboard.type(f"Light {n}: partly. Call me at 919-555-0134.")
        tab_to(pg, "Send")
        focus_ring = pg.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focus_ring != "none"  # a visible focus ring on the control in focus
        pg.keyboard.press("Enter")
        pg.wait_for_load_state()
        assert pg.get_by_role("status").inner_text().startswith("Thank you")
        assert pg.get_by_text("[phone]").count() >= 1
        tab_to(pg, "Next station" if n < m else "Finish the walk")
        pg.keyboard.press("Enter")
        pg.wait_for_load_state()
    assert pg.locator("h1").inner_text() == "Thank you for walking with us"
    rows = FeedbackStore(SERVER_DB[server]).frame()
    ours = rows[rows["event"] == f"LIGHT-{RUN}"].set_index("station")
    for n, station in enumerate(walk.stations, 1):
        assert ours.loc[station, "comment"] == f"Light {n}: partly. Call me at [phone]."
        assert ours.loc[station, "reflects"] == "partly"
    context.close()


def test_the_interactive_page_is_one_link_away(server, browser):
    walk = SITE.walks.walk[0]
    context = browser.new_context(viewport=SIZES["phone"], locale="es-US")
    pg = context.new_page()
    pg.goto(f"{server}/s/{walk.id}/2")  # no ?lang: the browser's language
    assert pg.locator("html").get_attribute("lang") == "es"
    pg.get_by_role("link", name="Abrir la versión interactiva de esta estación").click()
    pg.wait_for_url("**/walk?**")
    pg.get_by_text(f"Estación 2 de {len(walk.stations)}").wait_for(timeout=60_000)
    context.close()


def test_light_pages_are_small_compressed_and_protected(server):
    walk = SITE.walks.walk[0]
    status, headers = response_headers(f"{server}/s/{walk.id}/1?lang=en", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip" and int(headers["content-length"]) < 30_000
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", list(SIZES))
def test_no_serious_accessibility_violations_on_light_pages(server, browser, lang, size):
    from axe_playwright_python.sync_playwright import Axe

    walk = SITE.walks.walk[-1]
    context = browser.new_context(viewport=SIZES[size])
    pg = context.new_page()
    for path in (*(f"/s/{walk.id}/{n}" for n in range(1, len(walk.stations) + 1)), f"/s/{walk.id}/end"):
        pg.goto(f"{server}{path}?lang={lang}")
        no_overflow(pg)
        bad = [v for v in Axe().run(pg).response["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"{path}: " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)
    context.close()
