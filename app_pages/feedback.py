"""Share your view: general feedback (per-finding feedback sits under each finding)."""

import streamlit as st

from cpt_public.cached import content, release
from cpt_public.pages_support import current_lang, feedback_form, heard_block

lang = current_lang()
site = content()
tr = site.translator(lang)

st.title(tr("nav_feedback"))
st.write(tr("fb_general_intro"))
st.header(tr("fb_general_title"))
feedback_form(None, tr, lang, {f.id for f in site.findings})

st.header(tr("heard_title"))
heard_block(tr, release().package.privacy.threshold)
