"""Staff: facilitator notes, the safe export of comments, and the audit log (who did what, when;
never removed text). Only reachable signed in."""

import pandas as pd
import streamlit as st

from cpt_public.feedback.form import REFLECTS, FormError, build, new_submission_id
from cpt_public.feedback.review import export_csv
from cpt_public.feedback.store import StoreError
from cpt_public.pages_support import staff_page

page = staff_page("nav_records")
lang, tr, store, me, titles, event_labels = page.lang, page.tr, page.store, page.me, page.titles, page.event_labels

st.header(tr("staff_notes"))
st.write(tr("staff_notes_intro"))
with st.form("staff_note", clear_on_submit=False):
    n1, n2 = st.columns(2)
    note_station = n1.selectbox(tr("staff_filter_station"), list(titles), format_func=titles.get, key="note_station")
    note_event = n2.selectbox(
        tr("staff_filter_event"),
        [None, *event_labels],
        format_func=lambda e: tr("staff_no_event") if e is None else event_labels[e],
        key="note_event",
    )
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

st.header(tr("staff_export_title"))
st.write(tr("staff_export_intro"))
if st.download_button(
    tr("staff_export"),
    lambda: export_csv(store.frame(), store.codings(), store.codes(include_retired=True), lang),
    file_name="feedback.csv",
    mime="text/csv",
    icon=":material/download:",
    key="dl_feedback",
):
    store.audit(me, "exported", "feedback.csv")

st.header(tr("audit_title"))
try:
    log = store.audit_frame(200)
except StoreError:
    st.error(tr("staff_unavailable"))
    st.stop()
if log.empty:
    st.info(tr("audit_empty"))
else:
    st.table(
        pd.DataFrame(
            {
                tr("audit_when"): pd.to_datetime(log["at"]).dt.strftime("%Y-%m-%d %H:%M"),
                tr("audit_who"): log["actor"],
                tr("audit_what"): log["action"],
                tr("audit_target"): log["target"],
                tr("audit_detail"): log["detail"],
            }
        )
    )
