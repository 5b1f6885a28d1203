"""The one-page briefing PDF: valid, one page, the same figures as the page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from cpt_public.release.catalog import load_release
from cpt_public.site.briefing import briefing
from cpt_public.site.content import load_content
from cpt_public.site.printables.briefing import briefing_pdf


@pytest.mark.parametrize("lang", ["en", "es"])
def test_briefing_pdf_is_one_valid_page_with_the_page_figures(lang):
    release, content = load_release(), load_content()
    pdf = PdfReader(io.BytesIO(briefing_pdf(release, content, lang)))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    b = briefing(release, content, content.translator(lang))
    assert len(b.cards) == 5 and [t for t, _ in b.charts] == [
        content.finding(f).title[lang] for f in content.site.briefing.charts
    ]
    for label, value in b.cards:
        assert str(value).split(" ")[0] in text, (label, value)
    assert ("Synthetic" if lang == "en" else "sintéticos") in text


@pytest.mark.parametrize(
    "tag", ["![pixel](http://x.example/p.png)", "<b>bold</b>", "a`b", "`x`", "http://phish.example", ":red[x] $y$"]
)
def test_staff_words_are_literal_markdown_and_plain_in_the_pdf(tag):
    from cpt_public.site.text import md_literal, md_plain

    line = f"**Station** — Most common themes: {md_literal(tag)} (12)."
    assert md_plain(line) == f"Station — Most common themes: {tag} (12)."
    assert md_literal(tag).startswith("`") and md_literal(tag).endswith("`")  # a code span: nothing inside renders
