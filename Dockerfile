# Crossfade: one image for the web app (default command) and the workers (`crossfade worker`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A regular (non-editable) install: migrations/, templates/ and static/ are installed as data
# files under /usr/local/share/crossfade, where the app finds them (app/adapters/assets.py).
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY worker ./worker
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
RUN pip install ".[postgres]" && cd / && rm -rf /src

# Non-root. compose.yaml runs the containers as PUID:PGID (default 1000:1000).
RUN groupadd --gid 1000 crossfade \
 && useradd --uid 1000 --gid 1000 --no-create-home --home-dir /data crossfade \
 && mkdir -p /data /media \
 && chown crossfade:crossfade /data
USER crossfade
WORKDIR /data

ENV CROSSFADE_DATA_DIR=/data \
    CROSSFADE_HOST=0.0.0.0 \
    CROSSFADE_PORT=8080
EXPOSE 8080
VOLUME ["/data"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/api/v1/health', timeout=4)"]

CMD ["crossfade", "serve"]
