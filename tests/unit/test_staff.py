"""Staff sign-in, lockout, timeouts and safe CSV exports."""

from __future__ import annotations

import io

import pandas as pd

from cpt_public.feedback import staff


def test_demo_account_only_when_enabled():
    assert "demo" not in staff.accounts({}, demo=False)
    assert "demo" in staff.accounts({}, demo=True)
    secrets = {"staff": {"accounts": {"maria": {"name": "Maria", "password_hash": staff.hash_password("s3cret!")}}}}
    assert set(staff.accounts(secrets, demo=False)) == {"maria"}


def test_sign_in_and_lockout():
    now = [0.0]
    guard = staff.LoginGuard(clock=lambda: now[0])
    accts = staff.accounts({}, demo=True)
    assert guard.check(accts, "Demo", staff.DEMO_PASSWORD).user == "demo"  # names are case-insensitive
    for _ in range(staff.MAX_FAILURES):
        assert guard.check(accts, "demo", "wrong") is None
    assert guard.locked("demo")
    assert guard.check(accts, "demo", staff.DEMO_PASSWORD) is None  # even the right password, while locked
    now[0] += staff.LOCKOUT_S + 1
    assert guard.check(accts, "demo", staff.DEMO_PASSWORD) is not None
    assert guard.check(accts, "nobody", "x") is None


def test_lockout_counts_across_processes_through_the_database(tmp_path):
    """Two app processes behind a proxy: failures on either count towards one lockout."""
    from cpt_public.feedback.store import FeedbackStore

    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    now = [1_000_000.0]
    first = staff.LoginGuard(clock=lambda: now[0], store=FeedbackStore(url))
    second = staff.LoginGuard(clock=lambda: now[0], store=FeedbackStore(url))
    accts = staff.accounts({}, demo=True)
    for i in range(staff.MAX_FAILURES):
        assert (first if i % 2 else second).check(accts, "demo", "wrong") is None
    assert first.locked("demo") and second.locked("demo")
    assert second.check(accts, "demo", staff.DEMO_PASSWORD) is None
    now[0] += staff.LOCKOUT_S + 1
    assert first.check(accts, "demo", staff.DEMO_PASSWORD) is not None  # and a success clears the count
    assert FeedbackStore(url).failures_since("demo", 0) == 0


def test_lockout_still_counts_while_the_database_is_down(tmp_path):
    from cpt_public.feedback.store import FeedbackStore

    down = FeedbackStore(f"sqlite:///file:{tmp_path / 'missing.sqlite'}?mode=ro&uri=true")
    guard = staff.LoginGuard(store=down)
    accts = staff.accounts({}, demo=True)
    for _ in range(staff.MAX_FAILURES):
        assert guard.check(accts, "demo", "wrong") is None
    assert guard.locked("demo")


def test_session_timeout():
    assert staff.expired(None)
    assert not staff.expired(1000.0, now=1000.0 + staff.SESSION_IDLE_S - 1)
    assert staff.expired(1000.0, now=1000.0 + staff.SESSION_IDLE_S + 1)


def test_csv_export_neutralises_formulas():
    frame = pd.DataFrame(
        {
            "comment": ['=HYPERLINK("http://evil.example","click")', "+1 555", "-2", "@SUM(A1)", "fine"],
            "n": [1, 2, 3, 4, 5],
        }
    )
    back = pd.read_csv(io.BytesIO(staff.csv_safe(frame)))
    assert list(back["comment"]) == [
        '\'=HYPERLINK("http://evil.example","click")',
        "'+1 555",
        "'-2",
        "'@SUM(A1)",
        "fine",
    ]
    assert list(back["n"]) == [1, 2, 3, 4, 5]


def test_theme_tags_are_normalised():
    assert staff.normalise_themes(" Housing, waiting lists,housing ,, ") == "housing, waiting lists"


def test_hash_password_command():
    import subprocess
    import sys

    from argon2 import PasswordHasher

    from tests.conftest import ROOT

    out = subprocess.run(
        [sys.executable, "-m", "cpt_public", "hash-password"],
        input="a long passphrase here\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0 and PasswordHasher().verify(out.stdout.strip(), "a long passphrase here")
    short = subprocess.run(
        [sys.executable, "-m", "cpt_public", "hash-password"], input="short\n", capture_output=True, text=True, cwd=ROOT
    )
    assert short.returncode == 2 and "at least 12" in short.stderr


def test_review_filters_and_theme_changes():
    from cpt_public.feedback.review import COLUMNS, filtered, theme_changes

    frame = pd.DataFrame({c: [None, None, None] for c in COLUMNS})
    frame["id"] = [1, 2, 3]
    frame["station"] = ["a", "b", "a"]
    frame["source"] = ["visitor", "visitor", "facilitator"]
    frame["themes"] = ["", "housing", "x"]
    assert list(filtered(frame, station="a")["id"]) == [1, 3]
    assert list(filtered(frame, station="a", source="visitor")["id"]) == [1]
    after = frame.assign(themes=["Housing, food", "housing", "x"])
    assert theme_changes(frame, after) == {1: "food, housing"}
