"""Browser tests: the real app in Debian's Chromium, driven by Playwright (no browser downloads).

Locally these skip with a visible reason when /usr/bin/chromium is missing; under CI=true the
skip hook in tests/conftest.py turns that into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.serve import streamlit_server
from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("CPT_CHROMIUM", "/usr/bin/chromium"))
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning'][data-test-connection-state='CONNECTED']"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


SERVER_DB: dict[str, str] = {}  # server URL -> its feedback database, for tests that count what was stored


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app on the shipped demo release, on a free loopback port."""
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 'feedback.sqlite'}"
    env = {
        "CPT_RELEASE_DIR": str(ROOT / "published_data"),
        "CPT_DEMO_STAFF": "1",
        "DATABASE_URL": db,
        "CPT_PUBLIC_URL": None,
        "CPT_CONTENT_DIR": None,
        # Every test's browser is the same client (this machine): room for the whole session's
        # answers. The limits themselves are tested in tests/unit/test_moderation.py.
        "CPT_LIMIT_PER_CLIENT": "1000",
        "CPT_LIMIT_OVERALL": "1000",
    }
    with streamlit_server(env=env, log=tmp_path_factory.mktemp("server") / "streamlit.log") as (url, _):
        SERVER_DB[url] = db
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture(params=list(SIZES))
def page(request, browser):
    context = browser.new_context(viewport=SIZES[request.param], accept_downloads=True, locale="en-US")
    pg = context.new_page()
    pg.size_name = request.param
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def open_page(pg, url: str):
    pg.goto(url)
    pg.wait_for_selector(IDLE, timeout=60_000)
    pg.locator("h1").first.wait_for()
    assert pg.get_by_text("Page not found").count() == 0, f"{url} is not a page of the app"
    return pg


def settle(pg):
    """Wait for the rerun a click started to finish."""
    pg.wait_for_timeout(150)
    pg.wait_for_selector(IDLE, timeout=60_000)


def staff_review(pg, server: str):
    """Sign in with the demo staff account and open the review page (via the page's own link,
    which is visible on phones too)."""
    from cpt_public.feedback.staff import DEMO_PASSWORD

    open_page(pg, server + "/staff")
    pg.get_by_label("User name").fill("demo")
    pg.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    pg.get_by_role("button", name="Sign in").click()
    settle(pg)
    pg.locator("[data-testid='stMainBlockContainer']").get_by_role("link", name="Staff: review feedback").click()
    settle(pg)
    return pg


def response_headers(url: str, headers: dict | None = None):
    """(status, headers) of a GET, error statuses included."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers
