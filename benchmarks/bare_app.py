"""The baseline page: one line of Streamlit. Every page and visitor figure is a ratio to this."""

import streamlit as st

st.write("Hello")
