"""Moderation: every comment starts *new*; staff review, edit (to redact further), hide or delete
it, and choose quotes among the comments whose writers agreed to be quoted. Each step is written
to the audit log in the same transaction, with who and when but never the text that was removed.

- *edit*: the new text is redacted again (staff may paste a name back by mistake), may only be
  as long as a visitor's comment, and the coded excerpts move with the words they cover; an
  excerpt whose words were removed is dropped.
- *hide*: the comment stays for staff but is out of every public count, theme and quote (for
  spam or abuse); *show* puts it back.
- *delete*: the words are blanked at once and the comment is out of every count and export; only
  the fact that a comment was deleted remains.
- a *quote* can be chosen only from a reviewed comment whose writer ticked "you may quote my
  words, without my name".
"""

from __future__ import annotations

from ..errors import CptError
from .form import MAX_COMMENT
from .redact import redact
from .store import FeedbackStore

STATUS_ACTIONS = {"review": "reviewed", "hide": "hidden", "show": "new", "delete": "deleted", "reopen": "new"}


class ModerationError(CptError):
    """A moderation step that cannot be done; the message says why (a ui.toml key)."""


def _row(store: FeedbackStore, row_id: int) -> dict:
    row = store.get(row_id)
    if row is None or row["status"] == "deleted":
        raise ModerationError("mod_gone")
    return row


def set_status(store: FeedbackStore, row_id: int, actor: str, action: str) -> None:
    if action not in STATUS_ACTIONS:
        raise ModerationError("mod_unknown")
    row = _row(store, row_id)
    status = STATUS_ACTIONS[action]
    detail = f"{row['status']} -> {status}"
    store.moderate(row_id, actor, status=status, action=action, detail=detail)


def anchor(old: str, new: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the excerpt old[start:end] is in the edited text: the occurrence nearest its old
    place, or None when its words are no longer there."""
    excerpt = old[start:end]
    if not excerpt:
        return None
    found, at = [], new.find(excerpt)
    while at != -1:
        found.append(at)
        at = new.find(excerpt, at + 1)
    if not found:
        return None
    best = min(found, key=lambda i: abs(i - start))
    return best, best + len(excerpt)


def edit(store: FeedbackStore, row_id: int, actor: str, text: str) -> str:
    """Replace a comment's words (redacted again). Returns the text as stored."""
    row = _row(store, row_id)
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise ModerationError("form_too_long")
    red = redact(text)
    moved, dropped = [], 0
    codings = store.codings([row_id])
    for c in codings.itertuples():
        if c.start is None or c.start != c.start:  # whole-comment code (None or NaN)
            continue
        place = anchor(row["comment"], red.text, int(c.start), int(c.end))
        if place is None:
            moved.append((int(c.id), None, -1))
            dropped += 1
        else:
            moved.append((int(c.id), *place))
    detail = f"{len(row['comment'])} -> {len(red.text)} characters; {sum(red.counts.values())} redacted again"
    if dropped:
        detail += f"; {dropped} excerpt(s) dropped"
    store.moderate(
        row_id,
        actor,
        comment=red.text,
        redactions=int(row["redactions"]) + sum(red.counts.values()),
        action="edit",
        detail=detail,
        codings=moved,
    )
    return red.text


def choose_quote(store: FeedbackStore, row_id: int, actor: str, chosen: bool = True) -> None:
    row = _row(store, row_id)
    if chosen and not row["quote_ok"]:
        raise ModerationError("mod_no_consent")
    if chosen and row["status"] != "reviewed":
        raise ModerationError("mod_not_reviewed")
    store.moderate(row_id, actor, quote_chosen=chosen, action="quote chosen" if chosen else "quote dropped")
