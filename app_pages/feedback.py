"""Share your view: general feedback (per-finding feedback sits under each finding)."""

import streamlit as st

from cpt_public.cached import content, heard, release
from cpt_public.pages_support import current_lang, feedback_form

lang = current_lang()
site = content()
tr = site.translator(lang)

st.title(tr("nav_feedback"))
st.write(tr("fb_general_intro"))
st.header(tr("fb_general_title"))
feedback_form(None, tr, lang, {f.id for f in site.findings})

st.header(tr("heard_title"))
lines = heard()
if lines is None:
    st.warning(tr("heard_unavailable"))
elif lines:
    st.markdown("\n".join(f"- {line}" for line in lines))
    st.markdown(tr("heard_note", max=release().package.privacy.threshold - 1))
else:
    st.info(tr("community_pending"))
