"""Data-walk printables: a large poster per station, a handout packet and a glossary sheet.

Posters are 18 x 24 inches, readable from two metres: the finding's title, its takeaway, the same
chart as the dashboard (rendered by vl-convert), the prompts, the glossary terms, and a QR code
(segno) that opens the station — with its feedback form — on a phone.
"""

from __future__ import annotations

import io
import json

import vl_convert as vlc
from fpdf import FPDF

from ...release.bounds import Bounds
from ..charts import build
from ..i18n import fmt_date
from ..text import md_plain, takeaway
from ..walks import qr_png, short_url, station_url
from . import latin1 as _t

POSTER = (457.2, 609.6)  # 18 x 24 in, portrait, in mm


def _chart_png(view, width: int, height: int) -> bytes:
    return vlc.vegalite_to_png(json.dumps(view.image_spec(width, height)), scale=2)


def _chart_box_png(view, box_w: float, box_h: float, px_wide: int, wrap: int = 40) -> bytes:
    """The chart drawn to fill a box exactly (axes and legend included), ``px_wide`` pixels
    across: the fewer pixels, the larger its lettering once the box is printed. Long category
    names wrap at ``wrap`` characters (a poster is wide). No title or credits: the page prints them."""
    spec = view.image_spec(px_wide, round(px_wide * box_h / box_w), title=False, fit=True, wrap=wrap)
    return vlc.vegalite_to_png(json.dumps(spec), scale=3)


def _station_parts(release, content, walk, n: int, lang: str, base_url: str, bounds=None, event: str | None = None):
    finding = content.finding(walk.stations[n - 1])
    station = content.station(finding.id)
    tr = content.translator(lang)
    view = build(release, finding, tr, bounds=bounds)
    text, _ = takeaway(finding, view.facts, tr)
    extra = {"event": event} if event else {}  # answers through this QR code count for the event
    return finding, station, tr, view, text, station_url(base_url, walk.id, n, lang, **extra)


