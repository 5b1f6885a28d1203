"""Staff: the codebook (themes defined in both languages), agreement between two coders, and
exports of the codebook (REFI-QDA .qdc) and of coded segments (CSV). Only reachable signed in."""

import pandas as pd
import streamlit as st

from cpt_public.feedback.coding import agreement, codebook_qdc, segments_csv
from cpt_public.feedback.store import StoreError
from cpt_public.pages_support import staff_page

page = staff_page("nav_codebook")
tr, store, me = page.tr, page.store, page.me
try:
    codes = store.codes(include_retired=True)
except StoreError:
    st.error(tr("staff_unavailable"))
    st.stop()

if codes.empty:
    st.info(tr("staff_no_codes"))
else:
    table = pd.DataFrame(
        {
            tr("code_name_en"): codes["name_en"],
            tr("code_name_es"): codes["name_es"],
            tr("code_definition_en"): codes["definition_en"],
            tr("code_definition_es"): codes["definition_es"],
            tr("code_retired"): codes["retired"].astype(bool),
        }
    )
    st.table(table)  # plain text cells: a code's name is never Markdown or HTML

st.subheader(tr("code_edit_title"))
choices = [None, *codes["id"].astype(int).tolist()]
names = dict(zip(codes["id"].astype(int), codes["name_en"]))
chosen = st.selectbox(
    tr("code_pick"), choices, format_func=lambda c: tr("code_new") if c is None else names[c], key="cb_pick"
)
current = codes[codes["id"] == chosen].iloc[0] if chosen is not None else None
with st.form("code_form", clear_on_submit=chosen is None):
    c1, c2 = st.columns(2)
    name_en = c1.text_input(tr("code_name_en"), value="" if current is None else current["name_en"], max_chars=80)
    name_es = c2.text_input(tr("code_name_es"), value="" if current is None else current["name_es"], max_chars=80)
    def_en = c1.text_area(tr("code_definition_en"), value="" if current is None else current["definition_en"])
    def_es = c2.text_area(tr("code_definition_es"), value="" if current is None else current["definition_es"])
    retired = st.checkbox(tr("code_retired"), value=False if current is None else bool(current["retired"]))
    saved = st.form_submit_button(tr("code_save"), type="primary")
if saved:
    if not name_en.strip():
        st.warning(tr("code_name_needed"))
    else:
        try:
            store.save_code(
                me,
                chosen,
                name_en=name_en.strip(),
                name_es=name_es.strip(),
                definition_en=def_en.strip(),
                definition_es=def_es.strip(),
                retired=retired,
            )
            st.success(tr("code_saved"))
            st.rerun()
        except StoreError as exc:
            st.warning(tr("code_exists") if "already exists" in str(exc) else tr("staff_unavailable"))

st.subheader(tr("agreement_title"))
try:
    coded, codings = store.coded(), store.codings()
except StoreError:
    st.error(tr("staff_unavailable"))
    st.stop()
coders = sorted(set(coded["coder"])) if not coded.empty else []
if len(coders) < 2 or codes.empty:
    st.info(tr("agreement_needs_two"))
else:
    a1, a2 = st.columns(2)
    first = a1.selectbox(tr("agreement_first"), coders, index=0, key="ag_first")
    second = a2.selectbox(tr("agreement_second"), [c for c in coders if c != first], key="ag_second")
    rows = agreement(codings, coded, codes[~codes["retired"].astype(bool)], first, second)
    st.table(
        pd.DataFrame(
            {
                tr("agreement_code"): [r.name for r in rows],
                tr("agreement_comments"): [r.comments for r in rows],
                tr("agreement_share"): ["—" if r.agree is None else tr.pct(r.agree) for r in rows],
                tr("agreement_kappa"): ["—" if r.kappa is None else f"{r.kappa:.2f}" for r in rows],
            }
        )
    )
    st.markdown(tr("agreement_note"))

st.subheader(tr("exports_title"))
if not codes.empty:
    if st.download_button(
        tr("export_qdc"),
        codebook_qdc(codes),
        file_name="codebook.qdc",
        mime="application/xml",
        icon=":material/download:",
        key="dl_qdc",
    ):
        store.audit(me, "exported", "codebook.qdc")
    if st.download_button(
        tr("export_segments"),
        lambda: segments_csv(store.frame(), store.codings(), store.codes(include_retired=True)),
        file_name="coded-segments.csv",
        mime="text/csv",
        icon=":material/download:",
        key="dl_segments",
    ):
        store.audit(me, "exported", "coded-segments.csv")
