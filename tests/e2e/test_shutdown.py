"""`digestbot run` under operations faults: a hanging fetch at SIGTERM, a second poller."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import BotProcess, eventually
from tests.e2e.test_webhook import free_port
from tests.fakes.botapi import BotApiServer
from tests.fakes.feedserver import FeedServer

# The fake answers this feed after this long: the fetch is still in flight at SIGTERM.
HANG = 25.0
# Docker's default stop timeout: a bot that takes longer is killed mid-write.
DOCKER_STOP_TIMEOUT = 10.0


def webhook_settings() -> dict[str, str]:
    port = free_port()
    return {
        "DIGESTBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "DIGESTBOT_WEBHOOK_LISTEN": "127.0.0.1",
        "DIGESTBOT_WEBHOOK_PORT": str(port),
    }


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_sigterm_while_a_fetch_hangs_stops_within_dockers_timeout(
    mode: str, botapi: BotApiServer, tmp_path: Path, feed_server: FeedServer
) -> None:
    path = f"/hangs-{mode}.xml"  # the feed server is the session's: a path of its own
    feed_server.route(path, body=b"<rss/>", delay=HANG)
    if mode == "polling":
        bot_process = BotProcess(botapi, tmp_path)
        bot_process.wait_until_polling()
    else:
        bot_process = BotProcess(botapi, tmp_path, **webhook_settings())
        botapi.wait_for_call("setWebhook", timeout=30)
    try:
        stop_while_fetching(bot_process, feed_server, path)
    finally:
        if bot_process.process.poll() is None:
            bot_process.process.kill()


def stop_while_fetching(bot_process: BotProcess, feed_server: FeedServer, path: str) -> None:
    url = feed_server.url(path)
    with sqlite3.connect(bot_process.workdir / "bot.sqlite3") as db:
        db.execute("INSERT INTO topics (slug, name, created_at) VALUES ('t', 'T', '2026')")
        db.execute("INSERT INTO feeds (topic_id, url, created_at) VALUES (1, ?, '2026')", (url,))
    eventually(lambda: bool(feed_server.requests(path)), "the fetch to start")

    # Not a timed assertion on speed: the wait is the operator's deadline, and a bot that
    # misses it is killed by Docker (the test then fails with TimeoutExpired).
    assert bot_process.stop(timeout=DOCKER_STOP_TIMEOUT) == 0
    output = bot_process.output()
    assert "feed polls cancelled at shutdown; their feeds stay due" in output
    assert "Traceback" not in output
    with sqlite3.connect(bot_process.workdir / "bot.sqlite3") as db:
        (next_poll, failures) = db.execute(
            "SELECT next_poll_at, failures FROM feeds WHERE id = 1"
        ).fetchone()
    assert (next_poll, failures) == (None, 0), "the feed stays due, with nothing recorded"


def test_409_conflicts_are_a_line_a_minute_then_the_bot_stops(
    botapi: BotApiServer, tmp_path: Path
) -> None:
    bot = BotProcess(botapi, tmp_path, DIGESTBOT_CONFLICT_EXIT="0.05")  # 3 seconds
    try:
        bot.wait_until_polling()
        stopping = threading.Event()

        def rival() -> None:
            url = f"{botapi.url}/bot{botapi.token}/getUpdates"
            with httpx.Client(timeout=5.0) as client:
                while not stopping.is_set():
                    client.post(url, json={"timeout": 1})

        thread = threading.Thread(target=rival, daemon=True)
        thread.start()
        try:
            status = bot.process.wait(timeout=60)
        finally:
            stopping.set()
            thread.join(timeout=10)
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
        bot.stop()
    output = bot.output()
    assert status == 1
    assert "Traceback" not in output
    warnings = [line for line in output.splitlines() if "409 Conflict" in line]
    assert len(warnings) == 1, output
    assert "another process is polling Telegram with this bot's token" in warnings[0]
    assert "stopping: another process has polled with this bot's token" in output
    assert "digestbot stopped with exit status 1" in output
