"""Data walks in a real browser: a kiosk's QR code, and a visitor walking every station on a phone."""

from __future__ import annotations

import io
import re

import pandas as pd
import zxingcpp
from PIL import Image

from benchmarks.visitors import run_tag
from cpt_public.feedback.store import FeedbackStore
from cpt_public.site.content import load_content
from tests.e2e.conftest import SERVER_DB, SIZES, open_page, settle, staff_review

RUN = run_tag()


def test_a_facilitator_opens_a_kiosk_whose_qr_code_opens_the_station_on_a_phone(server, browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    pg = context.new_page()
    open_page(pg, f"{server}/walk?walk=residents-2026-03&mode=kiosk&lang=es")
    title = load_content().finding("release_transitions").title["es"]
    with context.expect_page() as opened:  # Streamlit opens a Markdown link in a new tab
        pg.get_by_role("link", name=title).click()  # station 3's kiosk screen
    kiosk = opened.value
    kiosk.wait_for_load_state()
    assert kiosk.url.endswith("/kiosk/residents-2026-03/3?lang=es")
    image = kiosk.get_by_role("img", name=re.compile("Código QR"))
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
    assert code.text == f"{server}/s/residents-2026-03/3?lang=es"  # the light station page
    phone = browser.new_context(viewport=SIZES["phone"]).new_page()
    phone.goto(code.text)  # the phone lands on the same station, with its feedback form
    assert phone.locator("h1").first.inner_text() == title
    assert phone.get_by_role("button", name="Enviar").count() == 1
    phone.context.close()
    context.close()


def test_a_phone_visitor_walks_every_station_and_leaves_feedback(server, browser):
    site = load_content()
    walk = site.walk("residents-2026-03")
    context = browser.new_context(viewport=SIZES["phone"], locale="en-US")
    pg = context.new_page()
    FeedbackStore(SERVER_DB[server]).add_event("facilitator", f"WALK-{RUN}", walk.id, "Phone walk test")
    open_page(pg, f"{server}/walk?walk={walk.id}&event=WALK-{RUN}")  # the interactive walk, one link from a station
    for n, station in enumerate(walk.stations, 1):
        assert pg.get_by_text(f"Station {n} of {len(walk.stations)}").count() == 1
        assert pg.locator("h1").first.inner_text() == site.finding(station).title["en"]
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        pg.locator("[data-testid='stRadio'] label").filter(has_text="Partly").first.click()
        pg.get_by_label("In your own words (optional)").fill(f"Station {n}: partly true. Call me at 919-555-0134.")
        pg.get_by_role("button", name="Send").click()
        settle(pg)
        assert pg.get_by_text("Thank you — your view was saved.").count() == 1
        assert pg.get_by_text("[phone]").count() >= 1  # shown as stored: the number was removed
        if n < len(walk.stations):
            pg.get_by_role("button", name="Next station").click()
            settle(pg)
            pg.wait_for_function(f"() => location.search.includes('station={n + 1}')")
    # The same feedback, as staff see it: in the export, tagged with station and the event.
    staff_review(pg, server)
    pg.locator("[data-testid='stMainBlockContainer']").get_by_role("link", name="Staff: notes and records").click()
    settle(pg)
    pg.get_by_role("heading", name="Staff: notes and records").wait_for()
    export = pg.get_by_role("button", name="Export as CSV (safe to open in a spreadsheet)")
    export.scroll_into_view_if_needed()
    with pg.expect_download(timeout=90_000) as download:  # made on the server when asked for
        export.click()
    rows = pd.read_csv(download.value.path())
    ours = rows[rows["event"] == f"WALK-{RUN}"].set_index("station")
    for n, station in enumerate(walk.stations, 1):
        assert ours.loc[station, "comment"] == f"Station {n}: partly true. Call me at [phone]."
        assert ours.loc[station, "reflects"] == "partly"
    context.close()
