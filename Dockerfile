# Causal Canvas: one app replica. Build:  docker build -t causal-canvas .
# Run:   docker run -p 8501:8501 causal-canvas
# Several replicas: see docs/deploy.md (sticky load balancer, CAUSAL_CANVAS_DB_URL, executor).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    CAUSAL_CANVAS_DATA_DIR=/data

# libgomp: OpenMP runtime that scikit-learn / lingam wheels load at import time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/causal-canvas

# Dependencies first (pinned), so code edits do not invalidate this layer.
COPY requirements.lock ./
RUN pip install -r requirements.lock

# Only what the app needs at run time (no .venv, tests, benchmarks or local databases).
COPY streamlit_app.py ./
COPY .streamlit ./.streamlit
COPY app ./app
COPY pages ./pages
COPY components ./components
COPY sample_data ./sample_data
# The app runs from this folder (streamlit puts it on sys.path); no package install needed.
RUN useradd --create-home --uid 10001 canvas \
    && mkdir -p /data && chown canvas /data
USER canvas

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"

# .streamlit/config.toml keeps XSRF protection on, usage stats off and the upload cap.
CMD ["python", "-m", "streamlit", "run", "streamlit_app.py", \
     "--server.headless", "true", "--server.address", "0.0.0.0", "--server.port", "8501", \
     "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
