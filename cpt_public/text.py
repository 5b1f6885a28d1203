"""Plain-language text about a release, as plain functions (no Streamlit)."""

from __future__ import annotations

import pandas as pd

from .catalog import Release

METHODS = {
    "suppression": "Small numbers hidden",
    "dp": "Differential privacy (noise added)",
    "dp+suppression": "Differential privacy, small numbers hidden",
}


def table_overview(release: Release) -> pd.DataFrame:
    rows = []
    for t in release.tables.values():
        rows.append({
            "Table": t.resource.title,
            "Protection": METHODS[t.control.method],
            "Cells": len(t.frame),
            "Suppressed": int(t.frame["suppressed"].sum()),
            "Population": t.resource.universe,
        })
    return pd.DataFrame(rows)
