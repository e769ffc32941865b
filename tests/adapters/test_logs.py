"""JSON log lines: one object per record, with the ids a caller passes."""

from __future__ import annotations

import json
import logging
import sys

from bot.adapters.logs import JsonFormatter


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.getLogger("digestbot.test").makeRecord(
        "digestbot.test", logging.WARNING, __file__, 1, message, args, None, extra=extra
    )
    made.created = 1_780_000_000.25
    return made


def test_a_record_is_one_json_line_with_its_ids() -> None:
    line = JsonFormatter().format(record("feed %s: %d new", "東京", 3, feed_id=7, topic_id=2))
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2026-05-28T20:26:40.250+00:00",
        "level": "WARNING",
        "logger": "digestbot.test",
        "message": "feed 東京: 3 new",
        "feed_id": 7,
        "topic_id": 2,
    }


def test_an_exception_stays_on_the_line() -> None:
    made = record("failed", chat_id=-100123)
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        made.exc_info = sys.exc_info()
    line = JsonFormatter().format(made)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["chat_id"] == -100123
    assert parsed["exc_info"].startswith("Traceback")
    assert "ValueError: bad\nvalue" in parsed["exc_info"]
