"""Reporting back: what people said at each station, with small counts suppressed like any
published figure — by the same suppression and audit as the release tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..release.protect.suppression import suppress
from .form import REFLECTS


def _table_model():
    """Incidence of one station's counts over its four answers: each answer, and their total."""
    inner = np.eye(len(REFLECTS), dtype=bool)
    return np.vstack([inner, np.ones((1, len(REFLECTS)), dtype=bool)]), np.array([0] * len(REFLECTS) + [1])


def what_we_heard(frame: pd.DataFrame, threshold: int, protection_range: int | None = None) -> pd.DataFrame:
    """One row per station and answer (plus 'total'): count, or None when suppressed.
    ``frame``: stored feedback (visitor answers; facilitator notes are not counted)."""
    prange = protection_range or threshold
    answers = frame[(frame["source"] == "visitor") & frame["reflects"].notna()]
    rows = []
    inc, n_totals = _table_model()
    for station, group in answers.groupby(answers["station"].fillna("general"), sort=True):
        counts = np.array([int((group["reflects"] == r).sum()) for r in REFLECTS])
        values = inc.astype(np.int64) @ counts
        hidden = suppress(inc, values, n_totals, threshold, prange).hidden
        for label, value, h in zip([*REFLECTS, "total"], values, hidden):
            rows.append(
                {"station": station, "answer": label, "count": None if h else int(value), "suppressed": bool(h)}
            )
    return pd.DataFrame(rows, columns=["station", "answer", "count", "suppressed"])


def top_themes(frame: pd.DataFrame, threshold: int, limit: int = 3) -> dict[str, list[tuple[str, int]]]:
    """Per station, the most common staff-tagged themes that at least ``threshold`` comments share.
    A comment may carry several themes, so theme counts are not parts of any published total:
    hiding each small one is enough (themes below the threshold are simply not listed)."""
    out: dict[str, list[tuple[str, int]]] = {}
    tagged = (
        frame[frame.get("themes", pd.Series(dtype=str)).fillna("").str.strip() != ""]
        if "themes" in frame
        else frame.iloc[:0]
    )
    for station, group in tagged.groupby(tagged["station"].fillna("general"), sort=True):
        counts = group["themes"].str.split(",").explode().str.strip().value_counts()
        shown = [(t, int(n)) for t, n in counts.items() if t and n >= threshold]
        if shown:
            out[station] = sorted(shown, key=lambda x: (-x[1], x[0]))[:limit]
    return out
