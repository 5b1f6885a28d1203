"""Plain-language text about a release, as plain functions (no Streamlit)."""

from __future__ import annotations

import dataclasses
import re
import string

import pandas as pd

from ..release.catalog import Release, Table
from .i18n import Translator, fmt_date, fmt_month

METHOD_KEYS = {"suppression": "method_suppression", "dp": "method_dp", "dp+suppression": "method_dp_suppression"}


def protection_text(table: Table, tr: Translator) -> str:
    dc = table.control
    values = {
        "max": (dc.threshold or 1) - 1,
        "range": dc.protectionRange or 0,
        "epsilon": f"{dc.epsilon:g}" if dc.epsilon else "",
    }
    text = tr(METHOD_KEYS[dc.method], **values)
    if dc.boundsBind:
        text += " " + tr("dp_bounds_note", units=dc.maxUnitsPerPerson or 1)
    return text


def period_text(release: Release, tr: Translator) -> str:
    p = release.package.period
    return f"{fmt_month(p.start[:7], tr.lang)} – {fmt_month(p.end[:7], tr.lang)}"


def source_lines(release: Release, tables: list[str], tr: Translator) -> list[str]:
    """Population, period, protection and the release tables a view comes from."""
    lines = []
    for name in tables:
        t = release[name]
        lines.append(f"**{tr('population')}:** {tr.population(t.resource.universe_id, t.resource.universe)}.")
        lines.append(f"**{tr('protection')}:** {protection_text(t, tr)}")
        lines.append(f"**{tr('table_name')}:** `{name}` — {tr.table(name, t.resource.title)}.")
    lines.append(f"**{tr('period')}:** {period_text(release, tr)}.")
    lines.append(tr("release_info", version=release.package.version, date=fmt_date(release.package.created, tr.lang)))
    return lines


