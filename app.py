"""cpt-public: the router. Language, synthetic-data banner, navigation; pages do the rest.

Page scripts live in app_pages/, not pages/: Streamlit treats a folder named pages/ beside the
main script as its legacy auto-discovered multipage app and then ignores st.navigation."""

import streamlit as st

from cpt_public.cached import apply_retention, content, release
from cpt_public.errors import ReleaseError
from cpt_public.pages_support import STAFF_PAGES, draft_banner, public_style, staff_session
from cpt_public.site.content import ContentError
from cpt_public.site.i18n import LANGUAGES, pick_language

st.set_page_config(page_title="cpt-public", page_icon=":bar_chart:", layout="wide")

# The visitor's choice (the widget below, or ?lang=es in a shared link) wins; otherwise the browser's locale.
lang = st.session_state.get("lang") or pick_language(st.query_params.get("lang"), st.context.locale)
try:
    data, site = release(), content()
except (ReleaseError, ContentError) as exc:
    from cpt_public.pages_support import broken_release

    broken_release(exc, lang)
    st.stop()

tr = site.translator(lang)
apply_retention()  # CPT_RETENTION_DAYS: old comments deleted once a day
signed_in = staff_session()  # staff pages exist only for a signed-in, active session
pages = [
    st.Page("app_pages/home.py", title=tr("nav_home"), icon=":material/home:", default=True, url_path="home"),
    st.Page("app_pages/findings.py", title=tr("nav_findings"), icon=":material/bar_chart:", url_path="findings"),
    st.Page("app_pages/briefing.py", title=tr("nav_briefing"), icon=":material/description:", url_path="briefing"),
    st.Page("app_pages/walk.py", title=tr("nav_walk"), icon=":material/directions_walk:", url_path="walk"),
    st.Page("app_pages/feedback.py", title=tr("nav_feedback"), icon=":material/forum:", url_path="feedback"),
    st.Page("app_pages/about.py", title=tr("nav_about"), icon=":material/info:", url_path="about"),
    st.Page("app_pages/staff_signin.py", title=tr("nav_staff"), icon=":material/lock:", url_path="staff"),
]
if signed_in:
    pages += [
        st.Page(
            path,
            title=tr(key),
            icon=icon,
            url_path=path.removeprefix("app_pages/").removesuffix(".py").replace("_", "-"),
        )
        for path, key, icon in STAFF_PAGES
    ]
page = st.navigation(pages, position="top")
# The browser tab names the page, in the visitor's language, and the team.
st.set_page_config(page_title=f"{page.title} · {site.site.team.short_name[lang]}")
public_style()
st.segmented_control(
    tr("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang", default=lang, required=True
)
st.session_state["ui_lang"] = lang  # what pages read
st.query_params["lang"] = lang  # every page's URL carries its language
# Streamlit writes <html lang="en"> whatever the language (issue #15726): correct it for screen readers.
st.html(
    f"<script>window.parent.document.documentElement.lang = {lang!r};</script>",
    unsafe_allow_javascript=True,
    width="content",
)
if data.synthetic:
    st.warning(tr("synthetic_banner"), icon=":material/science:")
draft_banner(site.draft(data), tr)  # placeholders remain, or the demonstration's words on a real release
page.run()
