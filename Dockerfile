# Causal Canvas: one app replica. Build:  docker build -t causal-canvas .   (or podman build)
# Run:   docker run -p 8501:8501 -v canvas-data:/data causal-canvas
# Several replicas: see docs/deploy.md (sticky load balancer, CAUSAL_CANVAS_DB_URL, executor).
# BASE: any Debian-like image with Python 3.11+ and its venv module; deploy/build-image.sh builds
# one from Debian's packages where no registry image can be pulled.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    CAUSAL_CANVAS_DATA_DIR=/data \
    PATH=/opt/venv/bin:$PATH

# libgomp: OpenMP runtime that scikit-learn / lingam wheels load at import time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /tmp/causal-canvas

# Dependencies first (pinned), so code edits do not invalidate this layer. A venv of its own,
# so the same steps work on a distribution Python (PEP 668) and on python:3.11-slim.
COPY requirements.lock ./
RUN python3 -m venv /opt/venv && pip install -r requirements.lock

# The app is installed as the wheel users get: pages, samples, lessons and the Streamlit
# config travel as package data, and `causal-canvas run` serves them from any folder.
COPY pyproject.toml setup.py README.md LICENSE streamlit_app.py ./
COPY .streamlit ./.streamlit
COPY app ./app
COPY pages ./pages
COPY components ./components
COPY sample_data ./sample_data
RUN pip install --no-deps --no-build-isolation . \
    && cd / && rm -rf /tmp/causal-canvas \
    && useradd --create-home --uid 10001 canvas \
    && mkdir -p /data && chown canvas /data
WORKDIR /home/canvas
USER canvas

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"

# The packaged .streamlit/config.toml keeps XSRF protection on, usage stats off and the upload cap.
CMD ["causal-canvas", "run", "--host", "0.0.0.0", "--port", "8501", "--data-dir", "/data"]
