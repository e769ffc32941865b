"""`digestbot run` with DIGESTBOT_LOG_FORMAT=json: every line a JSON object for a collector."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.e2e.conftest import BotProcess, eventually
from tests.fakes.botapi import BotApiServer
from tests.fakes.feedserver import FeedServer

FEED = "/feeds/gihyo-rss2_2020-01-25.xml"
GONE = "/json-logs-gone.xml"


def test_json_log_lines(botapi: BotApiServer, feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.route(GONE, status=404, body=b"nope")
    bot = BotProcess(botapi, tmp_path, DIGESTBOT_LOG_FORMAT="json")
    try:
        bot.wait_until_polling()
        with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
            db.execute("INSERT INTO topics (slug, name, created_at) VALUES ('t', 'T', '2026')")
            db.execute(
                "INSERT INTO feeds (topic_id, url, created_at) VALUES (1, ?, '2026')",
                (feed_server.url(FEED),),
            )
            db.execute("INSERT INTO topics (slug, name, created_at) VALUES ('u', 'U', '2026')")
            db.execute(
                "INSERT INTO feeds (topic_id, url, created_at) VALUES (2, ?, '2026')",
                (feed_server.url(GONE),),
            )
        eventually(lambda: "new entries" in bot.output(), "the feed's first poll logged")
        eventually(lambda: "failed (1 in a row)" in bot.output(), "the failing feed logged")
        assert bot.stop() == 0
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait()

    lines = [json.loads(line) for line in bot.output().splitlines()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    assert lines[0]["message"].startswith("digestbot ")
    assert lines[0]["level"] == "INFO"
    (polled,) = [line for line in lines if "new entries" in line["message"]]
    assert polled["logger"] == "bot.chat.jobs"
    assert polled["message"] == f"feed {feed_server.url(FEED)}: 20 new entries"
    assert (polled["feed_id"], polled["topic_id"]) == (1, 1)
    failed = next(line for line in lines if "failed (1 in a row)" in line["message"])
    assert failed["logger"] == "bot.pipeline"
    assert failed["level"] == "WARNING"
    assert failed["message"].startswith(f"feed {feed_server.url(GONE)} failed (1 in a row): ")
    assert (failed["feed_id"], failed["topic_id"]) == (2, 2)
    assert "chat_id" not in failed
    assert lines[-1]["message"] == "digestbot stopped cleanly"
