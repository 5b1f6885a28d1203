"""Light station pages in Chromium through serve.py: a phone visitor walks every station with the
keyboard alone and answers each, with scripts off; nothing overflows a phone's width; axe finds
no serious or critical violations."""

from __future__ import annotations

import re

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


OVERLAPS = """(svg) => {
  const box = svg.getBoundingClientRect();
  // Vega hides a label it drops for lack of room (opacity 0): only the drawn ones count.
  const texts = [...svg.querySelectorAll('text')]
    .filter(t => t.textContent.trim() && parseFloat(getComputedStyle(t).opacity) > 0)
    .map(t => ({text: t.textContent, r: t.getBoundingClientRect()}));
  const clash = [], outside = [];
  for (const a of texts) {
    if (a.r.left < box.left - 1 || a.r.right > box.right + 1 || a.r.top < box.top - 1 || a.r.bottom > box.bottom + 1)
      outside.push(a.text);
  }
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i].r, b = texts[j].r;
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 1.5 && h > 1.5) clash.push(texts[i].text + ' / ' + texts[j].text);
  }
  return {clash, outside, count: texts.length};
}"""


@pytest.mark.parametrize("lang", ["en", "es"])
def test_chart_labels_neither_overlap_nor_get_cut_off_on_a_phone(server, browser, lang):
    """Every finding's chart as a phone shows it (the embed page at 390 px: the same drawing as a
    station's): no two texts drawn over each other, none outside the chart; and no serious
    accessibility violation on any embed page."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=SIZES["phone"])
    pg = context.new_page()
    for finding in SITE.findings:
        pg.goto(f"{server}/embed/{finding.id}?lang={lang}")
        no_overflow(pg)
        svg = pg.locator(".narrow svg")
        result = svg.evaluate(OVERLAPS)
        assert result["count"] > 3, finding.id
        assert not result["clash"], f"{finding.id}: labels overlap: {result['clash'][:5]}"
        assert not result["outside"], f"{finding.id}: labels cut off: {result['outside'][:5]}"
        bad = [v for v in Axe().run(pg).response["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"/embed/{finding.id}: " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)
    context.close()


@pytest.fixture(scope="module")
def public_server(tmp_path_factory):
    """The app as a team runs it for a walk: CPT_PUBLIC_URL set to the site's public address."""
    from benchmarks.serve import streamlit_server
    from tests.conftest import ROOT

    env = {
        "CPT_RELEASE_DIR": str(ROOT / "published_data"),
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'feedback.sqlite'}",
        "CPT_PUBLIC_URL": PUBLIC,
        "CPT_CONTENT_DIR": None,
        "CPT_DEMO_STAFF": None,
    }
    with streamlit_server(env=env, log=tmp_path_factory.mktemp("server") / "streamlit.log") as (url, _):
        yield url


PUBLIC = "https://data.millbrook.example"


def kiosk_qr(pg) -> str:
    import io

    import zxingcpp
    from PIL import Image

    qr = pg.get_by_role("img", name=re.compile("QR"))
    box = qr.bounding_box()
    assert box["y"] + box["height"] <= 1080 and box["x"] + box["width"] <= 1920  # in view, nothing to scroll
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    return code.text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_kiosk_fits_the_screen_with_its_qr_code_in_view(public_server, browser, lang):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    pg = context.new_page()
    for walk in SITE.walks.walk:
        for n in range(1, len(walk.stations) + 1):
            pg.goto(f"{public_server}/kiosk/{walk.id}/{n}?lang={lang}&event=SPRING-1")
            size = pg.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            assert size == [1920, 1080], f"{walk.id} {n}: the kiosk page scrolls ({size})"
            link = kiosk_qr(pg)
            assert link == f"{PUBLIC}/s/{walk.id}/{n}?lang={lang}&event=SPRING-1"  # the public address
            assert pg.get_by_text(link.split("://", 1)[1]).count() == 1  # and in print, for typing
            chart = pg.locator(".chart svg").evaluate(OVERLAPS)
            assert not chart["clash"] and not chart["outside"], (walk.id, n, chart)
            sizes = pg.locator(".chart svg text").evaluate_all("ts => ts.map(t => t.getBoundingClientRect().height)")
            assert sorted(sizes)[len(sizes) // 2] >= 20, f"{walk.id} {n}: chart text too small at two metres"
    context.close()


def test_a_kiosk_on_a_local_address_warns_that_phones_cannot_reach_it(server, browser):
    walk = SITE.walks.walk[0]
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    pg = context.new_page()
    pg.goto(f"{server}/kiosk/{walk.id}/1?lang=en")
    assert kiosk_qr(pg) == f"{server}/s/{walk.id}/1?lang=en"
    assert pg.get_by_text("phones will not reach it").count() == 1
    context.close()
