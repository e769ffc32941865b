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
    DIGESTBOT_DATABASE=/data/digestbot.sqlite3
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 digestbot \
    && mkdir -p /data \
    && chown digestbot:digestbot /data
USER digestbot
WORKDIR /home/digestbot
VOLUME ["/data"]
CMD ["digestbot", "run"]
