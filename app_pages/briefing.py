"""Briefing for decisionmakers: headline numbers, program vs comparison, cost, what the community said, PDF."""

import streamlit as st

from cpt_public.cached import briefing, briefing_pdf, content, release
from cpt_public.pages_support import chart, current_lang, heard_block

lang = current_lang()
data, site = release(), content()
tr = site.translator(lang)
b = briefing(lang)

st.title(tr("nav_briefing"))
st.write(tr("briefing_intro"))
st.header(tr("headlines"))
for col, (label, value) in zip(st.columns(len(b.cards)), b.cards):
    col.metric(label, value)

for heading, view in ((tr("program_vs_comparison"), b.program), (tr("cost_of_use"), b.cost)):
    st.header(heading)
    chart(view)
    if view.care:
        st.warning(tr("interpret_with_care"), icon=":material/warning:")
st.markdown(tr("uncertainty_note"))

st.header(tr("community_said"))
lines = heard_block(tr, data.package.privacy.threshold)

st.download_button(
    tr("download_pdf"),
    lambda: briefing_pdf(data.package.version, lang, tuple(lines or ())),
    file_name=f"briefing-{lang}.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/picture_as_pdf:",
    type="primary",
)
