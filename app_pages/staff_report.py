"""Staff: report back. Events (codes printed on a walk's posters, so an event's counts come from
people who were there) and 'What we heard' snapshots: counts frozen and protected when staff
publish them, never live. Only reachable signed in."""

import secrets

import streamlit as st

from cpt_public.cached import heard_changed, release
from cpt_public.feedback import snapshots
from cpt_public.feedback.form import EVENT_CODE
from cpt_public.feedback.store import StoreError
from cpt_public.pages_support import staff_page
from cpt_public.site.text import heard_lines, heard_quotes

page = staff_page("nav_report")
lang, site, tr, store, me, events = page.lang, page.site, page.tr, page.store, page.me, page.events
privacy = release().package.privacy
protection = snapshots.Protection(privacy.threshold, privacy.protectionRange or privacy.threshold)
walks = {w.id: w.title[lang] for w in site.walks.walk}

st.header(tr("events_title"))
st.write(tr("events_intro"))
with st.form("new_event", clear_on_submit=True):
    e1, e2, e3 = st.columns(3)
    label = e1.text_input(tr("event_label"), max_chars=120)
    walk = e2.selectbox(tr("event_walk"), list(walks), format_func=walks.get)
    code = e3.text_input(tr("event_code"), value="", max_chars=32, help=tr("event_code_help"))
    made = st.form_submit_button(tr("event_add"), type="primary")
if made:
    code = (code.strip() or f"{walk[:12]}-{secrets.token_hex(3)}").upper()
    if not EVENT_CODE.fullmatch(code):
        st.warning(tr("event_code_bad"))
    else:
        try:
            store.add_event(me, code, walk, label.strip() or code)
            st.success(tr("event_added", code=code))
            st.rerun()
        except StoreError as exc:
            st.warning(tr("event_code_taken") if "taken" in str(exc) else tr("staff_unavailable"))
for ev in events.itertuples():
    with st.container(border=True):
        st.text(f"{ev.label} · {ev.code} · {walks.get(ev.walk, ev.walk or '')}")
        st.markdown(tr("event_open") if ev.open else tr("event_closed"))
        st.code(f"?event={ev.code}", language=None)
        if st.button(tr("event_close") if ev.open else tr("event_reopen"), key=f"ev_{ev.code}"):
            store.set_event_open(me, ev.code, not ev.open)
            st.rerun()

st.header(tr("snapshot_title"))
st.write(tr("snapshot_intro", min=protection.threshold))
scopes = ["", *events["code"].tolist()] if not events.empty else [""]
labels = dict(zip(events["code"], events["label"])) if not events.empty else {}
scope = st.selectbox(
    tr("snapshot_scope"),
    scopes,
    format_func=lambda s: tr("heard_scope_all") if not s else tr("heard_scope_event", event=labels.get(s, s)),
    key="snap_scope",
)
try:
    earlier = [snapshots.loads(p) for p in store.snapshots(scope=scope, include_withdrawn=True)["payload"]]
    payload = snapshots.build(store.frame(), store.codings(), store.codes(), protection, scope=scope, earlier=earlier)
except StoreError:
    st.error(tr("staff_unavailable"))
    st.stop()
st.subheader(tr("snapshot_preview"))
lines = heard_lines(payload, site, tr)
if lines:
    st.markdown("\n".join(f"- {line}" for line in lines))
else:
    st.info(tr("snapshot_empty"))
for station, words in heard_quotes(payload, site, tr):
    with st.container(border=True):
        st.text(words)
        st.text(station)
if st.button(tr("snapshot_publish"), type="primary", icon=":material/campaign:", disabled=not lines):
    try:
        store.publish_snapshot(me, scope, snapshots.dumps(payload))
        heard_changed()  # the public page shows it at once
        st.success(tr("snapshot_published"))
    except StoreError:
        st.error(tr("staff_unavailable"))

st.subheader(tr("snapshot_history"))
try:
    history = store.snapshots(include_withdrawn=True)
except StoreError:
    history = None
if history is not None:
    for snap in history.itertuples():
        with st.container(border=True):
            what = (
                tr("heard_scope_all")
                if not snap.scope
                else tr("heard_scope_event", event=labels.get(snap.scope, snap.scope))
            )
            st.text(f"#{snap.id} · {snap.created_at:%Y-%m-%d %H:%M} · {snap.created_by} · {what}")
            if snap.withdrawn:
                st.markdown(tr("snapshot_withdrawn"))
            elif st.button(tr("snapshot_withdraw"), key=f"wd_{snap.id}"):
                store.withdraw_snapshot(me, int(snap.id))
                heard_changed()
                st.rerun()
