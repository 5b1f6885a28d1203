"""One feedback submission, end to end: rate limit, validate, redact, store. No Streamlit."""

from __future__ import annotations

import dataclasses

from .form import FormError, RateLimiter, RepeatGuard, build
from .store import FeedbackStore, StoreError


@dataclasses.dataclass(frozen=True)
class Outcome:
    ok: bool
    message_key: str  # a ui.toml key for what to tell the visitor
    saved_text: str | None = None  # the comment as stored (after redaction)
    redacted: bool = False


def submit(
    store: FeedbackStore, limiter: RateLimiter, submission_id: str, repeats: RepeatGuard | None = None, **values
) -> Outcome:
    """Never raises for the visitor's or the database's sake: the outcome says what happened,
    and on failure the caller keeps everything the visitor entered."""
    key = tuple(values.get(k) for k in ("station", "reflects", "comment", "connection", "event"))
    if repeats is not None and (earlier := repeats.repeat_of(key)) is not None:
        return earlier
    blocked = limiter.check()
    if blocked:
        return Outcome(False, blocked)
    try:
        s = build(submission_id, **values)
    except FormError as exc:
        return Outcome(False, str(exc))
    try:
        store.add(s)
    except StoreError:
        return Outcome(False, "fb_save_failed")
    limiter.record()
    outcome = Outcome(True, "fb_thanks", s.comment, s.redactions > 0)
    if repeats is not None:
        repeats.remember(key, outcome)
    return outcome
