"""JSON log lines: one object per record, with the ids a caller passes."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot.adapters.logs import JsonFormatter
from bot.adapters.store import ChatKind
from tests.adapters.test_dispatch import OTHER, dispatcher, publish, topic_with
from tests.conftest import USER, RunningBot


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


async def test_the_dispatchers_lines_about_a_chat_carry_its_id(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE), (OTHER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, "blocked")
    running_bot.api.queue_error(OTHER, "flood", retry_after=1)
    caplog.set_level(logging.INFO, logger="bot.adapters.dispatch")
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    lines = [
        json.loads(JsonFormatter().format(r))
        for r in caplog.records
        if r.name == "bot.adapters.dispatch"
    ]
    # The two chats' sends run side by side: their lines come in either order.
    assert sorted((line["chat_id"], line["message"]) for line in lines) == [
        (USER, f"chat {USER} is gone: 1 deliveries cancelled"),
        (USER, f"send to chat {USER} failed (gone): Forbidden: bot was blocked by the user"),
        (OTHER, f"send to chat {OTHER} failed (flood): Flood control exceeded. Retry in 0:00:01"),
    ]
