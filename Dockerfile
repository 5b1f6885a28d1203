# cpt-public: one app process (deploy/run-app.sh). Several behind a proxy: deploy/compose.yaml.
# The image holds the app and the shipped release; it never holds record-level data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# The charts' font (Arial's metrics): labels in server-drawn charts placed as phones draw them.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-liberation && rm -rf /var/lib/apt/lists/*

# Locked dependencies first, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY app.py serve.py ./
COPY app_pages/ app_pages/
COPY cpt_public/ cpt_public/
COPY content/ content/
COPY published_data/ published_data/
COPY .streamlit/config.toml .streamlit/config.toml
COPY deploy/run-app.sh deploy/run-app.sh

# Not root; the feedback SQLite file (one process only) goes to /app/data.
RUN useradd --system --uid 10001 --home /app cpt && mkdir -p /app/data && chown cpt /app/data
USER cpt

ENV PORT=8501 ADDRESS=0.0.0.0
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_stcore/health', timeout=4)"
CMD ["deploy/run-app.sh"]
