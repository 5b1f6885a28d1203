"""cpt-public as one ASGI process: Streamlit's ``st.App`` running app.py, with the app's own
security headers, a private metrics endpoint, signed route cookies and compressed scripts
(cpt_public/server.py). Start it with ``streamlit run serve.py`` (make app, the container,
the tests); ``streamlit run app.py`` still works, without those protections."""

import streamlit as st

from cpt_public.server import middleware

app = st.App("app.py", middleware=middleware())
