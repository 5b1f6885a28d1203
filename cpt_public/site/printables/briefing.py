"""The one-page briefing PDF (fpdf2): the same figures and charts as the briefing page, on
US Letter or A4, in either language.

From the top: the team and the period; the synthetic-data note (demonstration releases); the
bottom line the team wrote (content ``[briefing] bottom_line``); the headline cards, each value
fitted to its card (a figure too small to show reads as its range, never a bare "suppressed");
the charts, each under its title and takeaway, drawn to fill an equal share of the room left
(no chart title or credits inside the image: the page prints them once); what the community
said; the release and what a hidden number means."""

from __future__ import annotations

import io
import json

import vl_convert as vlc
from fpdf import FPDF

from ..briefing import briefing
from ..i18n import fmt_date
from ..text import md_plain, period_text, takeaway
from . import latin1 as _t

PAPERS = ("Letter", "A4")
MARGIN = 14


def _fit_font(pdf: FPDF, text: str, style: str, size: float, width: float) -> None:
    pdf.set_font("Helvetica", style, size)
    while size > 7 and pdf.get_string_width(_t(text)) > width:
        size -= 0.5
        pdf.set_font("Helvetica", style, size)


def _chart(view, box_w: float, box_h: float) -> bytes:
    spec = view.image_spec(640, round(640 * box_h / box_w), title=False, fit=True, wrap=60)
    return vlc.vegalite_to_png(json.dumps(spec), scale=2)


def briefing_pdf(release, content, lang: str, heard: list[str] | None = None, paper: str = "Letter") -> bytes:
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {PAPERS}")
    tr = content.translator(lang)
    b = briefing(release, content, tr)
    team = content.site.team
    plan = content.site.briefing
    pdf = FPDF(format=paper, unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, 12, MARGIN)
    pdf.add_page()
    pdf.set_title(_t(f"{team.short_name[lang]} - {tr('nav_briefing')}"))
    pdf.set_lang(lang)
    full = pdf.w - 2 * MARGIN
    pdf.set_font("Helvetica", "B", 17)
    pdf.multi_cell(0, 8, _t(f"{team.short_name[lang]}: {tr('nav_briefing')}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9.5)
    when = f"{tr('period')}: {period_text(release, tr)}. " + tr("briefing_intro")
    pdf.multi_cell(0, 4.6, _t(when), new_x="LMARGIN", new_y="NEXT")
    if release.synthetic:
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.set_text_color(150, 60, 0)
        pdf.multi_cell(0, 5, _t(md_plain(tr("synthetic_banner"))), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)
    if plan.bottom_line is not None:  # the team's own words: what to leave the room with
        pdf.set_font("Helvetica", "B", 10.5)
        text = _t(f"{tr('bottom_line')}: {plan.bottom_line[lang]}")
        h = pdf.multi_cell(full - 8, 5.2, text, dry_run=True, output="HEIGHT")
        top = pdf.get_y()
        pdf.set_fill_color(232, 240, 250)
        pdf.rect(MARGIN, top, full, h + 5, style="F")
        pdf.set_xy(MARGIN + 4, top + 2.5)
        pdf.multi_cell(full - 8, 5.2, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(top + h + 7)
    # headline cards
    per_row = min(5, max(1, len(b.cards)))
    width = (full - (per_row - 1) * 3) / per_row
    top = pdf.get_y()
    for i, (label, value) in enumerate(b.cards):
        x = MARGIN + (i % per_row) * (width + 3)
        y = top + (i // per_row) * 27
        pdf.set_fill_color(238, 242, 247)
        pdf.rect(x, y, width, 24, style="F")
        pdf.set_xy(x + 2, y + 2)
        _fit_font(pdf, str(value), "B", 13, width - 4)  # one line, however long the figure
        pdf.cell(width - 4, 7, _t(str(value)))
        pdf.set_xy(x + 2, y + 10)
        pdf.set_font("Helvetica", "", 8)
        pdf.multi_cell(width - 4, 3.6, _t(label), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_y(top + 27 * -(-len(b.cards) // per_row) + 1)

    # the room the charts share: everything above the closing sections
    heard_lines = [md_plain(line) for line in heard or [tr("community_pending")]]
    pdf.set_font("Helvetica", "", 9)
    closing = 7 + sum(pdf.multi_cell(0, 4.4, _t(line), dry_run=True, output="HEIGHT") for line in heard_lines)
    pdf.set_font("Helvetica", "", 7.5)
    footer = tr("release_info", version=release.package.version, date=fmt_date(release.package.created, lang))
    footer += " " + tr("suppressed_note")
    closing += pdf.multi_cell(0, 3.4, _t(footer), dry_run=True, output="HEIGHT") + 6
    charts = b.charts[:2]  # one page: the first two charts the team chose
    room = pdf.h - 10 - closing - pdf.get_y()
    for heading, view in charts:
        finding = next(f for f in content.findings if f.title[lang] == heading)
        said, _ = takeaway(finding, view.facts, tr)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 6.5, _t(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9.5)
        used = pdf.multi_cell(0, 4.6, _t(said), new_x="LMARGIN", new_y="NEXT")
        credits = " ".join(([tr("range_key")] if view.ranged else []) + _credits(release, view, tr))
        pdf.set_font("Helvetica", "", 7)
        credit_h = pdf.multi_cell(0, 3.2, _t(credits), dry_run=True, output="HEIGHT")
        box_h = max(40.0, room / len(charts) - 6.5 - used - credit_h - 3)
        y = pdf.get_y() + 0.5
        pdf.image(io.BytesIO(_chart(view, full, box_h)), x=MARGIN, y=y, w=full, h=box_h, alt_text=_t(view.alt_text))
        pdf.set_xy(MARGIN, y + box_h + 0.5)
        pdf.set_text_color(70, 70, 70)
        pdf.multi_cell(0, 3.2, _t(credits), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, _t(tr("community_said")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for line in heard_lines:
        pdf.multi_cell(0, 4.4, _t(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y() + 2, pdf.h - 10 - pdf.multi_cell(0, 3.4, _t(footer), dry_run=True, output="HEIGHT")))
    pdf.set_font("Helvetica", "", 7.5)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(0, 3.4, _t(footer))
    return bytes(pdf.output())


def _credits(release, view, tr) -> list[str]:
    from ..charts import credits

    return [line for name in view.tables for line in credits(release, release[name], tr)]
