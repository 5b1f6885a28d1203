"""Staff sign-in (and sign-out). Staff pages appear in the navigation only after signing in."""

import time

import streamlit as st

from cpt_public.cached import content, login_guard, sign_in_client, staff_accounts
from cpt_public.feedback.staff import Busy
from cpt_public.pages_support import current_lang

lang = current_lang()
tr = content().translator(lang)
st.title(tr("nav_staff"))

if "staff_user" in st.session_state:
    st.success(tr("staff_signed_in", name=st.session_state["staff_name"]))
    st.page_link("app_pages/staff_review.py", label=tr("nav_review"), icon=":material/rate_review:")
    if st.button(tr("staff_signout"), icon=":material/logout:"):
        for k in ("staff_user", "staff_name", "staff_seen"):
            st.session_state.pop(k, None)
        st.rerun()
    st.stop()

if st.session_state.pop("staff_expired", False):
    st.info(tr("staff_expired"))
accounts = staff_accounts()
if not accounts:
    st.warning(tr("staff_no_accounts"))
    st.stop()
with st.form("staff_signin"):
    user = st.text_input(tr("staff_user"), autocomplete="username")
    password = st.text_input(tr("staff_password"), type="password", autocomplete="current-password")
    submitted = st.form_submit_button(tr("staff_signin"), type="primary")
if submitted:
    guard = login_guard()
    client = sign_in_client()  # failures count per client too: a guesser locks a name only for themselves
    if guard.locked(user.strip().lower(), client):
        st.error(tr("staff_locked"))
    else:
        try:
            account = guard.check(accounts, user, password, client)
        except Busy:
            st.warning(tr("staff_busy"))
            st.stop()
        if account is None:
            st.error(tr("staff_locked") if guard.locked(user.strip().lower(), client) else tr("staff_wrong"))
        else:
            st.session_state.update(staff_user=account.user, staff_name=account.name, staff_seen=time.time())
            st.rerun()