def posters_pdf(
    release, content, walk_id: str, lang: str, base_url: str, only: int | None = None, event: str | None = None
) -> bytes:
    """One poster page per station of the walk (or only station ``only``, 1-based). ``event``:
    an event code staff created, carried in every QR code.

    From the top: the synthetic-data band (demonstration releases), station and walk, the title,
    the takeaway, the chart filling the space left, its source; then the quote and prompts beside
    the QR code, whose address is printed under it for typing, and the glossary terms."""
    walk = content.walk(walk_id)
    bounds = Bounds(release)
    pdf = FPDF(format=POSTER, unit="mm")
    pdf.set_auto_page_break(False)
    margin = 25
    pdf.set_margins(margin, 20, margin)
    pdf.set_title(_t(walk.title[lang]))
    pdf.set_lang(lang)
    width = POSTER[0] - 2 * margin
    qr = 105
    for n in range(1, len(walk.stations) + 1):
        if only is not None and n != only:
            continue
        finding, station, tr, view, text, link = _station_parts(
            release, content, walk, n, lang, base_url, bounds, event
        )
        pdf.add_page()
        if release.synthetic:  # across the top, in type as large as the prompts'
            pdf.set_fill_color(255, 236, 179)
            pdf.rect(0, 0, POSTER[0], 30, style="F")
            pdf.set_xy(margin, 8)
            _fitted(pdf, md_plain(tr("synthetic_banner")), "B", 30, width)
            pdf.cell(0, 14, _t(md_plain(tr("synthetic_banner"))), align="C")
            pdf.set_y(38)
        pdf.set_font("Helvetica", "", 26)
        pdf.set_text_color(11, 79, 138)
        pdf.cell(
            0,
            14,
            _t(f"{tr('station_of', n=n, m=len(walk.stations))}  ·  {walk.title[lang]}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("Helvetica", "B", 72)
        pdf.multi_cell(0, 30, _t(finding.title[lang]), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 38)
        pdf.multi_cell(0, 17, _t(text), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(5)
        chart_top = pdf.get_y()

        # The bottom block, measured first so the chart can take all the room between.
        terms = [content.walks.glossary[g] for g in station.glossary]
        left = width - qr - 15

        bottom = POSTER[1] - 18
        glossary_h = _glossary_block(pdf, terms, lang, width, True) + (6 if terms else 0)
        block_h = max(_prompts_block(pdf, station, tr, lang, left, True), qr + 26)
        block_top = bottom - glossary_h - block_h
        source_h = 20
        chart_h = block_top - 8 - source_h - chart_top
        png = _chart_box_png(view, width, chart_h, px_wide=620, wrap=100)
        pdf.image(io.BytesIO(png), x=margin, y=chart_top, w=width, h=chart_h, alt_text=_t(view.alt_text))
        pdf.set_xy(margin, chart_top + chart_h + 2)
        pdf.set_font("Helvetica", "", 15)
        pdf.set_text_color(60, 60, 60)
        key = [tr("range_key")] if view.ranged else []
        pdf.multi_cell(0, 6.5, _t(" ".join([*key, *credit_lines(release, view, tr)])), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)

        pdf.set_xy(margin, block_top)
        _prompts_block(pdf, station, tr, lang, left, False)
        # QR code, bottom right, with its invitation and its address in print
        qr_x = POSTER[0] - margin - qr
        pdf.image(io.BytesIO(qr_png(link, scale=12)), x=qr_x, y=block_top, w=qr, alt_text=_t(tr("qr_alt", url=link)))
        pdf.set_xy(qr_x - 40, block_top + qr + 1)
        _fitted(pdf, short_url(link), "B", 17, qr + 40)
        pdf.cell(qr + 40, 7.5, _t(short_url(link)), align="R", new_x="LEFT", new_y="NEXT")
        pdf.set_font("Helvetica", "", 16)
        pdf.multi_cell(qr + 40, 7, _t(tr("scan_qr")), align="R")
        if terms:
            pdf.set_xy(margin, bottom - glossary_h + 6)
            _glossary_block(pdf, terms, lang, width, False)
    return bytes(pdf.output())


def _fitted(pdf: FPDF, text: str, style: str, size: float, width: float) -> None:
    """Set the largest font size up to ``size`` at which ``text`` fits on one line of ``width``."""
    pdf.set_font("Helvetica", style, size)
    while size > 8 and pdf.get_string_width(_t(text)) > width:
        size -= 1
        pdf.set_font("Helvetica", style, size)


def _prompts_block(pdf: FPDF, station, tr, lang: str, width: float, dry: bool) -> float:
    """A poster's quote and prompts at the cursor (or only their height, ``dry``)."""
    h = 0.0
    common = {"dry_run": dry, "output": "HEIGHT", "new_x": "LMARGIN", "new_y": "NEXT", "align": "L"}
    if station.quote:
        pdf.set_font("Helvetica", "I", 30)
        h += pdf.multi_cell(width, 13, _t(station.quote[lang]), **common) + 4
        if not dry:
            pdf.ln(4)
    pdf.set_font("Helvetica", "B", 40)
    h += 18
    if not dry:
        pdf.cell(0, 18, _t(tr("prompts_title")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 36)
    for i, prompt in enumerate(station.prompts, 1):
        h += pdf.multi_cell(width, 15, _t(f"{i}. {prompt[lang]}"), **common)
    return h


def _glossary_block(pdf: FPDF, terms, lang: str, width: float, dry: bool) -> float:
    pdf.set_font("Helvetica", "", 20)
    common = {"dry_run": dry, "output": "HEIGHT", "new_x": "LMARGIN", "new_y": "NEXT", "align": "L"}
    return sum(pdf.multi_cell(width, 9, _t(f"{term.term[lang]}: {term.definition[lang]}"), **common) for term in terms)


def credit_lines(release, view, tr) -> list[str]:
    """Where a printed chart's figures come from (charts.credits), for every table it shows."""
    from ..charts import credits

    return [line for name in view.tables for line in credits(release, release[name], tr)][: 3 * len(view.tables)]


def _letter(title: str, lang: str) -> FPDF:
    pdf = FPDF(format="Letter", unit="mm")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(_t(title))
    pdf.set_lang(lang)
    return pdf


def handout_pdf(release, content, walk_id: str, lang: str, base_url: str, event: str | None = None) -> bytes:
    """The packet: a cover, then one page per station (chart, takeaway, prompts, words, QR)."""
    walk = content.walk(walk_id)
    tr = content.translator(lang)
    bounds = Bounds(release)
    pdf = _letter(walk.title[lang], lang)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 22)
    pdf.multi_cell(0, 10, _t(walk.title[lang]), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("Helvetica", "", 13)
    pdf.multi_cell(
        0,
        7,
        _t(tr("walk_when", date=fmt_date(walk.date, lang), time=walk.start, place=walk.place[lang])),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.multi_cell(
        0, 7, _t(tr("walk_audience", audience=walk.audience[lang])), new_x="LMARGIN", new_y="NEXT", align="L"
    )
    if release.synthetic:
        pdf.multi_cell(0, 7, _t(tr("synthetic_banner").replace("**", "")), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(4)
    for n, fid in enumerate(walk.stations, 1):
        pdf.cell(0, 7, _t(f"{n}. {content.finding(fid).title[lang]}"), new_x="LMARGIN", new_y="NEXT")
    _notes(pdf, tr("handout_notes"))  # the cover's room: for what the welcome and first poster raise
    for n in range(1, len(walk.stations) + 1):
        finding, station, tr, view, text, link = _station_parts(
            release, content, walk, n, lang, base_url, bounds, event
        )
        pdf.add_page()
        full = pdf.w - 36
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(0, 6, _t(tr("station_of", n=n, m=len(walk.stations))), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 18)
        pdf.multi_cell(0, 8.5, _t(finding.title[lang]), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 6, _t(text), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
        top = pdf.get_y()
        pdf.image(
            io.BytesIO(_chart_box_png(view, full, HANDOUT_CHART_MM, px_wide=720, wrap=100)),
            x=18,
            y=top,
            w=full,
            h=HANDOUT_CHART_MM,
            alt_text=_t(view.alt_text),
        )
        pdf.set_xy(18, top + HANDOUT_CHART_MM + 1)
        pdf.set_font("Helvetica", "", 7.5)
        pdf.set_text_color(60, 60, 60)
        key = [tr("range_key")] if view.ranged else []
        pdf.multi_cell(0, 3.4, _t(" ".join([*key, *credit_lines(release, view, tr)])), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)
        top = pdf.get_y()
        pdf.image(
            io.BytesIO(qr_png(link, scale=6)), x=pdf.w - 18 - 30, y=top, w=30, alt_text=_t(tr("qr_alt", url=link))
        )
        pdf.set_xy(pdf.w - 18 - 70, top + 30.5)
        _fitted(pdf, short_url(link), "", 7.5, 70)
        pdf.cell(70, 3.5, _t(short_url(link)), align="R")
        pdf.set_xy(18, top)
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 7, _t(tr("prompts_title")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11.5)
        for i, prompt in enumerate(station.prompts, 1):
            pdf.multi_cell(full - 40, 5.6, _t(f"{i}. {prompt[lang]}"), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_y(max(pdf.get_y(), top + 36))
        pdf.ln(1)
        pdf.set_font("Helvetica", "", 9.5)
        for g in station.glossary:
            term = content.walks.glossary[g]
            pdf.multi_cell(
                0, 4.6, _t(f"{term.term[lang]}: {term.definition[lang]}"), new_x="LMARGIN", new_y="NEXT", align="L"
            )
        _notes(pdf, tr("handout_notes"))
    return bytes(pdf.output())


HANDOUT_CHART_MM = 88  # the chart's box on a Letter page, the width of the text


def _notes(pdf: FPDF, title: str) -> None:
    """Ruled lines for the visitor's own notes, to the foot of the page."""
    pdf.ln(3)
    if pdf.get_y() > pdf.h - 16 - 20:
        return
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, _t(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(170, 170, 170)
    y = pdf.get_y() + 8
    while y < pdf.h - 16:
        pdf.line(18, y, pdf.w - 18, y)
        y += 8
    pdf.set_draw_color(0, 0, 0)


def glossary_pdf(content, walk_id: str, lang: str) -> bytes:
    """Every term the walk's stations use, for the sheet under each poster and the welcome table."""
    walk = content.walk(walk_id)
    tr = content.translator(lang)
    pdf = _letter(tr("glossary_title"), lang)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 22)
    pdf.multi_cell(0, 10, _t(f"{tr('glossary_title')} - {walk.title[lang]}"), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)
    seen = []
    for fid in walk.stations:
        for t in content.station(fid).glossary:
            if t not in seen:
                seen.append(t)
    for t in sorted(seen, key=lambda k: content.walks.glossary[k].term[lang].lower()):
        term = content.walks.glossary[t]
        pdf.set_font("Helvetica", "B", 15)
        pdf.multi_cell(0, 8, _t(term.term[lang]), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("Helvetica", "", 13)
        pdf.multi_cell(0, 6.5, _t(term.definition[lang]), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
    return bytes(pdf.output())