def _cited(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def takeaway(finding, facts, tr: Translator) -> tuple[str, str]:
    """The finding's takeaway with its facts filled in, and its state: "ok"; "range" (a fact is a
    range, not a number); or, when a fact it cites is too small to show ("hidden") or zero or
    about no one ("none"), the wording the content declares for that case — or, failing that, a
    plain sentence that states no number — so no takeaway ever reads "suppressed people" or
    "0 people"."""
    lang = tr.lang
    template = finding.takeaway[lang]
    states = {facts[name].state for name in _cited(template)}
    for state, key, generic in (
        ("hidden", "takeaway_when_hidden", "takeaway_hidden"),
        ("none", "takeaway_when_none", "takeaway_none"),
    ):
        if state in states or (state == "none" and "zero" in states):
            fallback = getattr(finding, key)
            if fallback is not None and not {facts[n].state for n in _cited(fallback[lang])} & {
                "hidden",
                "none",
                "zero",
            }:
                return fallback[lang].format(**{n: facts[n].text for n in _cited(fallback[lang])}), state
            return tr(generic), state
    text = template.format(**{n: facts[n].text for n in _cited(template)})
    return text, "range" if "range" in states else "ok"


def table_overview(release: Release, tr: Translator) -> pd.DataFrame:
    rows = []
    for t in release.tables.values():
        rows.append(
            {
                tr("table_name"): tr.table(t.name, t.resource.title),
                tr("protection"): tr("short_" + t.control.method.replace("+", "_")),
                tr("cells"): len(t.frame),
                tr("hidden"): int(t.frame["suppressed"].sum()),
                tr("population"): tr.population(t.resource.universe_id, t.resource.universe),
            }
        )
    return pd.DataFrame(rows)


def release_csv(table: Table) -> bytes:
    """The protected table exactly as published (suppressed cells: empty count, suppressed=true)."""
    return table.frame.to_csv(index=False).encode("utf-8")


def md_literal(text: str) -> str:
    """Text that Markdown shows exactly as typed: a code span, inside which nothing is a link, an
    autolinked address, an image, emphasis, HTML, an icon, a colour directive or maths (escaping
    punctuation is not enough: GitHub-flavoured Markdown still autolinks ``http://…``). The fence
    is one backtick longer than any run in the text. Hand-written because neither Streamlit nor
    its dependencies export an escaper."""
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_plain(text: str) -> str:
    """A line of this module's Markdown as plain text (for the PDF): bold markers dropped, code
    spans' contents kept as they are."""
    out, i = [], 0
    while i < len(text):
        run = re.match(r"`+", text[i:])
        if run:
            fence = run.group(0)
            end = text.find(fence, i + len(fence))
            while end != -1 and text[end + len(fence) : end + len(fence) + 1] == "`":
                end = text.find(fence, end + len(fence) + 1)
            if end != -1:
                inner = text[i + len(fence) : end]
                if len(inner) >= 2 and inner.startswith(" ") and inner.endswith(" ") and inner.strip():
                    inner = inner[1:-1]
                out.append(inner)
                i = end + len(fence)
                continue
        if text.startswith("**", i):
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


@dataclasses.dataclass(frozen=True)
class Heard:
    """A published 'What we heard', ready to show: Markdown lines, quotes as plain text, when it
    was published and what it counts. No lines: nothing published yet."""

    lines: list[str]
    quotes: list[tuple[str, str]]
    published: str
    scope: str


def heard_lines(payload: dict, content, tr: Translator) -> list[str]:
    """'What we heard' from a published snapshot (feedback.snapshots), one line per station: each
    answer's count or "too few to show", the share who said the data match their experience at
    least partly (when the counts it needs are shown), the most common themes. A station with
    nothing to show says so in one phrase. Staff's code names are literal text."""
    from ..feedback.form import REFLECTS

    titles = {f.id: f.title[tr.lang] for f in content.findings}
    lines = []
    for entry in payload.get("stations", []):
        station, counts = entry["station"], entry["counts"]
        name = tr("heard_general") if station == "general" else titles.get(station, station)
        themes = payload.get("themes", {}).get(station)
        listed = (
            ", ".join(f"{md_literal(t[tr.lang] or t['en'])} ({tr.num(t['count'])})" for t in themes) if themes else ""
        )
        if not entry.get("enough"):  # no counts to show; themes may still be (they are counted apart)
            lines.append(
                tr("heard_not_enough", station=name) + (" " + tr("heard_themes", themes=listed) if themes else "")
            )
            continue

        def shown(key: str, counts=counts) -> str:
            return tr("heard_hidden") if counts.get(key) is None else tr.num(counts[key])

        answers = " · ".join(f"{tr(f'fb_{r}')}: {shown(r)}" for r in REFLECTS)
        line = tr("heard_line", station=name, answers=answers, total=shown("total"))
        parts = [counts.get(k) for k in ("yes", "partly", "total")]
        if None not in parts and parts[2]:
            line += " " + tr("heard_share", share=tr.pct((parts[0] + parts[1]) / parts[2]))
        if themes:
            line += " " + tr("heard_themes", themes=listed)
        lines.append(line)
    return lines


def shown_markers(text: str, tr: Translator) -> str:
    """A redacted comment as its reader sees it: the markers in the reader's language ("[phone]"
    reads "[teléfono]" in Spanish). What is stored keeps the canonical markers."""
    from ..feedback.redact import MARKERS

    for kind, marker in MARKERS.items():
        text = text.replace(marker, tr(f"marker_{kind}"))
    return text


def heard_quotes(payload: dict, content, tr: Translator) -> list[tuple[str, str]]:
    """Quotes staff chose (with the writer's consent), as (station name, the words): plain text,
    for a caller that shows it as text, never as Markdown or HTML."""
    titles = {f.id: f.title[tr.lang] for f in content.findings}
    return [
        (
            tr("heard_general") if q["station"] == "general" else titles.get(q["station"], q["station"]),
            shown_markers(q["text"], tr),
        )
        for q in payload.get("quotes", [])
    ]
