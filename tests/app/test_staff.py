"""Staff area under AppTest: sign-in, lockout, review with inert text, notes, sign-out."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from cpt_public.feedback.form import build, new_submission_id
from cpt_public.feedback.staff import DEMO_PASSWORD, MAX_FAILURES
from cpt_public.feedback.store import FeedbackStore
from tests.conftest import ROOT

PAYLOAD = '<script>window.__pwned = 1</script> =HYPERLINK("http://evil.example","x")'


def staff_app(monkeypatch, tmp_path, demo=True) -> tuple[AppTest, str]:
    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CPT_DEMO_STAFF", "1" if demo else "0")
    from cpt_public import cached

    cached._feedback_store.clear()
    cached.login_guard.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    at.run()
    return at.switch_page("app_pages/staff_signin.py").run(), url


def sign_in(at, user="demo", password=DEMO_PASSWORD):
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    return at.button[-1].click().run()


def test_wrong_password_then_lockout(monkeypatch, tmp_path):
    at, _ = staff_app(monkeypatch, tmp_path)
    at = sign_in(at, password="nope")
    assert at.error[0].value == "That user name and password do not match."
    for _ in range(MAX_FAILURES - 1):
        at = sign_in(at, password="nope")
    at = sign_in(at)  # the right password no longer works while the name is locked
    assert "Too many failed attempts" in at.error[0].value
    assert "staff_user" not in at.session_state


def test_no_accounts_means_no_sign_in(monkeypatch, tmp_path):
    at, _ = staff_app(monkeypatch, tmp_path, demo=False)
    assert "No staff accounts are configured" in at.warning[-1].value
    assert not at.text_input


def test_review_shows_feedback_as_text_and_takes_notes(monkeypatch, tmp_path):
    at, url = staff_app(monkeypatch, tmp_path)
    store = FeedbackStore(url)
    store.add(
        build(
            new_submission_id(), station="systems_used", reflects="no", comment=PAYLOAD, connection=None, language="en"
        )
    )
    at = sign_in(at)
    assert at.success[0].value.startswith("Signed in as Demo staff")
    at = at.switch_page("app_pages/staff_review.py").run()
    assert not at.exception
    table = at.dataframe[0].value if at.dataframe else None
    assert table is not None and PAYLOAD in list(table["comment"])  # stored and shown exactly as typed
    at.text_area(key="note_text").input("Group 2 said the shelter line is long. Call 919-555-0134.")
    [save] = [b for b in at.button if b.label == "Save note"]
    at = save.click().run()
    assert at.success[-1].value == "Note saved."
    notes = store.frame()
    note = notes[notes["source"] == "facilitator"].iloc[0]
    assert note["comment"].endswith("Call [phone].") and note["event"] == "residents-2026-03"


def test_review_page_refuses_without_sign_in(monkeypatch, tmp_path):
    at, url = staff_app(monkeypatch, tmp_path)
    FeedbackStore(url).add(
        build(new_submission_id(), station=None, reflects="yes", comment="secret words", connection=None, language="en")
    )
    at = AppTest.from_file(str(ROOT / "app_pages" / "staff_review.py"), default_timeout=60).run()
    assert not at.dataframe and not any("secret words" in m.value for m in at.markdown)
