"""Staff review in a real browser: unreachable without sign-in; hostile text stays inert in the
page and in the CSV export; what a visitor sends shows up for staff."""

from __future__ import annotations

import pandas as pd

from tests.e2e.conftest import SIZES, open_page, settle, staff_review

SCRIPT = "<script>window.__pwned = 1</script><img src=x onerror='window.__pwned = 2'>"
FORMULA = '=HYPERLINK("http://evil.example","click me")'


def send_feedback(pg, server, text):
    open_page(pg, server + "/feedback")
    pg.locator("[data-testid='stRadio'] label").filter(has_text="No").first.click()
    pg.get_by_label("In your own words (optional)").fill(text)
    pg.get_by_role("button", name="Send").click()
    settle(pg)
    assert pg.get_by_text("Thank you — your view was saved.").count() == 1


def test_staff_review_needs_sign_in_and_keeps_hostile_text_inert(server, browser):
    context = browser.new_context(viewport=SIZES["desktop"], accept_downloads=True)
    pg = context.new_page()
    pg.goto(server + "/staff-review")
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    assert pg.get_by_text("Page not found").count() == 1  # the page does not exist for visitors
    assert pg.locator("[data-testid='stDataFrame']").count() == 0

    visitor = context.new_page()
    send_feedback(visitor, server, SCRIPT)
    send_feedback(visitor, server, FORMULA)

    staff_review(pg, server)
    main = pg.locator("[data-testid='stMainBlockContainer']")
    main.get_by_text(FORMULA, exact=True).first.wait_for()
    pg.wait_for_timeout(500)
    assert pg.evaluate("window.__pwned") is None  # neither payload ran
    assert pg.evaluate("[...document.scripts].some(s => s.text.includes('__pwned'))") is False
    assert main.get_by_text(SCRIPT, exact=True).count() >= 1  # shown in full, as text
    assert pg.locator("[data-testid='stDataFrame'], [data-testid='stDataFrameResizable']").count() == 0  # no grid
    main.get_by_role("link", name="Staff: notes and records").first.click()
    settle(pg)
    pg.get_by_role("heading", name="Staff: notes and records").wait_for()
    assert pg.locator("[data-testid='stDataFrame']").count() == 0
    export = pg.get_by_role("button", name="Export as CSV (safe to open in a spreadsheet)")
    export.scroll_into_view_if_needed()
    with pg.expect_download(timeout=90_000) as download:  # made on the server when asked for
        export.click()
    comments = list(pd.read_csv(download.value.path())["comment"])
    assert SCRIPT in comments  # kept exactly, as text
    assert "'" + FORMULA in comments and FORMULA not in comments  # a spreadsheet shows it as text
    context.close()
