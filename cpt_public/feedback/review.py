"""Staff review as plain functions: filtering feedback and working out which theme tags changed."""

from __future__ import annotations

import pandas as pd

from .staff import normalise_themes

COLUMNS = ["id", "created_at", "source", "station", "event", "reflects", "connection", "language", "comment", "themes"]


def filtered(
    frame: pd.DataFrame, station: str | None = None, event: str | None = None, source: str | None = None
) -> pd.DataFrame:
    """The feedback to review: every filter that is set must match."""
    shown = frame
    for column, value in (("station", station), ("event", event), ("source", source)):
        if value is not None:
            shown = shown[shown[column] == value]
    return shown[COLUMNS]


def theme_changes(before: pd.DataFrame, after: pd.DataFrame) -> dict[int, str]:
    """Row id -> normalised tags, for the rows whose tags the editor changed."""
    old = before.set_index("id")["themes"].map(normalise_themes)
    return {
        int(r.id): normalise_themes(r.themes)
        for r in after.itertuples()
        if normalise_themes(r.themes) != old.get(r.id, "")
    }
