"""Reporting back: "What we heard", as snapshots that staff publish, never live counts.

Live counts can be gamed: anyone can add answers they know and watch a hidden count change
("No: suppressed" became "No: 11" after 8 added answers, so 3 real visitors had said No). A
snapshot freezes the counts at the moment staff publish it, protected like any published table:

- one answer per session and station (a later answer replaces the earlier one), visitors only;
  hidden and deleted comments are out of every count;
- counts of one station — each answer and their total — are suppressed by the release's own
  threshold and protection range, with complementary suppression proven by the same audit as
  the release (``release.protect.suppression``);
- *zeros are hidden too*: a published zero beside a hidden count gives it away ("Yes 0 · Partly 0
  · No: suppressed" says every answer was No), so a zero is protected like any small count;
- a count hidden in an earlier snapshot of the same scope stays hidden in every later one: its
  growth since then is exactly what someone who added answers knows, so showing it would reveal
  the hidden count by differencing;
- a station with nothing left to show says "not enough responses yet", not rows of "suppressed";
- themes: codes applied to at least ``threshold`` reviewed comments of a station (a comment may
  carry several codes, so these counts add up to nothing and need no complementary suppression);
- quotes: only reviewed comments whose writer agreed to be quoted and that staff chose.

The payload is JSON (stored with the snapshot) so that a snapshot never changes after it is made.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd

from ..release.protect.suppression import suppress
from .form import REFLECTS

GENERAL = "general"
CELLS = (*REFLECTS, "total")


def _model() -> tuple[np.ndarray, np.ndarray]:
    """One station's counts: each answer, and their total."""
    inner = np.eye(len(REFLECTS), dtype=bool)
    return np.vstack([inner, np.ones((1, len(REFLECTS)), dtype=bool)]), np.array([0] * len(REFLECTS) + [1])


def counted_answers(frame: pd.DataFrame, scope: str = "") -> pd.DataFrame:
    """The answers a snapshot counts: visitors', not hidden or deleted, in scope (an event code,
    or "" for all), the latest per session and station."""
    if frame.empty:
        return frame
    rows = frame[
        (frame["source"] == "visitor") & frame["reflects"].notna() & ~frame["status"].isin(["hidden", "deleted"])
    ]
    if scope:
        rows = rows[rows["event"] == scope]
    rows = rows.sort_values(["created_at", "id"])
    keyed = rows[rows["answer_key"].notna()].drop_duplicates("answer_key", keep="last")
    return pd.concat([keyed, rows[rows["answer_key"].isna()]]).sort_values(["created_at", "id"])


def hidden_before(earlier: list[dict]) -> dict[str, set[str]]:
    """Per station, the cells hidden in any earlier snapshot of the same scope."""
    out: dict[str, set[str]] = {}
    for payload in earlier:
        for s in payload.get("stations", []):
            out.setdefault(s["station"], set()).update(c for c in CELLS if s["counts"].get(c) is None)
    return out


def station_counts(
    answers: pd.DataFrame, threshold: int, protection_range: int, carried: dict[str, set[str]] | None = None
) -> list[dict]:
    carried = carried or {}
    inc, n_totals = _model()
    out = []
    stations = answers["station"].fillna(GENERAL) if not answers.empty else pd.Series(dtype=str)
    for station in sorted(set(stations) | set(carried)):
        group = answers[stations == station] if not answers.empty else answers
        counts = np.array([int((group["reflects"] == r).sum()) for r in REFLECTS]) if len(group) else np.zeros(4, int)
        values = inc.astype(np.int64) @ counts
        forced = np.array([c in carried.get(station, set()) for c in CELLS])
        hidden = suppress(inc, values, n_totals, threshold, protection_range, hide_zeros=True, forced=forced).hidden
        shown = {c: (None if h else int(v)) for c, v, h in zip(CELLS, values, hidden)}
        out.append({"station": station, "counts": shown, "enough": any(shown[c] is not None for c in REFLECTS)})
    return out


def theme_counts(
    frame: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame, threshold: int, scope: str = "", limit: int = 3
) -> dict[str, list[dict]]:
    """Per station, the codes applied to at least ``threshold`` reviewed comments in scope."""
    if frame.empty or codings.empty:
        return {}
    reviewed = frame[frame["status"] == "reviewed"]
    if scope:
        reviewed = reviewed[reviewed["event"] == scope]
    applied = codings.merge(reviewed[["id", "station"]], left_on="feedback_id", right_on="id")
    applied = applied.drop_duplicates(["feedback_id", "code_id"])
    names = codes.set_index("id")
    out: dict[str, list[dict]] = {}
    for station, group in applied.groupby(applied["station"].fillna(GENERAL), sort=True):
        counts = group["code_id"].value_counts()
        shown = [
            {
                "code": int(c),
                "en": names.at[c, "name_en"],
                "es": names.at[c, "name_es"] or names.at[c, "name_en"],
                "count": int(n),
            }
            for c, n in counts.items()
            if n >= threshold and c in names.index and not names.at[c, "retired"]
        ]
        if shown:
            out[station] = sorted(shown, key=lambda t: (-t["count"], t["en"].lower()))[:limit]
    return out


def chosen_quotes(frame: pd.DataFrame, scope: str = "") -> list[dict]:
    if frame.empty:
        return []
    rows = frame[(frame["status"] == "reviewed") & frame["quote_ok"] & frame["quote_chosen"] & (frame["comment"] != "")]
    if scope:
        rows = rows[rows["event"] == scope]
    return [
        {"station": r.station or GENERAL, "text": r.comment, "language": r.language}
        for r in rows.sort_values("created_at").itertuples()
    ]


@dataclasses.dataclass(frozen=True)
class Protection:
    threshold: int
    protection_range: int


def build(
    frame: pd.DataFrame,
    codings: pd.DataFrame,
    codes: pd.DataFrame,
    protection: Protection,
    scope: str = "",
    earlier: list[dict] | None = None,
    created: str = "",
) -> dict:
    """A snapshot's payload. ``earlier``: payloads of snapshots already published for the scope."""
    answers = counted_answers(frame, scope)
    carried = hidden_before(earlier or [])
    themes = theme_counts(frame, codings, codes, protection.threshold, scope)
    for station in themes:  # a station with themes but no answers is listed too
        carried.setdefault(station, set())
    return {
        "version": 1,
        "scope": scope,
        "created": created,
        "threshold": protection.threshold,
        "protection_range": protection.protection_range,
        "stations": station_counts(answers, protection.threshold, protection.protection_range, carried),
        "themes": themes,
        "quotes": chosen_quotes(frame, scope),
    }


def dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def loads(text: str) -> dict:
    return json.loads(text)
