"""One feedback submission, end to end: limits, validate, redact, store. No Streamlit.

Limits, in order: the same words just sent by this session get the first answer again (a double
click); the session's own limit; then the limits per client and overall, counted in the database
(limits.py). An event code that is not an open event is dropped: the words are kept, but they do
not count for an event whose posters the visitor did not see."""

from __future__ import annotations

import dataclasses

from . import limits
from .form import EVENT_CODE, FormError, RateLimiter, RepeatGuard, build
from .store import FeedbackStore, StoreError


@dataclasses.dataclass(frozen=True)
class Outcome:
    ok: bool
    message_key: str  # a ui.toml key for what to tell the visitor
    saved_text: str | None = None  # the comment as stored (after redaction)
    redacted: bool = False


def submit(
    store: FeedbackStore,
    limiter: RateLimiter,
    submission_id: str,
    repeats: RepeatGuard | None = None,
    client: str | None = None,
    **values,
) -> Outcome:
    """Never raises for the visitor's or the database's sake: the outcome says what happened,
    and on failure the caller keeps everything the visitor entered. ``client``: the client's
    key (limits.client_key) for the limits across sessions; None skips them (staff notes)."""
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
        if s.event is not None and (not EVENT_CODE.fullmatch(s.event) or not store.open_event(s.event)):
            s = dataclasses.replace(s, event=None)
        if client is not None and (blocked := limits.take(store, client)):
            return Outcome(False, blocked)
        store.add(s)
    except StoreError:
        return Outcome(False, "fb_save_failed")
    limiter.record()
    outcome = Outcome(True, "fb_thanks", s.comment, s.redactions > 0)
    if repeats is not None:
        repeats.remember(key, outcome)
    return outcome
