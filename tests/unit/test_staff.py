"""Staff sign-in, lockout, timeouts and safe CSV exports."""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest

from cpt_public.feedback import staff


def test_demo_account_only_when_enabled_alone_and_local():
    assert "demo" not in staff.accounts({}, demo=False)
    assert "demo" in staff.accounts({}, demo=True)
    secrets = {"staff": {"accounts": {"maria": {"name": "Maria", "password_hash": staff.hash_password("s3cret!")}}}}
    assert set(staff.accounts(secrets, demo=False)) == {"maria"}
    assert set(staff.accounts(secrets, demo=True)) == {"maria"}  # never beside real accounts
    for host in ("192.168.1.20", "cpt.example.org", "10.0.0.5"):  # a visitor on the venue's network
        assert "demo" not in staff.accounts({}, demo=True, host=host)
    assert "demo" in staff.accounts({}, demo=True, host="127.0.0.1")


def test_make_app_listens_on_this_machine_only():
    from tests.conftest import ROOT

    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\napp:", 1)[1].split("\n\n", 1)[0]
    assert "streamlit run serve.py --server.address 127.0.0.1" in recipe


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


def test_excerpts_are_chosen_by_words_and_exports_carry_codes_as_text():
    from cpt_public.feedback.review import excerpt, export_csv, pages, words

    comment = "The waitlist  took two years."
    assert [w.text for w in words(comment)] == ["The", "waitlist", "took", "two", "years."]
    a, b = excerpt(comment, 3, 1)
    assert comment[a:b] == "waitlist  took two"
    assert pages(0) == 1 and pages(26) == 2
    frame = pd.DataFrame({"id": [1], "comment": ["=cmd|' /C calc'!A0"], "status": ["new"]})
    codings = pd.DataFrame({"feedback_id": [1], "code_id": [7], "coder": ["ana"], "start": [None], "end": [None]})
    codes = pd.DataFrame({"id": [7], "name_en": ["@housing"], "name_es": ["vivienda"]})
    out = export_csv(frame, codings, codes).decode()
    assert "'=cmd" in out and "'@housing" in out


def test_a_burst_of_simultaneous_guesses_gets_no_more_checks_than_the_lockout_allows(monkeypatch):
    """30 guesses at once, the right one among the last: each attempt is counted before it is
    checked, so only MAX_FAILURES passwords are ever checked and the late right guess is refused."""
    import threading

    checked = []

    def slow_verify(password_hash, password):
        checked.append(password)
        time.sleep(0.02)
        return staff._hasher.verify(password_hash, password) if password == staff.DEMO_PASSWORD else False

    monkeypatch.setattr(staff, "_verify", slow_verify)
    guard = staff.LoginGuard()
    accts = staff.accounts({}, demo=True)
    guesses = [f"guess-{i}" for i in range(29)] + [staff.DEMO_PASSWORD]
    start = threading.Barrier(len(guesses))
    results = []

    def attempt(password):
        start.wait()
        results.append(guard.check(accts, "demo", password))

    threads = [threading.Thread(target=attempt, args=(g,)) for g in guesses]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checked) <= staff.MAX_FAILURES
    if staff.DEMO_PASSWORD in checked:  # it happened to be among the first five: it alone signs in
        assert sum(r is not None for r in results) == 1
    else:
        assert all(r is None for r in results) and guard.locked("demo")


def test_simultaneous_sign_ins_run_at_most_max_checks_password_checks_at_once(monkeypatch):
    import threading

    active, peak = [0], [0]
    lock = threading.Lock()

    def counting_verify(password_hash, password):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.03)
        with lock:
            active[0] -= 1
        return False

    monkeypatch.setattr(staff, "_verify", counting_verify)
    guard = staff.LoginGuard()
    accts = staff.accounts({}, demo=True)
    threads = [threading.Thread(target=guard.check, args=(accts, f"user{i}", "x")) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] <= staff.MAX_CHECKS  # 60 sign-ins never hold more than MAX_CHECKS x 64 MiB


def test_a_sign_in_that_cannot_start_its_check_is_told_to_retry(monkeypatch):
    monkeypatch.setattr(staff, "CHECK_WAIT_S", 0.01)
    held = [staff._checks.acquire() for _ in range(staff.MAX_CHECKS)]
    try:
        with pytest.raises(staff.Busy):
            staff.LoginGuard().check(staff.accounts({}, demo=True), "demo", staff.DEMO_PASSWORD)
    finally:
        for _ in held:
            staff._checks.release()


_SIGN_INS = """
import resource, sys, threading
from cpt_public.feedback import staff
n = int(sys.argv[1])
guard = staff.LoginGuard()
accts = staff.accounts({}, demo=True)
start = threading.Barrier(n)
def one(i):
    start.wait()
    try:
        guard.check(accts, f"user{i}", "wrong password", client=f"client{i}")
    except staff.Busy:
        pass
threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
[t.start() for t in threads]
[t.join() for t in threads]
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.slow
def test_sixty_simultaneous_sign_ins_stay_under_a_memory_bound():
    """Real argon2 checks (64 MiB each), 60 at once from 60 addresses: the process's peak memory
    grows by at most MAX_CHECKS checks' worth over a single sign-in, not 60 (about 3.8 GB)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    def peak_kib(n: int) -> int:
        out = subprocess.run(
            [sys.executable, "-c", _SIGN_INS, str(n)], cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert out.returncode == 0, out.stderr
        return int(out.stdout.split()[-1])

    one, sixty = peak_kib(1), peak_kib(60)
    assert sixty - one < staff.MAX_CHECKS * 64 * 1024 + 32 * 1024, (one, sixty)
