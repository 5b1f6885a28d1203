#!/bin/sh
# One app process: what the container runs, and what tests/e2e/test_deploy.py starts twice behind
# nginx. Settings come from .streamlit/config.toml (hardened) plus the environment:
#   PORT                              port to listen on (8501)
#   ADDRESS                           address to bind (0.0.0.0 in a container)
#   DATABASE_URL                      feedback database: PostgreSQL when there is more than one process
#   CPT_RELEASE_DIR                   the release to serve (the image's published_data/)
#   STREAMLIT_SERVER_COOKIE_SECRET    the same secret in every process (signs Streamlit's cookies)
set -eu
cd "$(dirname "$0")/.."
exec python -m streamlit run serve.py --server.port "${PORT:-8501}" --server.address "${ADDRESS:-0.0.0.0}"
