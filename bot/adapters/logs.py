"""Log lines for machines: DIGESTBOT_LOG_FORMAT=json writes one JSON object per line.

Each object has time (UTC, ISO 8601), level, logger and message; a record logged with
`extra={"feed_id": …, "topic_id": …, "chat_id": …}` carries those ids too, and a logged
exception its traceback as `exc_info`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Final

from bot.core.models import Feed

# The ids a log collector can filter on, passed by callers with extra=.
CONTEXT_FIELDS: Final = ("feed_id", "topic_id", "chat_id")


class JsonFormatter(logging.Formatter):
    """One compact JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object: time, level, logger, message and context ids."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_handler(log_format: str, layout: str) -> logging.Handler:
    """A stderr handler writing JSON lines, or human-readable lines in `layout`."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(layout))
    return handler


def feed_ids(feed: Feed) -> dict[str, int]:
    """The `extra=` of a log line about one feed: its id and its topic's."""
    return {"feed_id": feed.id, "topic_id": feed.topic_id}


def chat_ids(chat_id: int) -> dict[str, int]:
    """The `extra=` of a log line about one chat."""
    return {"chat_id": chat_id}
