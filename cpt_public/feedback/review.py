"""Staff review as plain functions: pages of comments, their labels in the staff member's
language, the words of a comment for choosing an excerpt, and the safe export."""

from __future__ import annotations

import dataclasses
import math
import re

import pandas as pd

from .staff import csv_safe

PAGE_SIZE = 25
EXPORT_COLUMNS = [
    "id", "created_at", "source", "station", "event", "reflects", "connection", "language", "status",
    "quote_ok", "quote_chosen", "comment", "codes",
]  # fmt: skip


def pages(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / size))


@dataclasses.dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str


def words(comment: str) -> list[Word]:
    """The comment's words with where they are, for choosing an excerpt from one word to another."""
    return [Word(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", comment)]


def excerpt(comment: str, first: int, last: int) -> tuple[int, int]:
    """Character span from word ``first`` to word ``last`` (inclusive, either order)."""
    ws = words(comment)
    a, b = sorted((first, last))
    return ws[a].start, ws[b].end


def code_name(codes: pd.DataFrame, code_id: int, lang: str) -> str:
    row = codes.loc[codes["id"] == code_id]
    if row.empty:
        return str(code_id)
    r = row.iloc[0]
    return (r["name_es"] if lang == "es" and r["name_es"] else r["name_en"]) or r["name_en"]


def codes_by_comment(codings: pd.DataFrame, codes: pd.DataFrame, lang: str) -> dict[int, list[str]]:
    """Per comment, the names of the codes any coder applied (each once)."""
    out: dict[int, list[str]] = {}
    if codings.empty:
        return out
    for fid, group in codings.groupby("feedback_id"):
        out[int(fid)] = sorted({code_name(codes, int(c), lang) for c in group["code_id"]}, key=str.lower)
    return out


def export_csv(frame: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame, lang: str = "en") -> bytes:
    """The comments as CSV that a spreadsheet opens as text (never formulas), with their codes.
    Deleted comments are never in ``frame``."""
    applied = codes_by_comment(codings, codes, lang)
    out = frame.copy()
    out["codes"] = [", ".join(applied.get(int(i), [])) for i in out["id"]]
    return csv_safe(out[[c for c in EXPORT_COLUMNS if c in out.columns]])
