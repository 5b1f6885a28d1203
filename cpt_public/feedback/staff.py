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
MAX_FAILURES = 5  # per user name, within LOCKOUT_S
LOCKOUT_S = 15 * 60
SESSION_IDLE_S = 30 * 60
_hasher = PasswordHasher()


@dataclasses.dataclass(frozen=True)
class Account:
    user: str
    name: str
    password_hash: str


def accounts(secrets: Mapping, demo: bool) -> dict[str, Account]:
    out = {}
    for user, entry in (secrets.get("staff", {}) or {}).get("accounts", {}).items():
        out[user] = Account(user, entry.get("name", user), entry["password_hash"])
    if demo:
        out.setdefault(DEMO_USER, Account(DEMO_USER, "Demo staff (local use only)", DEMO_HASH))
    return out


def hash_password(password: str) -> str:
    return _hasher.hash(password)


class LoginGuard:
    """Counts failed sign-ins per user name and locks the name for LOCKOUT_S after MAX_FAILURES.

    With a ``store`` (the feedback database) failures are counted there, so every app process
    behind a proxy sees the same count; without one, or while the database cannot be reached,
    this process's own count applies (a lockout is never lifted because a database is down)."""

    def __init__(self, clock=time.time, store=None):
        self._clock = clock
        self._store = store
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _local(self, user: str) -> int:
        with self._lock:
            recent = [t for t in self._failures.get(user, []) if self._clock() - t < LOCKOUT_S]
            self._failures[user] = recent
            return len(recent)

    def _shared(self, operation: str, *args, default=None):
        """The store's answer, or ``default`` without a store or while its database is down."""
        from .store import StoreError

        if self._store is None:
            return default
        try:
            return getattr(self._store, operation)(*args)
        except StoreError:
            return default

    def locked(self, user: str) -> bool:
        shared = self._shared("failures_since", user, self._clock() - LOCKOUT_S, default=0)
        return max(self._local(user), shared) >= MAX_FAILURES

    def _failed(self, user: str) -> None:
        now = self._clock()
        with self._lock:
            self._failures.setdefault(user, []).append(now)
        self._shared("record_failure", user, now)

    def _succeeded(self, user: str) -> None:
        with self._lock:
            self._failures.pop(user, None)
        self._shared("clear_failures", user)

    def check(self, accounts: Mapping[str, Account], user: str, password: str) -> Account | None:
        """The account if the password is right and the name is not locked; else None."""
        user = user.strip().lower()
        if self.locked(user):
            return None
        account = accounts.get(user)
        try:
            if account is not None and _hasher.verify(account.password_hash, password):
                self._succeeded(user)
                return account
        except (VerificationError, InvalidHashError):
            pass
        if account is None:  # spend the same time on unknown names, so they cannot be told apart
            try:
                _hasher.verify(DEMO_HASH, password + "x")
            except VerificationError:
                pass
        self._failed(user)
        return None


def expired(last_seen: float | None, now: float | None = None) -> bool:
    return last_seen is None or (now if now is not None else time.time()) - last_seen > SESSION_IDLE_S


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: pd.DataFrame) -> bytes:
    """CSV that a spreadsheet opens as text: any cell starting like a formula is prefixed with a
    single quote (OWASP's advice against CSV/formula injection)."""

    def cell(v):
        return "'" + v if isinstance(v, str) and v.startswith(_FORMULA) else v

    return frame.map(cell).to_csv(index=False).encode("utf-8")


def normalise_themes(text: str) -> str:
    """Comma-separated theme tags, trimmed, lower-case, unique, sorted."""
    return ", ".join(sorted({t.strip().lower() for t in (text or "").split(",") if t.strip()}))
