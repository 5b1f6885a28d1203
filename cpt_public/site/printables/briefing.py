"""The one-page briefing PDF (fpdf2): the same figures and charts as the briefing page."""

from __future__ import annotations

import io
import json

import vl_convert as vlc
from fpdf import FPDF

from ..briefing import briefing
from ..i18n import fmt_date
from ..text import md_plain
from . import latin1 as _t


def briefing_pdf(release, content, lang: str, heard: list[str] | None = None) -> bytes:
    tr = content.translator(lang)
    b = briefing(release, content, tr)
    team = content.site.team
    pdf = FPDF(format="Letter", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(14, 12, 14)
    pdf.add_page()
    pdf.set_title(_t(f"{team.short_name[lang]} - {tr('nav_briefing')}"))
    pdf.set_lang(lang)
    pdf.set_font("Helvetica", "B", 17)
    pdf.multi_cell(0, 8, _t(f"{team.short_name[lang]}: {tr('nav_briefing')}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9.5)
    pdf.multi_cell(0, 5, _t(tr("briefing_intro")), new_x="LMARGIN", new_y="NEXT")
    if release.synthetic:
        pdf.set_text_color(150, 60, 0)
        pdf.multi_cell(0, 5, _t(tr("synthetic_banner").replace("**", "")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    # headline cards
    per_row = min(5, max(1, len(b.cards)))
    width = (pdf.w - 28 - (per_row - 1) * 3) / per_row
    top = pdf.get_y()
    for i, (label, value) in enumerate(b.cards):
        value = str(value)
        x = 14 + (i % per_row) * (width + 3)
        y = top + (i // per_row) * 27
        pdf.set_fill_color(238, 242, 247)
        pdf.rect(x, y, width, 24, style="F")
        pdf.set_xy(x + 2, y + 2)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(width - 4, 6, _t(value), new_x="LEFT", new_y="NEXT", align="L")
        pdf.set_xy(x + 2, y + 12)
        pdf.set_font("Helvetica", "", 8)
        pdf.multi_cell(width - 4, 3.6, _t(label), new_x="LEFT", new_y="NEXT", align="L")
    pdf.set_y(top + 27 * -(-len(b.cards) // per_row) + 1)
    for heading, view in b.charts[:2]:  # one page: the first two charts the team chose
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 7, _t(heading), new_x="LMARGIN", new_y="NEXT")
        png = vlc.vegalite_to_png(json.dumps(view.image_spec(620, 170)), scale=2)
        pdf.image(io.BytesIO(png), w=pdf.w - 28, alt_text=_t(view.alt_text))
        pdf.ln(1)
    pdf.set_font("Helvetica", "", 8.5)
    pdf.multi_cell(0, 4, _t(tr("uncertainty_note")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, _t(tr("community_said")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9.5)
    for line in heard or [tr("community_pending")]:
        pdf.multi_cell(0, 5, _t(md_plain(line)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y() + 2, pdf.h - 18))
    pdf.set_font("Helvetica", "", 7.5)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(
        0,
        3.5,
        _t(
            tr("release_info", version=release.package.version, date=fmt_date(release.package.created, lang))
            + " "
            + tr("suppressed_note")
        ),
    )
    return bytes(pdf.output())
