"""axe-core (bundled by axe-playwright-python) on every page, in both languages: no serious or critical violations."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import open_page

PAGES = [
    "/",
    "/findings",
    "/findings?finding=release_transitions",
    "/findings?finding=program_outcomes",
    "/briefing",
    "/walk",
    "/walk?mode=kiosk",
    "/walk?mode=facilitator",
    "/feedback",
    "/about",
    "/staff",
]


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(server, page, path, lang):
    from axe_playwright_python.sync_playwright import Axe

    sep = "&" if "?" in path else "?"
    open_page(page, f"{server}{path}{sep}lang={lang}")
    page.wait_for_timeout(500)  # charts finish drawing
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )
