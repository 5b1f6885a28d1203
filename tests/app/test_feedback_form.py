"""The feedback form in the app: saves, thanks, redacts — and never loses what a visitor typed."""

from __future__ import annotations

import socket

import pytest
from streamlit.testing.v1 import AppTest

from cpt_public.feedback.store import FeedbackStore
from tests.conftest import ROOT


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def feedback_page(monkeypatch, db_url: str, page="app_pages/feedback.py", **state) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", db_url)
    from cpt_public import cached

    cached._feedback_store.clear()
    cached._heard.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    return at.switch_page(page).run()


def fill(at, tag="general", reflects="partly", comment="It matched, mostly. Call me at 919-555-0134."):
    at.radio(key=f"fb_reflects_{tag}").set_value(reflects)
    at.text_area(key=f"fb_comment_{tag}").input(comment)
    return at


def send(at):
    [button] = [b for b in at.button if b.label == "Send"]
    return button.click().run()


def test_a_general_submission_is_saved_redacted_and_thanked(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    at = send(fill(feedback_page(monkeypatch, url)))
    assert not at.exception
    assert at.success[0].value.startswith("Thank you")
    assert any("[phone]" in m.value for m in at.markdown)  # the visitor sees what was stored
    assert at.text_area(key="fb_comment_general").value == ""  # cleared after success
    rows = FeedbackStore(url).frame()
    assert len(rows) == 1 and rows["comment"].iat[0] == "It matched, mostly. Call me at [phone]."
    assert rows["station"].iat[0] is None and rows["reflects"].iat[0] == "partly"


def test_station_feedback_from_a_finding(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    at = feedback_page(monkeypatch, url, page="app_pages/findings.py", finding="release_transitions")
    at = send(fill(at, tag="release_transitions", reflects="no", comment="More people went to shelters."))
    assert not at.exception and at.success
    rows = FeedbackStore(url).frame()
    assert rows["station"].iat[0] == "release_transitions" and rows["reflects"].iat[0] == "no"


def test_an_empty_form_is_explained_not_saved(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    at = send(feedback_page(monkeypatch, url))
    assert at.warning[-1].value == "Choose an answer or write a comment first."
    assert FeedbackStore(url).count() == 0


@pytest.mark.parametrize("failure", ["down", "read-only"])
def test_a_database_that_is_down_keeps_the_visitors_words(monkeypatch, tmp_path, failure):
    if failure == "down":
        down = f"postgresql+psycopg://nobody:x@127.0.0.1:{closed_port()}/none"
    else:
        FeedbackStore(f"sqlite:///{tmp_path / 'ro.sqlite'}").count()  # exists, schema in place
        down = f"sqlite:///file:{tmp_path / 'ro.sqlite'}?mode=ro&uri=true"
    at = send(fill(feedback_page(monkeypatch, down), comment="Please keep this."))
    assert not at.exception
    assert at.error[-1].value.startswith("Sorry — we could not save this just now")
    assert at.text_area(key="fb_comment_general").value == "Please keep this."  # nothing lost
    assert at.radio(key="fb_reflects_general").value == "partly"
    # The database comes back: the same visitor presses Send again, and it is stored once.
    good = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", good)
    at = send(at)
    assert at.success and FeedbackStore(good).count() == 1


def test_what_we_heard_shows_only_a_published_snapshot(monkeypatch, tmp_path):
    from cpt_public.feedback import moderation, snapshots
    from cpt_public.feedback.form import build, new_submission_id

    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    store = FeedbackStore(url)

    def answer(reflects, comment="", **kw):
        return store.add(
            build(
                new_submission_id(),
                station="systems_used",
                reflects=reflects,
                comment=comment,
                connection=None,
                language="en",
                **kw,
            )
        )

    ids = [answer(r) for r, n in (("yes", 20), ("partly", 12), ("no", 2), ("not_sure", 12)) for _ in range(n)]
    quote = answer("yes", "It took **two** years <b>x</b>", quote_ok=True)
    housing = store.save_code("ana", None, name_en="housing **bold** [x](http://e.x)", name_es="vivienda")
    for i in [*ids[:12], quote]:
        moderation.set_status(store, i, "ana", "review")
        store.code_comment(i, "ana", [housing])
    moderation.choose_quote(store, quote, "ana")
    at = feedback_page(monkeypatch, url, page="app_pages/feedback.py")
    assert any("once it has been collected and reviewed" in i.value for i in at.info)  # nothing published yet
    payload = snapshots.build(store.frame(), store.codings(), store.codes(), snapshots.Protection(11, 11))
    store.publish_snapshot("ana", "", snapshots.dumps(payload))
    answer("no")  # after publishing: not shown until the next snapshot
    for page in ("app_pages/briefing.py", "app_pages/feedback.py"):
        at = feedback_page(monkeypatch, url, page=page)
        assert not at.exception
        line = next(m.value for m in at.markdown if "How many systems do people use?" in m.value)
        assert "No: too few to show" in line and "47 answers" in line
        assert "Most common themes: `housing **bold** [x](http://e.x)` (13)." in line  # code names: literal text
    assert "It took **two** years <b>x</b>" in [t.value for t in at.text]  # a quote is text, never Markdown


def test_what_we_heard_survives_a_database_that_is_down(monkeypatch):
    at = feedback_page(
        monkeypatch, f"postgresql+psycopg://nobody:x@127.0.0.1:{closed_port()}/none", page="app_pages/briefing.py"
    )
    assert not at.exception
    assert any("not available" in w.value for w in at.warning)
    assert [b.label for b in at.get("download_button")]  # the briefing PDF is still offered


def test_the_app_applies_the_retention_setting(monkeypatch, tmp_path):
    from sqlalchemy import text

    from cpt_public import cached
    from cpt_public.feedback.form import build, new_submission_id

    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    store = FeedbackStore(url)
    old = store.add(
        build(new_submission_id(), station=None, reflects="yes", comment="old words", connection=None, language="en")
    )
    store.add(
        build(new_submission_id(), station=None, reflects="yes", comment="new words", connection=None, language="en")
    )
    with store.engine.begin() as conn:
        conn.execute(text("update feedback set created_at = '2020-01-01 00:00:00' where id = :i"), {"i": old})
    monkeypatch.setenv("CPT_RETENTION_DAYS", "30")
    cached.retention_applied.clear()
    at = feedback_page(monkeypatch, url)
    assert not at.exception
    assert store.frame()["comment"].tolist() == ["new words"]
    assert "purged" in store.audit_frame()["action"].tolist()
