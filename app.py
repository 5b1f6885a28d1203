"""cpt-public: the router. Loads the release once, shows the synthetic-data banner, runs a page."""

import streamlit as st

from cpt_public.cached import release
from cpt_public.errors import ReleaseError

st.set_page_config(page_title="cpt-public", page_icon=":bar_chart:", layout="wide")

try:
    data = release()
except ReleaseError as exc:
    st.title("The published data cannot be shown")
    st.error(str(exc))
    st.markdown(
        "The app only shows a release that passes every check. Ask the data team to publish again "
        "(`python -m cpt_public publish …`) or to restore the last good release, then reload this page."
    )
    st.stop()

if data.synthetic:
    st.warning("**Synthetic demonstration data.** These numbers describe no real person or place.", icon="⚠️")

page = st.navigation([st.Page("pages/release.py", title="Published tables", icon=":material/table:", default=True)])
page.run()
