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
from ..text import takeaway
from ..walks import qr_png, station_url
from . import latin1 as _t

POSTER = (457.2, 609.6)  # 18 x 24 in, portrait, in mm


def _chart_png(view, width: int, height: int) -> bytes:
    return vlc.vegalite_to_png(json.dumps(view.image_spec(width, height)), scale=2)


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
    an event code staff created, carried in every QR code."""
    walk = content.walk(walk_id)
    bounds = Bounds(release)
    pdf = FPDF(format=POSTER, unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 22, 25)
    pdf.set_title(_t(walk.title[lang]))
    pdf.set_lang(lang)
    width = POSTER[0] - 50
    for n in range(1, len(walk.stations) + 1):
        if only is not None and n != only:
            continue
        finding, station, tr, view, text, link = _station_parts(
            release, content, walk, n, lang, base_url, bounds, event
        )
        pdf.add_page()
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
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 36)
        pdf.multi_cell(0, 16, _t(text), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(6)
        # Rendered small and scaled up, so the chart's own lettering reads from two metres.
        pdf.image(io.BytesIO(_chart_png(view, 560, 260)), w=width, alt_text=_t(view.alt_text))
        pdf.ln(6)
        if station.quote:
            pdf.set_font("Helvetica", "I", 30)
            pdf.multi_cell(0, 14, _t(station.quote[lang]), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(4)
        pdf.set_font("Helvetica", "B", 40)
        pdf.cell(0, 18, _t(tr("prompts_title")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 36)
        for i, p in enumerate(station.prompts, 1):
            pdf.multi_cell(width - 130, 16, _t(f"{i}. {p[lang]}"), new_x="LMARGIN", new_y="NEXT", align="L")
        # QR code, bottom right, with its invitation
        qr = 110
        pdf.image(
            io.BytesIO(qr_png(link, scale=12)),
            x=POSTER[0] - 25 - qr,
            y=POSTER[1] - 22 - qr - 20,
            w=qr,
            alt_text=_t(tr("qr_alt", url=link)),
        )
        pdf.set_xy(POSTER[0] - 25 - qr - 10, POSTER[1] - 22 - 18)
        pdf.set_font("Helvetica", "", 16)
        pdf.multi_cell(qr + 10, 7, _t(tr("scan_qr")), align="C")
        # glossary, bottom left
        terms = [content.walks.glossary[t] for t in station.glossary]
        pdf.set_xy(25, POSTER[1] - 22 - 20 - 14 * len(terms) - 10)
        pdf.set_font("Helvetica", "", 18)
        for term in terms:
            pdf.multi_cell(
                width - qr - 20, 8, _t(f"{term.term[lang]}: {term.definition[lang]}"), new_x="LMARGIN", new_y="NEXT"
            )
        if release.synthetic:
            pdf.set_xy(25, POSTER[1] - 16)
            pdf.set_font("Helvetica", "", 14)
            pdf.cell(0, 6, _t(tr("synthetic_banner").replace("**", "")))
    return bytes(pdf.output())


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
    for n in range(1, len(walk.stations) + 1):
        finding, station, tr, view, text, link = _station_parts(
            release, content, walk, n, lang, base_url, bounds, event
        )
        pdf.add_page()
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(0, 6, _t(tr("station_of", n=n, m=len(walk.stations))), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 18)
        pdf.multi_cell(0, 9, _t(finding.title[lang]), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 6, _t(text), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
        pdf.image(io.BytesIO(_chart_png(view, 640, 300)), w=pdf.w - 36, alt_text=_t(view.alt_text))
        top = pdf.get_y() + 2
        pdf.image(
            io.BytesIO(qr_png(link, scale=6)), x=pdf.w - 18 - 32, y=top, w=32, alt_text=_t(tr("qr_alt", url=link))
        )
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, _t(tr("prompts_title")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 12)
        for i, p in enumerate(station.prompts, 1):
            pdf.multi_cell(pdf.w - 36 - 40, 6, _t(f"{i}. {p[lang]}"), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_y(max(pdf.get_y(), top + 34))
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 10)
        for t in station.glossary:
            term = content.walks.glossary[t]
            pdf.multi_cell(
                0, 5, _t(f"{term.term[lang]}: {term.definition[lang]}"), new_x="LMARGIN", new_y="NEXT", align="L"
            )
    return bytes(pdf.output())


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
