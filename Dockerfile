# Small image for a 1 vCPU / 2 GB VM: two stages, so no compiler, installer, cache or test ships; non-root; state
# in a volume. deploy/image-size prints its size (it reproduces the venv below when no Docker engine is at hand).

# --- builder: the exact tested versions (hash-checked) into a venv, the project without resolving again, then strip
FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# binutils: `strip` for deploy/slim-venv (the builder's only; the final stage has none)
RUN apt-get update && apt-get install -y --no-install-recommends binutils && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
WORKDIR /src
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --no-compile --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY trading ./trading
COPY bot ./bot
RUN /opt/venv/bin/pip install --no-compile --no-deps .
# the ccxt exchanges the image can trade on (REST and streams); "all" keeps every exchange ccxt has
ARG CCXT_EXCHANGES="binance binanceusdm bybit okx upbit"
COPY deploy/slim-venv ./deploy/slim-venv
RUN CCXT_EXCHANGES="$CCXT_EXCHANGES" python deploy/slim-venv /opt/venv

# --- the image: the same Python, and only the venv
FROM python:3.11-slim
# No bytecode ships: Python compiles what it imports once, into /tmp (writable by the non-root user, kept across
# restarts of the container), so the bot and every HEALTHCHECK after the first start fast.
ENV PYTHONUNBUFFERED=1 \
    PYTHONPYCACHEPREFIX=/tmp/pycache \
    PATH=/opt/venv/bin:$PATH \
    DATA_DIR=/data

RUN useradd --create-home --uid 10001 trader \
 && mkdir -p /data && chown trader:trader /data
COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
USER trader
VOLUME ["/data"]
# The bot writes DATA_DIR/heartbeat every 10 s; `health` fails when it is older than a minute.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["trading-assistant", "health"]
# Secrets (TELEGRAM_BOT_TOKEN, MASTER_KEY, ...) come from `docker run --env-file .env`, never from the image.
ENTRYPOINT ["trading-assistant"]
CMD ["run"]
