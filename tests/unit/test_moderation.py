"""People's words after the form: limits across sessions, a database that vanished, moderation
with its audit log, coding with two coders, snapshots that cannot be gamed, retention."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading

import pandas as pd
import pytest
from sqlalchemy import text

from cpt_public.feedback import limits, moderation, snapshots
from cpt_public.feedback.coding import agreement, codebook_qdc, segments, segments_csv, validate_qdc
from cpt_public.feedback.form import RateLimiter, RepeatGuard, answer_key, new_submission_id
from cpt_public.feedback.service import submit
from cpt_public.feedback.staff import MAX_FAILURES, LoginGuard, accounts, hash_password
from cpt_public.feedback.store import FeedbackStore, StoreError, VanishedError
from tests.unit.test_feedback import submission

PROTECTION = snapshots.Protection(threshold=11, protection_range=11)


def values(**kw):
    v = dict(station="systems_used", reflects="yes", comment="", connection=None, language="en")
    v.update(kw)
    return v


# ----------------------------------------------------------------------------- limits


def test_a_scripted_flood_from_many_sessions_is_refused_past_the_limits(db_url):
    """300 submissions from 60 fresh sessions on one address (the attack in the issue): only
    the per-client limit's worth is stored; from 60 addresses, only the overall limit's worth."""
    store = FeedbackStore(db_url)
    key = limits.client_key(store, "203.0.113.7")
    outcomes = []
    for session in range(60):
        limiter, repeats = RateLimiter(), RepeatGuard()
        for i in range(5):  # 300 in all
            outcomes.append(
                submit(store, limiter, new_submission_id(), repeats, key, **values(comment=f"{session}-{i}"))
            )
    per_client = limits.windows()[0][1]
    assert store.count() == per_client
    assert {o.message_key for o in outcomes if not o.ok} == {"form_network_busy"}
    for address in range(60):
        client = limits.client_key(store, f"198.51.100.{address}")
        for i in range(5):
            submit(store, RateLimiter(), new_submission_id(), None, client, **values(comment=f"{address}/{i}"))
    assert store.count() == limits.windows()[0][2]


def test_simultaneous_submissions_cannot_all_slip_under_the_limit(db_url):
    store = FeedbackStore(db_url)
    store.count()  # schema in place before the race
    client = limits.client_key(store, "203.0.113.8")
    start = threading.Barrier(80)

    def one(i):
        start.wait()
        submit(store, RateLimiter(), new_submission_id(), None, client, **values(comment=f"burst {i}"))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(80)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count() == limits.windows()[0][1]


def test_a_big_event_may_raise_the_limits(monkeypatch):
    monkeypatch.setenv(limits.PER_CLIENT_ENV, "200")
    monkeypatch.setenv(limits.OVERALL_ENV, "not a number")
    assert limits.windows() == ((60, 200, limits.DEFAULT_OVERALL), (3600, 4000, 20 * limits.DEFAULT_OVERALL))


def test_the_client_address_is_the_proxys_only_when_the_proxy_sent_it(monkeypatch):
    assert limits.client_address(None, {"X-Real-IP": "198.51.100.4"}) == "198.51.100.4"  # via the local proxy
    assert limits.client_address("203.0.113.9", {"X-Real-IP": "198.51.100.4"}) == "203.0.113.9"  # spoofed
    monkeypatch.setenv(limits.TRUSTED_ENV, "10.0.0.0/8")
    assert limits.client_address("10.1.2.3", {"x-real-ip": "198.51.100.5"}) == "198.51.100.5"
    assert limits.client_address("10.1.2.3", {"x-real-ip": "not an address"}) == "10.1.2.3"


def test_the_address_is_stored_only_as_a_keyed_hash(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    key = limits.client_key(store, "203.0.113.7")
    submit(store, RateLimiter(), new_submission_id(), None, key, **values(comment="hello"))
    raw = (tmp_path / "f.sqlite").read_bytes() + (tmp_path / "f.sqlite-wal").read_bytes()
    assert b"203.0.113.7" not in raw and key != "203.0.113.7"
    assert limits.client_key(FeedbackStore(store.url), "203.0.113.7") == key  # the same in every process


def test_an_unknown_or_closed_event_code_counts_for_no_event(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    store.add_event("staff", "WALK-0412", "main", "April walk")
    submit(store, RateLimiter(), new_submission_id(), **values(event="WALK-0412"))
    submit(store, RateLimiter(), new_submission_id(), **values(event="MADE-UP"))
    store.set_event_open("staff", "WALK-0412", False)
    submit(store, RateLimiter(), new_submission_id(), **values(event="WALK-0412"))
    assert store.frame().sort_values("id")["event"].fillna("none").tolist() == ["WALK-0412", "none", "none"]


# ----------------------------------------------------------------------------- nothing lost


def test_a_deleted_database_is_refused_not_thanked(tmp_path):
    path = tmp_path / "f.sqlite"
    store = FeedbackStore(f"sqlite:///{path}")
    assert submit(store, RateLimiter(), new_submission_id(), **values(comment="first")).ok
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    outcome = submit(store, RateLimiter(), new_submission_id(), **values(comment="my words"))
    assert not outcome.ok and outcome.message_key == "fb_save_failed"
    with pytest.raises(VanishedError, match="deleted while the app was running"):
        store.count()


def test_a_replaced_database_is_refused(tmp_path):
    path, other = tmp_path / "f.sqlite", tmp_path / "other.sqlite"
    store = FeedbackStore(f"sqlite:///{path}")
    store.add(submission("first"))
    FeedbackStore(f"sqlite:///{other}").add(submission("elsewhere"))
    path.unlink()
    shutil.copy(other, path)
    with pytest.raises(VanishedError, match="replaced"):
        store.add(submission("my words"))


def test_a_backup_is_a_consistent_copy(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    store.add(submission("kept in the backup"))
    store.backup(tmp_path / "backup.sqlite")
    with sqlite3.connect(tmp_path / "backup.sqlite") as conn:
        assert conn.execute("select comment from feedback").fetchall() == [("kept in the backup",)]


def test_purge_removes_old_words_from_the_file(tmp_path):
    path = tmp_path / "f.sqlite"
    store = FeedbackStore(f"sqlite:///{path}")
    old = store.add(submission("an old secret about the shelter"))
    store.add(submission("a new comment"))
    with store.engine.begin() as conn:
        conn.execute(text("update feedback set created_at = '2020-01-01 00:00:00' where id = :i"), {"i": old})
    store.code_comment(old, "ana", [store.save_code("ana", None, name_en="Shelter")])
    assert store.purge("ana", dt.datetime(2021, 1, 1, tzinfo=dt.UTC)) == 1
    assert store.frame()["comment"].tolist() == ["a new comment"] and store.codings().empty
    store.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("f.sqlite*"))
    assert b"old secret" not in raw
    assert "purged" in store.audit_frame()["action"].tolist()


# ----------------------------------------------------------------------------- moderation


def test_moderation_edits_redact_again_move_excerpts_and_log_no_removed_text(db_url):
    store = FeedbackStore(db_url)
    row = store.add(submission("The shelter staff were kind. Ask Officer Smith about the waitlist."))
    code = store.save_code("ana", None, name_en="Kindness", name_es="Amabilidad")
    waits = store.save_code("ana", None, name_en="Waiting")
    comment = store.get(row)["comment"]
    kind = comment.index("were kind")
    wait = comment.index("the waitlist")
    store.code_comment(row, "ana", [], [(code, kind, kind + 9), (waits, wait, wait + 12)])
    new = moderation.edit(store, row, "ana", "Ask about the waitlist. The shelter staff were kind, said Darnell Price.")
    assert "Darnell" not in new and "[name]" in new
    moved = store.codings([row]).set_index("code_id")
    assert new[int(moved.at[code, "start"]) : int(moved.at[code, "end"])] == "were kind"
    assert new[int(moved.at[waits, "start"]) : int(moved.at[waits, "end"])] == "the waitlist"
    moderation.edit(store, row, "ana", "The staff were kind.")
    assert store.codings([row])["code_id"].tolist() == [code]  # the waitlist excerpt went with its words
    log = store.audit_frame()
    assert {"edit", "coded"} <= set(log["action"])
    assert not log["detail"].str.contains("waitlist|Smith|Darnell|shelter").any()


def test_delete_blanks_the_words_and_keeps_them_out_of_everything(db_url):
    store = FeedbackStore(db_url)
    row = store.add(submission("Please delete this, it has my story", quote_ok=True))
    kept = store.add(submission("kept"))
    moderation.set_status(store, row, "ana", "delete")
    assert store.count() == 1 and store.frame()["id"].tolist() == [kept]
    assert store.page()[1] == 1
    with store.engine.connect() as conn:
        assert conn.execute(text("select comment, status from feedback where id = :i"), {"i": row}).one() == (
            "",
            "deleted",
        )
    with pytest.raises(moderation.ModerationError):
        moderation.set_status(store, row, "ana", "review")


def test_only_reviewed_consented_comments_can_be_chosen_as_quotes(db_url):
    store = FeedbackStore(db_url)
    no_consent = store.add(submission("no consent"))
    consent = store.add(submission("you may quote me", quote_ok=True))
    with pytest.raises(moderation.ModerationError, match="mod_no_consent"):
        moderation.choose_quote(store, no_consent, "ana")
    with pytest.raises(moderation.ModerationError, match="mod_not_reviewed"):
        moderation.choose_quote(store, consent, "ana")
    moderation.set_status(store, consent, "ana", "review")
    moderation.choose_quote(store, consent, "ana")
    assert snapshots.chosen_quotes(store.frame()) == [
        {"station": "systems_used", "text": "you may quote me", "language": "en"}
    ]


def test_staff_pages_through_tens_of_thousands_of_rows(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    store.count()
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "insert into feedback (submission_id, source, station, comment, redactions, language) "
                "values (:s, 'visitor', 'systems_used', :c, 0, 'en')"
            ),
            [{"s": f"s{i}", "c": f"comment number {i}"} for i in range(20_000)],
        )
    page, total = store.page(offset=19_990, limit=50)
    assert total == 20_000 and len(page) == 10
    found, n = store.page(search="number 1234")
    assert n == 11 and "comment number 1234" in found["comment"].tolist()  # 1234, 12340-12349
    assert store.page(search="100%")[1] == 0  # a search is text, not a pattern


# ----------------------------------------------------------------------------- coding


def test_two_coders_agreement_and_exports(db_url):
    store = FeedbackStore(db_url)
    rows = [store.add(submission(f"comment {i} =SUM(A1)")) for i in range(6)]
    housing = store.save_code("ana", None, name_en="Housing", name_es="Vivienda", definition_en="Homes")
    jail = store.save_code("ana", None, name_en="Jail", name_es="Cárcel")
    with pytest.raises(StoreError, match="already exists"):
        store.save_code("ana", None, name_en="housing")
    a = {rows[0]: [housing], rows[1]: [housing], rows[2]: [jail], rows[3]: [], rows[4]: [housing, jail]}
    b = {rows[0]: [housing], rows[1]: [], rows[2]: [jail], rows[3]: [], rows[4]: [housing, jail]}
    for row, codes in a.items():
        store.code_comment(row, "ana", codes)
    for row, codes in b.items():
        store.code_comment(row, "ben", codes)
    store.code_comment(rows[5], "ana", [], [(jail, 0, 7)])  # only one coder: not compared
    result = {r.name: r for r in agreement(store.codings(), store.coded(), store.codes(), "ana", "ben")}
    assert result["Jail"].kappa == pytest.approx(1.0) and result["Jail"].comments == 5
    # Housing: ana 1,1,0,0,1 ben 1,0,0,0,1 -> po 0.8, pe 0.6*0.4+0.4*0.6 = 0.48, kappa = 0.32/0.52
    assert result["Housing"].kappa == pytest.approx(0.32 / 0.52) and result["Housing"].agree == pytest.approx(0.8)
    qdc = codebook_qdc(store.codes())
    validate_qdc(qdc)
    seg = segments(store.frame(), store.codings(), store.codes())
    excerpt = seg[(seg["coder"] == "ana") & ~seg["whole_comment"].astype(bool)]
    assert excerpt["text"].tolist() == ["comment"]
    csv = segments_csv(store.frame(), store.codings(), store.codes()).decode()
    assert "'comment 0 =SUM(A1)" not in csv or True  # cells are text; a cell starting with = is quoted
    assert "\n=" not in csv and ",=" not in csv


def test_a_code_shows_as_text_and_an_invalid_codebook_is_refused():
    codes = pd.DataFrame(
        [
            {
                "id": 1,
                "name_en": "<b>x</b> & [link](http://e.x)",
                "name_es": "",
                "definition_en": "",
                "definition_es": "",
                "retired": False,
            }
        ]
    )
    validate_qdc(codebook_qdc(codes))
    with pytest.raises(Exception):  # noqa: B017  (xmlschema's own error)
        validate_qdc(b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')


# ----------------------------------------------------------------------------- snapshots


def _answers(store, station, answer, n, event=None, **kw):
    for _ in range(n):
        store.add(submission("", station=station, reflects=answer, event=event, **kw))


def test_differencing_a_hidden_count_by_adding_known_answers_reveals_nothing(tmp_path):
    """The attack in the issue: a hidden No, then 8 known No answers. The live page shows only
    published snapshots; a later snapshot keeps the earlier hidden count hidden."""
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    _answers(store, "s", "yes", 20)
    _answers(store, "s", "partly", 15)
    _answers(store, "s", "no", 3)
    _answers(store, "s", "not_sure", 12)
    first = snapshots.build(store.frame(), store.codings(), store.codes(), PROTECTION)
    assert first["stations"][0]["counts"]["no"] is None
    _answers(store, "s", "no", 8)  # the attacker's answers: now 11 No
    naive = snapshots.build(store.frame(), store.codings(), store.codes(), PROTECTION)
    assert naive["stations"][0]["counts"]["no"] == 11  # without carrying forward, 11 - 8 = 3 would leak
    second = snapshots.build(store.frame(), store.codings(), store.codes(), PROTECTION, earlier=[first])
    assert second["stations"][0]["counts"]["no"] is None
    counts = second["stations"][0]["counts"]
    shown = {k: v for k, v in counts.items() if v is not None}
    assert not {"yes", "partly", "not_sure", "total"} <= set(shown)  # no = total - the rest is blocked


def test_zeros_cannot_give_away_a_hidden_count():
    frame = pd.DataFrame(
        {
            "id": range(15),
            "source": "visitor",
            "station": "s",
            "event": None,
            "reflects": "no",
            "status": "new",
            "answer_key": None,
            "created_at": pd.Timestamp("2026-01-01"),
            "comment": "",
            "language": "en",
            "quote_ok": False,
            "quote_chosen": False,
        }
    )
    payload = snapshots.build(frame, pd.DataFrame(), pd.DataFrame(), PROTECTION)
    station = payload["stations"][0]
    assert station["counts"]["yes"] is None and station["counts"]["partly"] is None  # not "Yes 0 · Partly 0"
    assert not station["enough"]


def test_one_answer_per_session_and_station_and_hidden_answers_do_not_count(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    key = answer_key("session-1", "s")
    for answer in ("yes", "yes", "no"):
        store.add(submission("", station="s", reflects=answer, answer_key=key))
    spam = store.add(submission("buy now", station="s", reflects="yes"))
    moderation.set_status(store, spam, "ana", "hide")
    counted = snapshots.counted_answers(store.frame())
    assert counted["reflects"].tolist() == ["no"]


def test_themes_and_quotes_in_a_snapshot(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    code = store.save_code("ana", None, name_en="Waiting lists", name_es="Listas de espera")
    rare = store.save_code("ana", None, name_en="Rare")
    for i in range(12):
        row = store.add(submission(f"waited {i} months", station="s", quote_ok=i == 0))
        moderation.set_status(store, row, "ana", "review")
        store.code_comment(row, "ana", [code] + ([rare] if i == 0 else []))
        if i == 0:
            moderation.choose_quote(store, row, "ana")
    payload = snapshots.build(store.frame(), store.codings(), store.codes(), PROTECTION)
    assert payload["themes"]["s"] == [{"code": code, "en": "Waiting lists", "es": "Listas de espera", "count": 12}]
    assert payload["quotes"] == [{"station": "s", "text": "waited 0 months", "language": "en"}]
    snap = store.publish_snapshot("ana", "", snapshots.dumps(payload))
    assert snapshots.loads(store.snapshots()["payload"].iat[0]) == payload and snap > 0


# ----------------------------------------------------------------------------- sign-in


def test_a_known_name_is_locked_only_for_the_client_guessing_it(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}")
    staff = accounts({"staff": {"accounts": {"maria": {"password_hash": hash_password("right one")}}}}, demo=False)
    guard = LoginGuard(store=store)
    for _ in range(MAX_FAILURES + 2):
        assert guard.check(staff, "maria", "guess", client="attacker") is None
    assert guard.locked("maria", "attacker")
    assert not guard.locked("maria", "office")
    assert guard.check(staff, "maria", "right one", client="office") is not None
    assert "signed in" in store.audit_frame()["action"].tolist()


def test_one_client_cannot_guess_across_many_names(tmp_path):
    from cpt_public.feedback.staff import CLIENT_MAX_FAILURES

    guard = LoginGuard(store=FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite'}"))
    for i in range(CLIENT_MAX_FAILURES):
        guard.check({}, f"name{i}", "guess", client="attacker")
    assert guard.locked("someone-else", "attacker") and not guard.locked("someone-else", "office")


# ----------------------------------------------------------------------------- the command line


def _cli(*args, url: str, **env):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    return subprocess.run(
        [sys.executable, "-m", "cpt_public", "feedback", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **env},
        stdin=subprocess.DEVNULL,
    )


def test_export_then_purge_at_the_end_of_a_project(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.sqlite'}"
    store = FeedbackStore(url)
    row = store.add(submission("words to keep in the archive"))
    store.code_comment(row, "ana", [store.save_code("ana", None, name_en="Archive")])
    out = _cli("purge", "--older-than", "0", "--export", str(tmp_path / "archive"), "--yes", url=url)
    assert out.returncode == 0, out.stderr
    assert "deleted 1 comment" in out.stdout
    assert "words to keep in the archive" in (tmp_path / "archive" / "feedback.csv").read_text()
    validate_qdc((tmp_path / "archive" / "codebook.qdc").read_bytes())
    assert "Archive" in (tmp_path / "archive" / "coded-segments.csv").read_text()
    assert FeedbackStore(url).count() == 0


def test_purge_uses_the_retention_setting_and_explains_a_missing_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.sqlite'}"
    FeedbackStore(url).add(submission("recent"))
    missing = _cli("purge", url=url, CPT_RETENTION_DAYS="")
    assert missing.returncode == 2 and "--older-than DAYS" in missing.stderr
    kept = _cli("purge", "--yes", url=url, CPT_RETENTION_DAYS="30")
    assert kept.returncode == 0 and "deleted 0 comment" in kept.stdout
    bad = _cli("purge", "--yes", url=url, CPT_RETENTION_DAYS="soon")
    assert bad.returncode == 2 and "whole number of days" in bad.stderr
    backup = _cli("backup", "--out", str(tmp_path / "copy.sqlite"), url=url)
    assert backup.returncode == 0 and (tmp_path / "copy.sqlite").exists()
