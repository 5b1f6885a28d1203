"""Briefing for decisionmakers: headline numbers, the charts the team chose, what the community said, PDF."""

import streamlit as st

from cpt_public.cached import briefing, briefing_pdf, content, release
from cpt_public.pages_support import chart, current_lang, figure, heard_block, show_takeaway
from cpt_public.site.content import content_dir
from cpt_public.site.text import period_text

lang = current_lang()
data, site = release(), content()
tr = site.translator(lang)
b = briefing(lang)

st.title(tr("nav_briefing"))
st.write(tr("briefing_intro"))
st.markdown(f"**{tr('period')}:** {period_text(data, tr)}")
if site.site.briefing.bottom_line is not None:
    st.info(f"**{tr('bottom_line')}:** {site.site.briefing.bottom_line[lang]}")
if b.cards:
    st.header(tr("headlines"))
    for i in range(0, len(b.cards), 4):
        for col, (label, fact) in zip(st.columns(4), b.cards[i : i + 4]):
            figure(col, label, fact)

for heading, view in b.charts:
    st.header(heading)
    show_takeaway(next(f for f in site.findings if f.title[lang] == heading), view, tr)
    chart(view)
    if view.care:
        st.warning(tr("interpret_with_care"), icon=":material/warning:")
if b.charts:
    st.markdown(tr("uncertainty_note"))

st.header(tr("community_said"))
lines = heard_block(tr, data.package.privacy.threshold)

c1, c2 = st.columns(2)
for col, paper in ((c1, "Letter"), (c2, "A4")):
    col.download_button(
        tr("download_pdf_paper", paper=paper),
        lambda paper=paper: briefing_pdf(data.package.version, str(content_dir()), lang, tuple(lines or ()), paper),
        file_name=f"briefing-{lang}-{paper.lower()}.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        type="primary" if paper == "Letter" else "secondary",
        key=f"briefing_pdf_{paper}",
    )
