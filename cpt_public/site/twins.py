"""Machine-readable twins of the published tables, as Datasette and Our World in Data offer them:
each table as CSV (readable headers and labels, an ``is_total`` column so margins can be told from
cells, a note on every row when the data are synthetic) and as JSON (the rows with their codes,
the labels, and the table's manifest entry, so the figures travel with their protection).

Pure functions over the verified release (catalog.Release): no Streamlit, no request."""

from __future__ import annotations

import json

import pandas as pd

from ..release.catalog import Release, Table
from ..release.terms import TOTAL
from ..release.vocabulary import Dimension
from .charts import Names
from .i18n import Translator
from .text import period_text

VALUE_KEYS = {"count": "twin_count", "suppressed": "twin_suppressed", "moe90": "twin_moe90"}


def _title(names: Names, d: Dimension) -> str:
    try:
        return names.dim(d)
    except KeyError:  # a dimension no finding shows has no label in content: its own name
        return d.name


def _label(names: Names, d: Dimension, code: str) -> str:
    if code == TOTAL:
        return names.tr("twin_total")
    try:
        return names.cat(d, code)
    except KeyError:
        return code


def labels(release: Release, table: Table, tr: Translator) -> dict[str, dict[str, str]]:
    """Per dimension, each category's label in this language."""
    names = Names(release, tr)
    return {d.name: {c: _label(names, d, c) for c in table.categories(d.name)} for d in table.dimensions}


def readable(release: Release, table: Table, tr: Translator) -> pd.DataFrame:
    """The table as people read it: one column per dimension with its label, is_total (a margin:
    some dimension is its Total), then the values under their names. A hidden cell stays empty
    with Suppressed true — never 0."""
    names = Names(release, tr)
    dims = table.dimensions
    frame = table.frame
    out = pd.DataFrame(
        {_title(names, d): frame[d.name].map(labels(release, table, tr)[d.name]) for d in dims}, index=frame.index
    )
    out["is_total"] = frame[[d.name for d in dims]].eq(TOTAL).any(axis=1) if dims else False
    for column in frame.columns:
        if column not in {d.name for d in dims}:
            out[tr(VALUE_KEYS[column]) if column in VALUE_KEYS else column] = frame[column]
    if release.synthetic:
        out[tr("twin_data_col")] = tr("twin_synthetic")
    return out


def table_csv(release: Release, table: Table, tr: Translator) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read accents correctly."""
    return readable(release, table, tr).to_csv(index=False).encode("utf-8-sig")


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def table_json(release: Release, table: Table, tr: Translator, links: dict[str, str] | None = None) -> dict:
    """The table with everything needed to use it right: rows as published (codes; null where
    hidden), labels, the period, its manifest entry (protection, population, unit) and the release."""
    package = release.package
    return {
        "table": table.name,
        "title": tr.table(table.name, table.resource.title),
        "synthetic": release.synthetic,
        "note": tr("twin_synthetic") if release.synthetic else None,
        "period": {"start": package.period.start, "end": package.period.end, "text": period_text(release, tr)},
        "release": {"version": package.version, "created": package.created},
        "language": tr.lang,
        "labels": labels(release, table, tr),
        "links": links or {},
        "resource": table.resource.model_dump(mode="json", by_alias=True, exclude_none=True),
        "rows": _records(table.frame),
    }


def catalog(release: Release, tr: Translator, link) -> dict:
    """Every published table with its title and twins' addresses (``link(name, fmt)``)."""
    return {
        "release": {"version": release.package.version, "created": release.package.created},
        "synthetic": release.synthetic,
        "note": tr("twin_synthetic") if release.synthetic else None,
        "tables": [
            {
                "name": name,
                "title": tr.table(name, t.resource.title),
                "csv": link(name, "csv"),
                "json": link(name, "json"),
            }
            for name, t in release.tables.items()
        ],
    }
