"""Faults while the app runs: the release changing under it, hostile URLs, oversized input,
repeated reruns. Database faults mid-session are in test_feedback_form.py (down and read-only,
text kept, retry stored once); these add the database failing after a session started well."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cpt_public.feedback.form import MAX_COMMENT
from cpt_public.feedback.store import FeedbackStore
from cpt_public.publish.run import _swap
from cpt_public.site.content import load_content
from tests.app.test_app import PAGES, app
from tests.app.test_feedback_form import closed_port, feedback_page, fill, send
from tests.conftest import ROOT

BROKEN_TITLE = load_content().translator("en")("broken_title")


@pytest.fixture(autouse=True)
def look_every_run(monkeypatch):
    """The app looks at the release's files once a second at most; these tests change them
    between reruns a few milliseconds apart."""
    from cpt_public import cached

    monkeypatch.setattr(cached, "STAMP_TTL_S", 0.0)


def metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def publish_over(release: Path, new: Path) -> None:
    """Swap a new release in the way `publish` does (stage beside it, then rename)."""
    stage = release.parent / ".stage"
    shutil.copytree(new, stage)
    _swap(stage, release)


def test_a_release_corrupted_while_the_app_runs_is_refused_and_the_next_one_picked_up(monkeypatch, release_copy):
    at = app(monkeypatch, release_copy)
    at.run()
    before = metrics(at)
    assert not at.exception and before
    table = release_copy / "tables" / "people_by_systems_used.parquet"
    table.write_bytes(table.read_bytes()[:-7] + b"garbage")  # edited in place while visitors browse
    at.run()
    assert not at.exception
    assert at.title[0].value == BROKEN_TITLE and "people_by_systems_used" in at.error[0].value
    publish_over(release_copy, ROOT / "published_data")  # a valid release (another county's numbers)
    at.run()
    assert not at.exception and at.title[0].value != BROKEN_TITLE
    after = metrics(at)
    assert after and after != before  # the new release's figures, not a cached copy of the old
    fresh = app(monkeypatch, ROOT / "published_data")
    fresh.run()
    assert metrics(fresh) == after


def test_a_release_replaced_with_a_valid_one_is_picked_up_without_an_error(monkeypatch, release_copy):
    at = app(monkeypatch, release_copy)
    at.run()
    before = metrics(at)
    publish_over(release_copy, ROOT / "published_data")
    at.run()
    assert not at.exception and not at.error and metrics(at) != before


def test_a_release_folder_that_vanishes_mid_session_shows_the_clear_page(monkeypatch, release_copy):
    at = app(monkeypatch, release_copy)
    at.run()
    shutil.rmtree(release_copy)
    at.run()
    assert not at.exception and at.title[0].value == BROKEN_TITLE and "does not exist" in at.error[0].value


def test_the_release_is_loaded_once_and_shared_by_every_session(monkeypatch, release_copy):
    from cpt_public import cached

    sessions = [app(monkeypatch, release_copy) for _ in range(3)]
    for at in sessions:
        at.run()
    first = cached.release()
    assert all(cached.release() is first for _ in range(3))  # one object, not one per visitor
    frame = first["people_by_systems_used"].frame
    view = frame.copy(deep=False)
    view.loc[view.index[0], "suppressed"] = not bool(frame["suppressed"].iat[0])  # a page mutating what it got
    assert cached.release()["people_by_systems_used"].frame["suppressed"].iat[0] == frame["suppressed"].iat[0]


HOSTILE = [  # each dict is one URL; together they cover every parameter a page reads
    {
        "lang": "xx",
        "finding": "../../etc/passwd",
        "age": "'; DROP TABLE feedback; --",
        "walk": "nope",
        "station": "-1",
        "month": "2024-13",
        "years": "1900~3000",
    },
    {
        "lang": "<script>alert(1)</script>",
        "finding": "\x00\x01",
        "mode": "kiosk",
        "station": "9" * 40,
        "gender": "x" * 100_000,
        "systems": ",,,Jail,Jail,<b>",
    },
    {
        "mode": "facilitator",
        "round": "NaN",
        "finding": "monthly_contacts",
        "system": "%00%ff",
        "group": "[]",
        "outcome": "Nope",
        "walk": "\u202e",
    },
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("params", HOSTILE, ids=["traversal-sql", "script-huge", "modes-encodings"])
def test_malformed_query_parameters_never_break_a_page(monkeypatch, page, params):
    at = app(monkeypatch)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at = at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title or at.header, "the page rendered nothing"
    assert not any("Traceback" in m.value for m in at.markdown)


def test_an_oversized_comment_is_never_stored_and_the_page_explains(monkeypatch, tmp_path):
    """A browser stops typing and pasting at the box's limit; a crafted message can still send
    more. Streamlit drops a value over max_chars before our code sees it, so the visitor is told
    the form is empty and nothing is stored (the service's own limit is tested in test_feedback)."""
    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    at = feedback_page(monkeypatch, url)
    at.text_area(key="fb_comment_general").input("word " * (MAX_COMMENT * 20))
    at = send(at)
    assert not at.exception
    assert at.warning[-1].value == "Choose an answer or write a comment first."
    assert FeedbackStore(url).count() == 0
    at = send(fill(at, comment="A normal comment afterwards."))  # the session carries on
    assert at.success and FeedbackStore(url).count() == 1


def test_the_database_failing_after_a_good_save_keeps_the_next_comment(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    at = send(fill(feedback_page(monkeypatch, url), comment="First, saved."))
    assert at.success
    from cpt_public import cached

    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://nobody:x@127.0.0.1:{closed_port()}/none")
    cached._feedback_store.clear()  # the server's database goes away mid-session
    at = send(fill(at, comment="Second, while the database is down."))
    assert at.error and at.text_area(key="fb_comment_general").value == "Second, while the database is down."
    monkeypatch.setenv("DATABASE_URL", url)
    cached._feedback_store.clear()  # it is back
    at = send(at)
    assert at.success
    assert sorted(FeedbackStore(url).frame()["comment"]) == ["First, saved.", "Second, while the database is down."]


def test_rapid_repeated_reruns_and_sends_store_once(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    at = feedback_page(monkeypatch, url)
    for _ in range(15):  # a visitor hammering the page
        at.run()
    assert not at.exception
    at = fill(at, comment="Pressed many times.")
    [button] = [b for b in at.button if b.label == "Send"]
    sid = at.session_state["fb_sid_general"]
    button.click()
    at.run()
    # the same submission arriving again (a double click racing the first save) is stored once
    from cpt_public.cached import feedback_store
    from cpt_public.feedback.form import RateLimiter
    from cpt_public.feedback.service import submit

    again = submit(
        feedback_store(),
        RateLimiter(),
        sid,
        station=None,
        reflects="partly",
        comment="Pressed many times.",
        connection=None,
        language="en",
        stations=set(),
    )
    assert again.ok
    assert FeedbackStore(url).count() == 1


def test_rapid_filter_changes_end_on_the_last_choice(monkeypatch):
    site = load_content()
    ids = [f.id for f in site.findings]
    at = app(monkeypatch)
    at.run()
    at = at.switch_page("app_pages/findings.py").run()
    for fid in ids + ids[::-1]:  # through every finding and back, one rerun each
        at.selectbox(key="finding").set_value(fid).run()
    assert not at.exception
    assert at.header[0].value == site.finding(ids[0]).title["en"]
    assert at.query_params["finding"] == ids[0]  # the URL restores the last choice, not an earlier one
