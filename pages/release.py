"""The tables in this release (placeholder until the findings pages)."""

import streamlit as st

from cpt_public.cached import release
from cpt_public.text import table_overview

data = release()
st.title(data.package.title)
st.write(data.package.description)
st.caption(f"Release {data.package.version}, published {data.package.created} by {data.package.publisher}.")
st.dataframe(table_overview(data), hide_index=True, width="stretch")
