"""`digestbot run` with DIGESTBOT_METRICS_PORT: /metrics counts a poll and a push, /healthz
turns 503 while the Bot API is down past DIGESTBOT_HEALTH_API_MINUTES, then 200 again."""

from __future__ import annotations

import socket
import sqlite3
import urllib.error
import urllib.request
from html import escape
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import USER
from tests.e2e.conftest import BotProcess, eventually
from tests.fakes.botapi import BotApiServer
from tests.fakes.feedserver import FeedServer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
TEXT = (
    "Digestbot condenses each article of a feed into a few sentences. Readers get them pushed "
    "as they arrive, or once a day. Operators watch it with metrics and a health check."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def feed(*guids: str) -> bytes:
    items = "".join(
        f"<item><guid>{guid}</guid><title>Story {guid}</title>"
        f"<link>https://news.example.com/{guid}</link>"
        f"<description>{escape(TEXT)}</description></item>"
        for guid in guids
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>News</title><link>https://news.example.com/</link>{items}</channel></rss>"
    ).encode()


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scrape(port: int) -> Samples:
    status, text = get(port, "/metrics")
    assert status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def test_metrics_and_health(botapi: BotApiServer, feed_server: FeedServer, tmp_path: Path) -> None:
    port = free_port()
    feed_server.route("/m.xml", body=feed("a"), conditional=True)
    bot = BotProcess(
        botapi,
        tmp_path,
        DIGESTBOT_METRICS_PORT=str(port),
        DIGESTBOT_HEALTH_API_MINUTES="0.02",  # 1.2 s
    )
    try:
        bot.wait_until_polling()
        assert get(port, "/healthz") == (200, "ok\n")
        with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
            db.execute("INSERT INTO topics (slug, name, created_at) VALUES ('t', 'T', '2026')")
            db.execute(
                "INSERT INTO chats (id, kind, title, language, created_at) "
                "VALUES (?, 'private', 'U', 'en', '2026')",
                (USER,),
            )
            db.execute(
                "INSERT INTO subscriptions (chat_id, topic_id, created_at) VALUES (?, 1, '2026')",
                (USER,),
            )
            db.execute(
                "INSERT INTO feeds (topic_id, url, created_at) VALUES (1, ?, '2026')",
                (feed_server.url("/m.xml"),),
            )

        # The first poll stores the backlog; the next ones are answered 304.
        def polls(outcome: str) -> float:
            return value(scrape(port), "digestbot_feed_polls_total", outcome=outcome)

        eventually(lambda: polls("unchanged") >= 1, "an unchanged poll after the first")
        before = scrape(port)
        assert value(before, "digestbot_feed_polls_total", outcome="new") == 1
        assert value(before, "digestbot_feed_polls_total", outcome="error") == 0
        assert value(before, "digestbot_entries_ingested_total") == 1
        assert value(before, "digestbot_chats", kind="private") == 1
        assert value(before, "digestbot_chats", kind="channel") == 0
        assert value(before, "digestbot_subscribers") == 1
        assert value(before, "digestbot_feeds", state="ok") == 1
        assert value(before, "digestbot_outbox_rows", status="sent") == 0
        assert value(before, "digestbot_bot_api_up") == 1
        fetches = value(before, "digestbot_fetch_duration_seconds_count", kind="feed")
        assert fetches >= 2

        # A new entry: one more poll with news, one entry, one digest, one push sent.
        feed_server.route("/m.xml", body=feed("b", "a"), conditional=True)
        botapi.wait_for_call("sendMessage", lambda c: c.params.get("chat_id") == USER)
        eventually(
            lambda: value(scrape(port), "digestbot_outbox_rows", status="sent") == 1,
            "the push counted as sent",
        )
        after = scrape(port)
        assert value(after, "digestbot_feed_polls_total", outcome="new") == 2
        assert value(after, "digestbot_entries_ingested_total") == 2
        assert value(after, "digestbot_digests_condensed_total") == (
            value(before, "digestbot_digests_condensed_total") + 1
        )
        assert value(after, "digestbot_outbox_rows", status="pending") == 0
        assert value(after, "digestbot_outbox_oldest_due_age_seconds") == 0
        assert value(after, "digestbot_fetch_duration_seconds_count", kind="feed") > fetches
        assert value(after, "digestbot_handler_errors_total", source="update") == 0
        assert not any("chat_id" in dict(labels) for _, labels in after)

        # The Bot API goes down while a push is due: after 1.2 s of it, /healthz is 503.
        botapi.pause()
        feed_server.route("/m.xml", body=feed("c", "b", "a"), conditional=True)
        eventually(lambda: get(port, "/healthz")[0] == 503, "/healthz 503")
        status, body = get(port, "/healthz")
        assert status == 503
        assert body.startswith("Bot API unreachable for ")
        assert value(scrape(port), "digestbot_bot_api_up") == 0
        botapi.resume()
        eventually(lambda: get(port, "/healthz") == (200, "ok\n"), "/healthz 200 again")
        eventually(
            lambda: value(scrape(port), "digestbot_outbox_rows", status="sent") == 2,
            "the held push sent",
        )
        assert bot.stop() == 0
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait()
    assert "Traceback" not in bot.output()
