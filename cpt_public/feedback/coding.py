"""Qualitative coding, as analysts do it (Taguette and QualCoder are the references):

- a codebook of themes, named and defined in English and Spanish (store: ``codes``);
- codes applied by a coder to a whole comment or to an excerpt of it (``codings``), and a mark
  that the coder has finished a comment (``coded``), so that agreement can count "did not apply";
- agreement between two coders per code: Cohen's kappa (scikit-learn) over the comments both
  finished, with the share of comments they agree on and how many comments that is;
- exports: the codebook in the REFI-QDA exchange format (``.qdc``; QualCoder, NVivo, ATLAS.ti and
  MAXQDA import it), validated against the standard's schema, and the coded segments as CSV.
"""

from __future__ import annotations

import dataclasses
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from .staff import csv_safe

QDC_NS = "urn:QDA-XML:codebook:1.0"
QDC_SCHEMA = Path(__file__).resolve().parent / "data" / "Codebook.xsd"
# Stable GUIDs: the same code gets the same GUID in every export, so a re-import updates it.
_GUIDS = uuid.UUID("6f1c7f3e-3b1a-5d2e-9a41-2c1d0c0de000")


def guid(code_id: int) -> str:
    return str(uuid.uuid5(_GUIDS, f"code:{code_id}")).upper()


def codebook_qdc(codes: pd.DataFrame, origin: str = "cpt-public") -> bytes:
    """The codebook as a REFI-QDA .qdc document. The code's name is its English name; the
    description holds the English definition and the Spanish name and definition."""
    if not len(codes):
        raise ValueError("the codebook is empty: a .qdc file must hold at least one code")
    ET.register_namespace("", QDC_NS)
    root = ET.Element(f"{{{QDC_NS}}}CodeBook", {"origin": origin})
    codes_el = ET.SubElement(root, f"{{{QDC_NS}}}Codes")
    for c in codes.sort_values("name_en", key=lambda s: s.str.lower()).itertuples():
        el = ET.SubElement(
            codes_el,
            f"{{{QDC_NS}}}Code",
            {"guid": guid(int(c.id)), "name": c.name_en, "isCodable": "false" if c.retired else "true"},
        )
        parts = [c.definition_en.strip()]
        if c.name_es or c.definition_es:
            parts.append(f"ES: {c.name_es}" + (f" — {c.definition_es.strip()}" if c.definition_es.strip() else ""))
        description = "\n\n".join(p for p in parts if p)
        if description:
            ET.SubElement(el, f"{{{QDC_NS}}}Description").text = description
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def validate_qdc(document: bytes) -> None:
    """Raise if the document does not conform to the REFI-QDA codebook schema."""
    import xmlschema

    xmlschema.XMLSchema(str(QDC_SCHEMA)).validate(document.decode("utf-8"))


def segments(frame: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """Every coded segment, one row per code a coder applied: the excerpt's words (or the whole
    comment), where it is, the code in both languages. Deleted comments are not in ``frame``."""
    columns = [
        "feedback_id", "created_at", "station", "event", "language", "coder", "code", "code_es",
        "whole_comment", "start", "end", "text",
    ]  # fmt: skip
    if codings.empty or frame.empty:
        return pd.DataFrame(columns=columns)
    names = codes.set_index("id")
    rows = []
    comments = frame.set_index("id")
    for c in codings.itertuples():
        if c.feedback_id not in comments.index or c.code_id not in names.index:
            continue
        comment = comments.loc[c.feedback_id]
        whole = c.start is None or pd.isna(c.start)
        text = comment["comment"] if whole else comment["comment"][int(c.start) : int(c.end)]
        rows.append(
            {
                "feedback_id": int(c.feedback_id),
                "created_at": comment["created_at"],
                "station": comment["station"],
                "event": comment["event"],
                "language": comment["language"],
                "coder": c.coder,
                "code": names.at[c.code_id, "name_en"],
                "code_es": names.at[c.code_id, "name_es"],
                "whole_comment": whole,
                "start": None if whole else int(c.start),
                "end": None if whole else int(c.end),
                "text": text,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def segments_csv(frame: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame) -> bytes:
    return csv_safe(segments(frame, codings, codes))


@dataclasses.dataclass(frozen=True)
class Agreement:
    code_id: int
    name: str
    comments: int  # finished by both coders
    agree: float | None  # share of those comments on which they agree
    kappa: float | None  # None when it is undefined (both always or never applied the code)


def agreement(
    codings: pd.DataFrame, coded: pd.DataFrame, codes: pd.DataFrame, first: str, second: str
) -> list[Agreement]:
    """Cohen's kappa per code for two coders, over the comments both have finished."""
    both = sorted(
        set(coded.loc[coded["coder"] == first, "feedback_id"]) & set(coded.loc[coded["coder"] == second, "feedback_id"])
    )
    out = []
    for code in codes.sort_values("name_en", key=lambda s: s.str.lower()).itertuples():
        if not both:
            out.append(Agreement(int(code.id), code.name_en, 0, None, None))
            continue
        applied = codings[codings["code_id"] == code.id] if not codings.empty else codings
        a = [int(((applied["coder"] == first) & (applied["feedback_id"] == f)).any()) for f in both]
        b = [int(((applied["coder"] == second) & (applied["feedback_id"] == f)).any()) for f in both]
        agree = sum(x == y for x, y in zip(a, b)) / len(both)
        kappa = None if len(set(a) | set(b)) < 2 else float(cohen_kappa_score(a, b))
        out.append(Agreement(int(code.id), code.name_en, len(both), agree, kappa))
    return out
