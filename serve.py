"""cpt-public as one ASGI process: Streamlit's ``st.App`` running app.py, plus the light routes
(cpt_public/routes.py: walk stations as small HTML pages) and the app's own security headers,
private metrics, signed route cookies and compressed responses (cpt_public/server.py). Start it
with ``streamlit run serve.py`` (make app, the container, the tests); ``streamlit run app.py``
still works, without the light routes and those protections."""

import streamlit as st

from cpt_public.routes import routes
from cpt_public.server import middleware

app = st.App("app.py", routes=routes(), middleware=middleware())
