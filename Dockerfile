# Crossfade: one image for the web app (default command) and the workers (`crossfade worker`).
# Nothing here depends on the CPU architecture (a pure-Python install on the official
# multi-arch python image), so one command builds it for several platforms:
#   docker buildx build --platform linux/amd64,linux/arm64 -t crossfade:local .
FROM python:3.11-slim

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="Crossfade" \
      org.opencontainers.image.description="Music ratings, playlists and movie layouts kept in step across Plex, Jellyfin and disk." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.documentation="README.md, docs/DEPLOY.md" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Time zone data, so that TZ=Europe/Paris means something to the C library and to Python.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tzdata \
 && rm -rf /var/lib/apt/lists/*

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

# The entrypoint starts as root only to hand the data volume to PUID:PGID (read at run time,
# default 1000:1000), then drops to that user with UMASK and TZ before running the command.
COPY docker/entrypoint.py /usr/local/bin/crossfade-entrypoint
RUN chmod 0755 /usr/local/bin/crossfade-entrypoint \
 && groupadd --gid 1000 crossfade \
 && useradd --uid 1000 --gid 1000 --no-create-home --home-dir /data crossfade \
 && mkdir -p /data /media \
 && chown crossfade:crossfade /data
WORKDIR /data

ENV CROSSFADE_DATA_DIR=/data \
    CROSSFADE_HOST=0.0.0.0 \
    CROSSFADE_PORT=8080 \
    PUID=1000 \
    PGID=1000 \
    UMASK=022 \
    TZ=Etc/UTC
EXPOSE 8080
VOLUME ["/data"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/api/v1/health', timeout=4)"]

ENTRYPOINT ["python", "/usr/local/bin/crossfade-entrypoint"]
CMD ["crossfade", "serve"]
