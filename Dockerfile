# Small image for a 1 vCPU / 2 GB VM: slim Python, no compilers, non-root, state in a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATA_DIR=/data

RUN useradd --create-home --uid 10001 trader \
 && mkdir -p /data && chown trader:trader /data

WORKDIR /app
# the exact tested versions (hash-checked) first, then the project itself without resolving anything again
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY trading ./trading
COPY bot ./bot
RUN pip install --no-deps . && rm -rf /root/.cache

USER trader
VOLUME ["/data"]
# The bot writes DATA_DIR/heartbeat every 10 s; `health` fails when it is older than a minute.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["trading-assistant", "health"]
# Secrets (TELEGRAM_BOT_TOKEN, MASTER_KEY, ...) come from `docker run --env-file .env`, never from the image.
ENTRYPOINT ["trading-assistant"]
CMD ["run"]
