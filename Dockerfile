# digestbot: `docker build -t digestbot . && docker run -e DIGESTBOT_TOKEN=... -v digestbot:/data digestbot`
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY locales ./locales
# The .po catalogs ship inside the wheel as bot/locales; the bot reads them as they are.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DIGESTBOT_DATABASE=/data/digestbot.sqlite3 \
    DIGESTBOT_METRICS_PORT=9464 \
    DIGESTBOT_METRICS_LISTEN=0.0.0.0
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 digestbot \
    && mkdir -p /data \
    && chown digestbot:digestbot /data
USER digestbot
WORKDIR /home/digestbot
VOLUME ["/data"]
EXPOSE 9464
# /healthz answers 503 (urlopen raises: exit 1) when the database cannot be read, the dispatcher
# has stopped or the Bot API has been unreachable for DIGESTBOT_HEALTH_API_MINUTES. Start-up may
# wait DIGESTBOT_STARTUP_WAIT (60 s) for an unreachable Bot API before it listens.
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('DIGESTBOT_METRICS_PORT', '9464') + '/healthz', timeout=8)"]
CMD ["digestbot", "run"]
