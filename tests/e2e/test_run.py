"""`digestbot run` starts, polls feeds on schedule, and stops cleanly on SIGINT and SIGTERM."""

from __future__ import annotations

import signal
import sqlite3

import pytest

from tests.e2e.conftest import BotProcess, eventually
from tests.fakes.feedserver import FeedServer, RecordedRequest

FEED = "/feeds/gihyo-rss2_2020-01-25.xml"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_run_polls_on_schedule_and_stops_cleanly(
    bot_process: BotProcess, feed_server: FeedServer, sig: int
) -> None:
    database = bot_process.workdir / "bot.sqlite3"
    bot_process.wait_until_polling()
    url = feed_server.url(FEED) + f"?run={sig}"
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO topics (slug, name, created_at) VALUES ('t', 'T', '2026')")
        db.execute("INSERT INTO feeds (topic_id, url, created_at) VALUES (1, ?, '2026')", (url,))

    # The poll job ticks every second (DIGESTBOT_POLL_INTERVAL=1): the feed is fetched,
    # then fetched again with its validators, and answered 304.
    def polls() -> list[RecordedRequest]:
        return [r for r in feed_server.requests(FEED) if r.target.endswith(f"?run={sig}")]

    eventually(lambda: len(polls()) >= 2, "two scheduled polls of the feed")
    assert "if-none-match" in polls()[-1].headers
    with sqlite3.connect(database) as db:
        (articles,) = db.execute("SELECT count(*) FROM articles").fetchone()
    assert articles == 20

    assert bot_process.stop(sig) == 0
    output = bot_process.output()
    assert "Traceback" not in output
    assert "stopped cleanly" in output
