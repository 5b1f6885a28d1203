"""What visitors do, in a real browser, on desktop and phone sizes."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_page, settle

PAGES = ["/", "/findings", "/briefing", "/walk", "/feedback", "/about", "/staff"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_without_errors_or_sideways_scrolling(server, page, path):
    open_page(page, server + path)
    assert page.locator("[data-testid='stException']").count() == 0  # must not happen: a traceback on screen
    assert "Synthetic demonstration data" in page.locator("[data-testid='stAlert']").first.inner_text()
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    assert page.evaluate("document.documentElement.lang") == "en"


GENDER = re.compile("^Gender:")  # the chart's text alternative, set once Vega has drawn it


def test_a_filter_lands_in_the_url_and_the_url_restores_the_view(server, page):
    open_page(page, server + "/findings?finding=demographics")
    assert page.locator("h2").first.inner_text() == "Who are the multi-system users?"
    page.get_by_role("radio", name="Gender").click()
    page.wait_for_function("() => location.search.includes('group=gender')")
    settle(page)
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_have_attribute("aria-label", GENDER)
    shared = page.url
    fresh = page.context.new_page()
    open_page(fresh, shared)
    assert fresh.locator("h2").first.inner_text() == "Who are the multi-system users?"
    expect(fresh.locator("[data-testid='stVegaLiteChart']").first).to_have_attribute("aria-label", GENDER)
    assert fresh.get_by_role("radio", name="Gender").get_attribute("aria-checked") == "true"


def test_malformed_url_parameters_fall_back_to_defaults(server, page):
    open_page(page, server + "/findings?finding=%3Cscript%3E&years=banana&systems=Nope,,&group=1e9&lang=xx")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("h2").first.inner_text() == "How many systems do people use?"


def test_downloads_carry_the_protected_table_and_the_chart(server, page):
    open_page(page, server + "/findings?finding=frequent_jail_use")
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Table (CSV)").click()
    csv = pd.read_csv(csv_download.value.path(), encoding="utf-8-sig")
    # readable headers, margins marked, the synthetic note on every row
    assert list(csv.columns) == [
        "Bookings in 12 months",
        "Homeless services in the same 12 months",
        "is_total",
        "Count",
        "Suppressed",
        "Data",
    ]
    hidden = csv[csv["Suppressed"]]
    assert len(hidden) and hidden["Count"].isna().all()  # suppressed: empty, never 0
    assert csv["Data"].str.startswith("Synthetic").all()
    with page.expect_download() as png_download:
        page.get_by_role("button", name="Chart (PNG)").click()
    data = open(png_download.value.path(), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    from PIL import Image

    width, height = Image.open(io.BytesIO(data)).size
    assert width > 600 and height > 300


def test_switching_to_spanish(server, page):
    open_page(page, server + "/")
    page.get_by_role("radio", name="Español").click()
    settle(page)
    assert page.locator("h1").first.inner_text() == "Equipo de Planificación Colaborativa del Condado de Millbrook"
    assert page.evaluate("document.documentElement.lang") == "es"
    assert "lang=es" in page.url
    assert "Datos sintéticos de demostración" in page.locator("[data-testid='stAlert']").first.inner_text()


def test_browser_locale_picks_spanish(server, browser):
    context = browser.new_context(locale="es-MX")
    pg = context.new_page()
    open_page(pg, server + "/about")
    assert pg.locator("h1").first.inner_text() == "Quiénes somos y privacidad"
    context.close()


def test_briefing_pdf_download(server, page):
    from pypdf import PdfReader

    open_page(page, server + "/briefing")
    for paper, width_in in (("Letter", 8.5), ("A4", 8.27)):
        with page.expect_download() as pdf_download:
            page.get_by_role("button", name=f"Download the one-page briefing (PDF, {paper})").click()
        pdf = PdfReader(pdf_download.value.path())
        assert len(pdf.pages) == 1 and round(float(pdf.pages[0].mediabox.width) / 72, 2) == width_in
