"""Staff accounts, sign-in with lockout, session timeout, and safe exports. No Streamlit.

Accounts live in Streamlit secrets (``.streamlit/secrets.toml``, never committed)::

    [staff.accounts.maria]
    name = "Maria (CPT coordinator)"
    password_hash = "$argon2id$..."   # python -m cpt_public hash-password

A demo account (user ``demo``, password ``walk-demo-2026``) exists only when the environment
sets CPT_DEMO_STAFF=1 — ``make app`` does, for local use; never set it on a public server.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

DEMO_USER = "demo"
DEMO_PASSWORD = "walk-demo-2026"  # documented in the README, for local use only
DEMO_HASH = "$argon2id$v=19$m=65536,t=3,p=4$zDppkEAZSEN0jR5KIblTmw$JVOnFOMROSsGJbAk72abyhVt7tCYGya4uyOCagI1xSU"
MAX_FAILURES = 5  # per user name from one client, within LOCKOUT_S
CLIENT_MAX_FAILURES = 10  # per client, whatever names it tries, within LOCKOUT_S
USER_MAX_FAILURES = 30  # per user name from all clients together: guessing spread over many addresses
LOCKOUT_S = 15 * 60
SESSION_IDLE_S = 30 * 60
# Each argon2 check holds 64 MiB for about a tenth of a second. At most this many run at once in
# a process, so a burst of sign-ins queues instead of taking the server's memory.
MAX_CHECKS = 2
CHECK_WAIT_S = 10.0  # a sign-in that cannot start its check within this long is told to retry
_hasher = PasswordHasher()
_checks = threading.BoundedSemaphore(MAX_CHECKS)


class Busy(Exception):
    """Too many sign-ins at once: try again in a moment."""


@dataclasses.dataclass(frozen=True)
class Account:
    user: str
    name: str
    password_hash: str


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


def accounts(secrets: Mapping, demo: bool, host: str | None = "localhost") -> dict[str, Account]:
    """The staff accounts. The demo account is added only when asked for (CPT_DEMO_STAFF=1), when
    no real account exists (it never sits beside them), and when the page was opened on this
    machine (``host``: the address in the visitor's browser) — never for a visitor on a venue's
    network, whatever the server was started with."""
    out = {}
    for user, entry in (secrets.get("staff", {}) or {}).get("accounts", {}).items():
        out[user] = Account(user, entry.get("name", user), entry["password_hash"])
    # host None: no browser asked (AppTest, scripts); a served page always knows its address.
    if demo and not out and (host is None or host.lower() in LOCAL_HOSTS):
        out[DEMO_USER] = Account(DEMO_USER, "Demo staff (local use only)", DEMO_HASH)
    return out


def hash_password(password: str) -> str:
    return _hasher.hash(password)


class LoginGuard:
    """Counts failed sign-ins and refuses further attempts for LOCKOUT_S:

    - from one client (its address's keyed hash, limits.client_key) for one user name, after
      MAX_FAILURES: someone guessing a known name locks it only for themselves, so they cannot
      lock the real staff member out from another place;
    - from one client for any names, after CLIENT_MAX_FAILURES: no guessing across names;
    - for one user name from every client together, after USER_MAX_FAILURES: guessing spread
      over many addresses still stops (and only an attacker with that many addresses, trying
      again every LOCKOUT_S, could keep a name locked).

    With a ``store`` (the feedback database) failures are counted there, so every app process
    behind a proxy sees the same count; without one, or while the database cannot be reached,
    this process's own count applies (a lockout is never lifted because a database is down)."""

    def __init__(self, clock=time.time, store=None):
        self._clock = clock
        self._store = store
        self._failures: list[tuple[str, str, float]] = []  # (user, client, when)
        self._lock = threading.Lock()

    def _local(self, user: str | None, client: str | None) -> int:
        with self._lock:
            now = self._clock()
            self._failures = [f for f in self._failures if now - f[2] < LOCKOUT_S]
            return sum(1 for u, c, _ in self._failures if user in (None, u) and client in (None, c))

    def _shared(self, operation: str, *args, default=None):
        """The store's answer, or ``default`` without a store or while its database is down."""
        from .store import StoreError

        if self._store is None:
            return default
        try:
            return getattr(self._store, operation)(*args)
        except StoreError:
            return default

    def locked(self, user: str, client: str = "local") -> bool:
        """No further attempt for this name from this client is checked now."""
        return (
            self._attempts(user, client) >= MAX_FAILURES
            or self._attempts(None, client) >= CLIENT_MAX_FAILURES
            or self._attempts(user, None) >= USER_MAX_FAILURES
        )

    def _failed(self, user: str, client: str) -> None:
        now = self._clock()
        with self._lock:
            self._failures.append((user, client, now))
        self._shared("record_failure", user, now, client)

    def _succeeded(self, user: str, client: str) -> None:
        with self._lock:
            self._failures = [f for f in self._failures if f[0] != user]
        self._shared("clear_failures", user)
        self._shared("audit", user, "signed in", "staff", "")

    def check(self, accounts: Mapping[str, Account], user: str, password: str, client: str = "local") -> Account | None:
        """The account if the password is right and the name is not locked; else None. Raises
        Busy when too many checks are already running.

        The attempt is counted as a failure *before* the password is checked, and only the first
        MAX_FAILURES attempts in LOCKOUT_S are checked at all: a burst of simultaneous guesses
        cannot have more checked than the lockout allows (each sees the others' attempts). A right
        password clears the count."""
        user = user.strip().lower()
        if self.locked(user, client):
            return None
        self._failed(user, client)
        if self._past_limits(user, client):
            return None
        account = accounts.get(user)
        if not _checks.acquire(timeout=CHECK_WAIT_S):
            raise Busy()
        try:
            if account is not None and _verify(account.password_hash, password):
                self._succeeded(user, client)
                return account
            if account is None:  # spend the same time on unknown names, so they cannot be told apart
                _verify(DEMO_HASH, password + "x")
        finally:
            _checks.release()
        return None

    def _past_limits(self, user: str, client: str) -> bool:
        """After this attempt was recorded: is it beyond what the limits allow to be checked?"""
        return (
            self._attempts(user, client) > MAX_FAILURES
            or self._attempts(None, client) > CLIENT_MAX_FAILURES
            or self._attempts(user, None) > USER_MAX_FAILURES
        )

    def _attempts(self, user: str | None, client: str | None) -> int:
        shared = self._shared("failures_since", user, self._clock() - LOCKOUT_S, client, default=0)
        return max(self._local(user, client), shared)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def expired(last_seen: float | None, now: float | None = None) -> bool:
    return last_seen is None or (now if now is not None else time.time()) - last_seen > SESSION_IDLE_S


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: pd.DataFrame) -> bytes:
    """CSV that a spreadsheet opens as text: any cell starting like a formula is prefixed with a
    single quote (OWASP's advice against CSV/formula injection)."""

    def cell(v):
        return "'" + v if isinstance(v, str) and v.startswith(_FORMULA) else v

    return frame.map(cell).to_csv(index=False).encode("utf-8")
