"""Staff: review, filter and tag feedback; enter facilitator notes; export. Only reachable signed in."""

import streamlit as st

from cpt_public.cached import content, feedback_store
from cpt_public.feedback.form import REFLECTS, FormError, build, new_submission_id
from cpt_public.feedback.review import filtered, theme_changes
from cpt_public.feedback.staff import csv_safe
from cpt_public.feedback.store import StoreError
from cpt_public.pages_support import current_lang

if "staff_user" not in st.session_state:  # defence in depth: the router only registers this page when signed in
    st.stop()
lang = current_lang()
site = content()
tr = site.translator(lang)
store = feedback_store()
titles = {f.id: f.title[lang] for f in site.findings}
walks = {w.id: w.title[lang] for w in site.walks.walk}

st.title(tr("nav_review"))
st.markdown(tr("staff_signed_in", name=st.session_state["staff_name"]))
try:
    frame = store.frame()
except StoreError:
    st.error(tr("staff_unavailable"))
    st.stop()

c1, c2, c3 = st.columns(3)
station = c1.selectbox(
    tr("staff_filter_station"), [None, *titles], format_func=lambda s: titles.get(s, tr("staff_all"))
)
event = c2.selectbox(tr("staff_filter_event"), [None, *walks], format_func=lambda w: walks.get(w, tr("staff_all")))
source = c3.selectbox(
    tr("staff_filter_source"),
    [None, "visitor", "facilitator"],
    format_func=lambda s: tr("staff_all") if s is None else s,
)
shown = filtered(frame, station, event, source)

if shown.empty:
    st.info(tr("staff_none"))
else:
    st.markdown(tr("staff_themes_help"))
    edited = st.data_editor(
        shown, hide_index=True, width="stretch", key="staff_table", disabled=[c for c in shown.columns if c != "themes"]
    )  # text is shown as text, never HTML
    if st.button(tr("staff_themes_save"), icon=":material/sell:"):
        try:
            store.set_themes(theme_changes(shown, edited))
            st.success(tr("staff_themes_saved"))
        except StoreError:
            st.error(tr("staff_unavailable"))
    st.download_button(
        tr("staff_export"),
        csv_safe(shown),
        file_name="feedback.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )

st.header(tr("staff_notes"))
st.write(tr("staff_notes_intro"))
with st.form("staff_note", clear_on_submit=False):
    n1, n2 = st.columns(2)
    note_station = n1.selectbox(tr("staff_filter_station"), list(titles), format_func=titles.get, key="note_station")
    note_event = n2.selectbox(tr("staff_filter_event"), list(walks), format_func=walks.get, key="note_event")
    note_reflects = st.radio(
        tr("fb_reflects"),
        list(REFLECTS),
        index=None,
        horizontal=True,
        key="note_reflects",
        format_func=lambda r: tr(f"fb_{r}"),
    )
    note = st.text_area(tr("staff_note_text"), max_chars=1000, key="note_text")
    saved = st.form_submit_button(tr("staff_save_note"), type="primary")
if saved:
    try:
        store.add(
            build(
                st.session_state.setdefault("note_sid", new_submission_id()),
                station=note_station,
                reflects=note_reflects,
                comment=note,
                connection=None,
                language=lang,
                event=note_event,
                source="facilitator",
            )
        )
        st.session_state["note_sid"] = new_submission_id()
        st.success(tr("staff_note_saved"))
    except FormError as exc:
        st.warning(tr(str(exc), max=1000) if str(exc) == "form_too_long" else tr(str(exc)))
    except StoreError:
        st.error(tr("staff_unavailable"))
