"""Staff area under AppTest: sign-in, lockout, review with inert text, notes, sign-out."""

from __future__ import annotations

import pytest
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
    cached._heard.clear()
    cached.login_guard.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    at.run()
    return at.switch_page("app_pages/staff_signin.py").run(), url


def add_comment(store, comment: str, reflects="no", language="en", **kw) -> int:
    """A visitor's comment at the systems_used station, stored as the form would."""
    return store.add(
        build(
            new_submission_id(),
            station="systems_used",
            reflects=reflects,
            comment=comment,
            connection=None,
            language=language,
            **kw,
        )
    )


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


def texts(at) -> list[str]:
    return [t.value for t in at.text]


def test_review_shows_feedback_as_text_without_a_grid(monkeypatch, tmp_path):
    at, url = staff_app(monkeypatch, tmp_path)
    FeedbackStore(url).add(
        build(
            new_submission_id(), station="systems_used", reflects="no", comment=PAYLOAD, connection=None, language="en"
        )
    )
    at = sign_in(at)
    assert at.success[0].value.startswith("Signed in as Demo staff")
    at = at.switch_page("app_pages/staff_review.py").run()
    assert not at.exception
    assert PAYLOAD in texts(at)  # shown in full, exactly as typed, as text
    assert not at.dataframe and not at.get("data_editor")  # no grid, so no grid download
    assert not any(PAYLOAD in m.value for m in at.markdown)


def test_moderation_and_coding_in_the_review_page(monkeypatch, tmp_path):
    at, url = staff_app(monkeypatch, tmp_path)
    store = FeedbackStore(url)
    row = add_comment(store, "The waitlist took two years. Ask Officer Smith.", reflects="yes", quote_ok=True)
    code = store.save_code("demo", None, name_en="Waiting", name_es="Espera")
    at = sign_in(at).switch_page("app_pages/staff_review.py").run()
    at.toggle(key=f"open_{row}").set_value(True).run()
    at.button(key=f"rev_{row}").click().run()
    assert store.get(row)["status"] == "reviewed"
    at.toggle(key=f"open_{row}").set_value(True).run()
    at.button(key=f"q_{row}").click().run()
    assert store.get(row)["quote_chosen"]
    at.text_area(key=f"text_{row}").input("The waitlist took two years. Ask Officer Jones.").run()
    [save] = [b for b in at.button if b.label == "Save the edit"]
    at = save.click().run()
    assert store.get(row)["comment"] == "The waitlist took two years. Ask Officer [name]."
    at.toggle(key=f"open_{row}").set_value(True).run()
    at.multiselect(key=f"whole_{row}").set_value([code]).run()
    at.select_slider(key=f"span_{row}").set_value((1, 2)).run()
    at.button(key=f"exadd_{row}").click().run()
    at = at.button(key=f"codesave_{row}").click().run()
    assert not at.exception
    codings = store.codings([row])
    assert sorted(codings["start"].fillna(-1).astype(int)) == [-1, 4]
    assert "Codes: Waiting" in texts(at)


def test_notes_codebook_and_report_back(monkeypatch, tmp_path):
    at, url = staff_app(monkeypatch, tmp_path)
    store = FeedbackStore(url)
    for answer, n in (("yes", 20), ("partly", 12), ("no", 2), ("not_sure", 11)):
        for _ in range(n):
            store.add(
                build(
                    new_submission_id(),
                    station="systems_used",
                    reflects=answer,
                    comment="",
                    connection=None,
                    language="en",
                )
            )
    at = sign_in(at).switch_page("app_pages/staff_records.py").run()
    assert not at.exception
    at.text_area(key="note_text").input("Group 2 said the shelter line is long. Call 919-555-0134.")
    [save] = [b for b in at.button if b.label == "Save note"]
    at = save.click().run()
    assert at.success[-1].value == "Note saved."
    notes = store.frame()
    note = notes[notes["source"] == "facilitator"].iloc[0]
    assert note["comment"].endswith("Call [phone].")

    at = at.switch_page("app_pages/staff_codebook.py").run()
    assert not at.exception
    at.text_input[0].input("Housing **now**")
    at.text_input[1].input("Vivienda")
    [save] = [b for b in at.button if b.label == "Save the code"]
    at = save.click().run()
    assert store.codes()["name_en"].tolist() == ["Housing **now**"]
    assert not at.dataframe

    at = at.switch_page("app_pages/staff_report.py").run()
    assert not at.exception
    preview = next(m.value for m in at.markdown if "How many systems do people use?" in m.value)
    assert "No: too few to show" in preview
    [publish] = [b for b in at.button if b.label == "Publish"]
    at = publish.click().run()
    assert at.success[-1].value.startswith("Published")
    assert "snapshot published" in store.audit_frame()["action"].tolist()


def test_review_page_refuses_without_sign_in(monkeypatch, tmp_path):
    at, url = staff_app(monkeypatch, tmp_path)
    FeedbackStore(url).add(
        build(new_submission_id(), station=None, reflects="yes", comment="secret words", connection=None, language="en")
    )
    at = AppTest.from_file(str(ROOT / "app_pages" / "staff_review.py"), default_timeout=60).run()
    assert not at.dataframe and not any("secret words" in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_staff_page_runs_in_both_languages(monkeypatch, tmp_path, lang):
    at, url = staff_app(monkeypatch, tmp_path)
    store = FeedbackStore(url)
    row = add_comment(store, "palabras", language="es")
    store.code_comment(row, "demo", [store.save_code("demo", None, name_en="Housing", name_es="Vivienda")])
    store.add_event("demo", "EVENT-1", None, "Evento")
    at = sign_in(at)
    at.session_state["lang"] = lang
    for page in ("staff_review", "staff_codebook", "staff_report", "staff_records"):
        at = at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        assert at.title[0].value  # a title in the staff member's language
