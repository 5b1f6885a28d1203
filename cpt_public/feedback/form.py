"""The feedback form's rules, as plain functions: options, limits, redaction, rate limits."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets
import time
import uuid
from collections import deque

from ..errors import CptError
from .redact import redact

REFLECTS = ("yes", "partly", "no", "not_sure")
EVENT_CODE = re.compile(r"[A-Za-z0-9-]{3,32}")
CONNECTIONS = ("lived_experience", "provider", "resident", "other")
MAX_COMMENT = 1000
RATE_WINDOW_S = 600  # at most RATE_MAX submissions per session in 10 minutes:
RATE_MAX = 20  # room for feedback at every station of a 10-station walk, twice
# No minimum gap is needed against double clicks: a submission is idempotent, and the form is
# cleared after success, so a second click finds it empty.


class FormError(CptError):
    """The form's values are not acceptable; the message says which and why."""


@dataclasses.dataclass(frozen=True)
class Submission:
    submission_id: str
    source: str
    station: str | None
    event: str | None
    reflects: str | None
    comment: str
    redactions: int
    connection: str | None
    language: str
    quote_ok: bool = False  # "you may quote my words, without my name"
    answer_key: str | None = None  # one answer per session per station (schema.Feedback.answer_key)


def new_submission_id() -> str:
    return str(uuid.uuid4())


def build(
    submission_id: str,
    *,
    station: str | None,
    reflects: str | None,
    comment: str,
    connection: str | None,
    language: str,
    event: str | None = None,
    source: str = "visitor",
    stations: set[str] | None = None,
    quote_ok: bool = False,
    answer_key: str | None = None,
) -> Submission:
    """Validate the form's values and redact the comment. Raises FormError with a message key."""
    comment = (comment or "").strip()
    if reflects is None and not comment:
        raise FormError("form_empty")
    if reflects is not None and reflects not in REFLECTS:
        raise FormError("form_invalid")
    if connection is not None and connection not in CONNECTIONS:
        raise FormError("form_invalid")
    if len(comment) > MAX_COMMENT:
        raise FormError("form_too_long")
    if station is not None and stations is not None and station not in stations:
        raise FormError("form_invalid")
    red = redact(comment)
    return Submission(
        submission_id,
        source,
        station,
        (event or None),
        reflects,
        red.text,
        sum(red.counts.values()),
        connection,
        language,
        bool(quote_ok) and bool(red.text),
        answer_key if reflects is not None else None,
    )


class RateLimiter:
    """Per-session limit: RATE_MAX submissions in RATE_WINDOW_S."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._times: deque[float] = deque()

    def check(self) -> str | None:
        """None if a submission may go ahead, else the message key explaining why not."""
        now = self._clock()
        while self._times and now - self._times[0] > RATE_WINDOW_S:
            self._times.popleft()
        if len(self._times) >= RATE_MAX:
            return "form_rate_limited"
        return None

    def record(self) -> None:
        self._times.append(self._clock())


REPEAT_WINDOW_S = 30


class RepeatGuard:
    """Per session: the last saved submission's words and when. A double click — or a second
    click that reaches the server before the cleared form has reached the browser — sends the
    same words again under a *new* submission id, which the store's idempotency cannot catch
    (found by tests/e2e/test_hardening.py). An identical submission within REPEAT_WINDOW_S gets
    the first one's answer and is not stored again."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._last: tuple[tuple, float, object] | None = None

    def repeat_of(self, key: tuple):
        """The earlier outcome if ``key`` (station, answer, comment, connection, event) was just saved."""
        if self._last and self._last[0] == key and self._clock() - self._last[1] < REPEAT_WINDOW_S:
            return self._last[2]
        return None

    def remember(self, key: tuple, outcome) -> None:
        self._last = (key, self._clock(), outcome)


def answer_key(session_salt: str, station: str | None) -> str:
    """The key that makes a session's later answer at a station replace its earlier one."""
    return hashlib.sha256(f"{session_salt}|{station or 'general'}".encode()).hexdigest()[:32]


VISITOR = re.compile(r"[0-9a-f]{32}")


def new_visitor() -> str:
    """A light page's visitor id (a cookie): what its form tokens are bound to and what makes a
    visitor's later answer at a station replace the earlier one."""
    return secrets.token_hex(16)


def form_token(key: bytes, visitor: str) -> str:
    """The token a light page's form carries (a CSRF token bound to the visitor's cookie: another
    site can neither read it nor make the cookie match)."""
    return hmac.new(key, f"form|{visitor}".encode(), hashlib.sha256).hexdigest()[:40]


def token_ok(key: bytes, visitor: str | None, token: str | None) -> bool:
    if not visitor or not token or not VISITOR.fullmatch(visitor):
        return False
    return hmac.compare_digest(form_token(key, visitor), token)
