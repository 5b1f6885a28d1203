"""The real server, as the public meets it: hardened settings, hostile messages, many visitors at
once, and the release changing while it runs. Uses the websocket client of the benchmarks
(benchmarks/wsclient.py), so the load tool is itself tested here; no timings are asserted."""

from __future__ import annotations

import shutil
import threading
import urllib.error
import urllib.request

import pytest

from benchmarks.serve import streamlit_server
from benchmarks.visitors import count_comments, journey
from benchmarks.wsclient import Visitor, VisitorError
from cpt_public.publish.run import _swap
from tests.conftest import ROOT
from tests.e2e.conftest import SERVER_DB, open_page, settle


def test_uploads_without_the_xsrf_token_are_refused(server):
    req = urllib.request.Request(
        f"{server}/_stcore/upload_file/some-session/some-file",
        data=b"x" * 10,
        method="PUT",
        headers={"Content-Type": "application/octet-stream"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code in (400, 403)


def test_an_oversized_message_closes_only_that_connection(server):
    with Visitor(server) as v:
        v.open("feedback", lang="en")
        v.ws.send(b"\x0a" + b"x" * 2_000_000)  # over server.maxWidgetStateSize (1 MB)
        with pytest.raises(VisitorError):
            v.rerun()
    with Visitor(server) as other:  # everyone else carries on
        run = other.open("feedback", lang="en")
        assert not run.exceptions and run.has("Share your view")


def test_garbage_on_the_websocket_is_refused_without_harm(server):
    with Visitor(server) as v:
        v.ws.send(b"\xff\x00not a protobuf")
        with pytest.raises(VisitorError):
            v.rerun()
    with Visitor(server) as other:
        assert not other.open("", lang="en").exceptions


def test_the_public_sees_no_developer_menu(server, browser):
    context = browser.new_context()
    pg = context.new_page()
    open_page(pg, server + "/about")
    assert pg.get_by_role("button", name="Deploy").count() == 0
    pg.locator("[data-testid='stMainMenu']").click()
    items = pg.locator("[data-testid='stMainMenuList']").inner_text()
    assert "Print" in items  # the menu is there, with what a reader needs
    for dev in ("Rerun", "Clear cache", "Settings", "Developer options", "Record a screencast"):
        assert dev not in items, f"the public menu offers {dev!r}"
    context.close()


def test_ten_visitors_at_once_browse_and_every_comment_is_stored(server, tmp_path):
    """The benchmark's journey, smaller: no errors, every comment thanked and stored once."""
    results = [None] * 10

    def visit(i: int) -> None:
        results[i] = journey(server, f"e2e-crowd-{i}", lambda: None, None)

    threads = [threading.Thread(target=visit, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert all(r is not None for r in results), "a visitor did not finish"
    assert [e for _, _, errs, _ in results for e in errs] == []
    assert all(thanked for *_, thanked in results)
    assert count_comments(SERVER_DB[server], "load test e2e-crowd-") == 10


def test_the_running_server_refuses_a_corrupted_release_and_picks_up_the_next(tmp_path, county_release):
    release = tmp_path / "release"
    shutil.copytree(county_release, release)
    env = {
        "CPT_RELEASE_DIR": str(release),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite'}",
        "CPT_DEMO_STAFF": None,
        "CPT_CONTENT_DIR": None,
    }
    with streamlit_server(env=env, log=tmp_path / "server.log") as (url, _):
        with Visitor(url) as v:
            before = v.open("", lang="en")
            assert not before.exceptions and before.has("At a glance")
            table = release / "tables" / "people_by_systems_used.parquet"
            table.write_bytes(table.read_bytes()[:-5] + b"xxxxx")
            broken = _wait_for(lambda: v.open("", lang="en"), lambda r: r.has("cannot be shown"))
            assert not broken.exceptions and broken.has("people_by_systems_used")
            stage = tmp_path / ".stage"
            shutil.copytree(ROOT / "published_data", stage)
            _swap(stage, release)  # a new publish lands
            after = _wait_for(lambda: v.open("", lang="en"), lambda r: r.has("At a glance"))
            assert not after.exceptions and not after.has("cannot be shown")


def _wait_for(step, ok, tries: int = 20):
    """The server looks at the release's files once a second; ask again until it has."""
    import time

    for _ in range(tries):
        run = step()
        if ok(run):
            return run
        time.sleep(0.25)
    raise AssertionError(f"never saw the expected page; last texts: {run.texts[:5]}")


def test_rapid_clicks_on_send_store_the_comment_once(server, browser):
    context = browser.new_context()
    pg = context.new_page()
    open_page(pg, server + "/feedback")
    pg.get_by_text("Partly").first.click()
    pg.get_by_label("In your own words (optional)").fill("rapid-clicks: pressed again and again")
    send = pg.get_by_role("button", name="Send")
    send.dblclick()
    for _ in range(3):
        send.click(no_wait_after=True)
    settle(pg)
    pg.wait_for_timeout(500)
    settle(pg)
    assert count_comments(SERVER_DB[server], "rapid-clicks:") == 1
    assert pg.get_by_text("Thank you").count() <= 1
    context.close()


def test_code_names_and_quotes_show_as_text_never_as_links_images_or_html(tmp_path, browser):
    """A code name is staff's words and a quote a visitor's: on the public pages neither may become
    an image (a tracking pixel), a link (phishing) or HTML, whatever it says."""
    from cpt_public.feedback import moderation, snapshots
    from cpt_public.feedback.form import Submission, new_submission_id
    from cpt_public.feedback.store import FeedbackStore

    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    store = FeedbackStore(url)
    tags = ["![pixel](http://127.0.0.1:9/p.png)", "[win a prize](http://phish.example)", "<b>bold</b>"]
    codes = [store.save_code("ana", None, name_en=t, name_es=t) for t in tags]
    quote = "<img src='http://127.0.0.1:9/q.png'> [see](http://phish.example/q)"
    for i in range(12):
        row = store.add(
            Submission(
                new_submission_id(),
                "visitor",
                "systems_used",
                None,
                "yes",
                quote if i == 0 else "ok",
                0,
                None,
                "en",
                quote_ok=i == 0,
            )
        )
        moderation.set_status(store, row, "ana", "review")
        store.code_comment(row, "ana", codes)
        if i == 0:
            moderation.choose_quote(store, row, "ana")
    payload = snapshots.build(store.frame(), store.codings(), store.codes(), snapshots.Protection(11, 11))
    store.publish_snapshot("ana", "", snapshots.dumps(payload))
    env = {"CPT_RELEASE_DIR": str(ROOT / "published_data"), "DATABASE_URL": url, "CPT_CONTENT_DIR": None}
    with streamlit_server(env=env, log=tmp_path / "server.log") as (base, _):
        pg = browser.new_context().new_page()
        for path in ("/briefing", "/feedback"):
            open_page(pg, base + path)
            main = pg.locator("[data-testid='stMainBlockContainer']")
            heard = main.get_by_text("Most common themes").first
            heard.wait_for()
            text = heard.inner_text()
            for tag in tags:
                assert tag in text, (tag, text)
            assert main.get_by_text(quote, exact=True).count() == 1  # the quote, as typed
            for sel in ("img[src*='127.0.0.1:9']", "a[href*='phish']", "b:has-text('bold')"):
                assert main.locator(sel).count() == 0, (sel, main.locator(sel).first.evaluate("e => e.outerHTML"))
