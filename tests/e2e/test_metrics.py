"""`digestbot run` with DIGESTBOT_METRICS_PORT: /metrics counts polls, digests by language and
method, and a fan-out's pushes sent, retried after a 429, failed and cancelled by reason;
/healthz turns 503 while the Bot API is down past DIGESTBOT_HEALTH_API_MINUTES, then 200 again."""

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
# A Japanese article with the publisher's own key points: condensed by its structure.
TEXT_JA = (
    "<p>この記事で分かること</p><ul><li>ダイジェストボットは記事を短くまとめる。</li>"
    "<li>読者は届いたときに受け取る。</li><li>運用者はメトリクスで見守る。</li></ul>"
    "<p>ダイジェストボットはフィードの記事をいくつかの文にまとめます。"
    "読者は記事が届くたびに受け取るか、一日に一度まとめて受け取ります。</p>"
)
JA = "c"  # the Japanese entry's guid
# Subscribers beside USER: one whose HTML and plain text are both refused (a failed push),
# one who blocks the bot (a cancelled push), one who reads everything.
REFUSING, BLOCKING, READER = 3003, 4004, 5005
SUBSCRIBERS = (USER, REFUSING, BLOCKING, READER)
LANGUAGES = ("ja", "en", "other")
METHODS = ("structure", "summarizer")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def feed(*guids: str) -> bytes:
    items = "".join(
        f"<item><guid>{guid}</guid><title>{'記事' if guid == JA else 'Story'} {guid}</title>"
        f"<link>https://news.example.com/{guid}</link>"
        f"<description>{escape(TEXT_JA if guid == JA else TEXT)}</description></item>"
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


def condensed(samples: Samples) -> dict[tuple[str, str], float]:
    """The digests condensed, by (language, method), every pair listed."""
    return {
        (language, method): value(
            samples, "digestbot_digests_condensed_total", language=language, method=method
        )
        for language in LANGUAGES
        for method in METHODS
    }


def digests(en: int = 0, ja_structure: int = 0) -> dict[tuple[str, str], float]:
    """The condensed counter with these non-zero pairs."""
    counts = dict.fromkeys(((lang, m) for lang in LANGUAGES for m in METHODS), 0.0)
    return counts | {("en", "summarizer"): en, ("ja", "structure"): ja_structure}


def pushes(samples: Samples, outcome: str) -> dict[str, float]:
    """digestbot_pushes_<outcome>_total by reason, the reasons that moved only."""
    name = f"digestbot_pushes_{outcome}_total"
    return {
        dict(labels)["reason"]: count
        for (sample, labels), count in samples.items()
        if sample == name and count
    }


def test_metrics_and_health(botapi: BotApiServer, feed_server: FeedServer, tmp_path: Path) -> None:
    port = free_port()
    feed_server.route("/m.xml", body=feed("a"), conditional=True)
    bot = BotProcess(
        botapi,
        tmp_path,
        DIGESTBOT_METRICS_PORT=str(port),
        DIGESTBOT_HEALTH_API_MINUTES="0.02",  # 1.2 s
        DIGESTBOT_FULLTEXT_MIN_CHARS="0",  # the entries' own text: no article page is fetched
    )
    try:
        bot.wait_until_polling()
        assert get(port, "/healthz") == (200, "ok\n")
        with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
            db.execute("INSERT INTO topics (slug, name, created_at) VALUES ('t', 'T', '2026')")
            for chat_id in SUBSCRIBERS:
                db.execute(
                    "INSERT INTO chats (id, kind, title, language, created_at) "
                    "VALUES (?, 'private', 'U', 'en', '2026')",
                    (chat_id,),
                )
                db.execute(
                    "INSERT INTO subscriptions (chat_id, topic_id, created_at) "
                    "VALUES (?, 1, '2026')",
                    (chat_id,),
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
        # No counter or histogram carries a "_created" series: the time the process started
        # its metrics says nothing an operator needs, and doubles the series to read.
        assert [name for name, _ in before if name.endswith("_created")] == []
        assert value(before, "digestbot_feed_polls_total", outcome="new") == 1
        assert value(before, "digestbot_feed_polls_total", outcome="error") == 0
        assert value(before, "digestbot_entries_ingested_total") == 1
        # The backlog's one entry is condensed (for /latest), and pushed to nobody.
        assert condensed(before) == digests(en=1)
        assert value(before, "digestbot_pushes_sent_total") == 0
        assert value(before, "digestbot_chats", kind="private") == 4
        assert value(before, "digestbot_chats", kind="channel") == 0
        assert value(before, "digestbot_subscribers") == 4
        assert value(before, "digestbot_feeds", state="ok") == 1
        assert value(before, "digestbot_outbox_rows", status="sent") == 0
        assert value(before, "digestbot_bot_api_up") == 1
        fetches = value(before, "digestbot_fetch_duration_seconds_count", kind="feed")
        assert fetches >= 2

        # A new entry: one more poll with news, one entry, one digest, a push to each of the
        # four subscribers; USER's first send is answered 429 (retry after 1 s).
        botapi.queue_error(USER, "flood", retry_after=1)
        feed_server.route("/m.xml", body=feed("b", "a"), conditional=True)
        botapi.wait_for_call("sendMessage", lambda c: c.params.get("chat_id") == USER)
        eventually(
            lambda: value(scrape(port), "digestbot_outbox_rows", status="sent") == 4,
            "the pushes counted as sent",
        )
        after = scrape(port)
        assert value(after, "digestbot_feed_polls_total", outcome="new") == 2
        assert value(after, "digestbot_entries_ingested_total") == 2
        assert condensed(after) == digests(en=2)
        assert value(after, "digestbot_pushes_sent_total") == len(SUBSCRIBERS)
        assert value(after, "digestbot_messages_sent_total") == len(SUBSCRIBERS)
        assert value(after, "digestbot_delivery_latency_seconds_count") == len(SUBSCRIBERS)
        # USER's push waited out the 429's second at least.
        assert value(after, "digestbot_delivery_latency_seconds_sum") >= 1
        assert value(after, "digestbot_flood_waits_total") == 1
        assert value(after, "digestbot_flood_wait_seconds_total") == 1
        assert pushes(after, "retried") == {"flood": 1}
        assert pushes(after, "failed") == pushes(after, "cancelled") == {}
        assert value(after, "digestbot_outbox_rows", status="pending") == 0
        assert value(after, "digestbot_outbox_oldest_due_age_seconds") == 0
        assert value(after, "digestbot_fetch_duration_seconds_count", kind="feed") > fetches
        assert value(after, "digestbot_handler_errors_total", source="update") == 0
        assert not any("chat_id" in dict(labels) for _, labels in after)

        # A Japanese entry with its key points: REFUSING's HTML and then its plain text are
        # refused (a failed push), BLOCKING has blocked the bot (a cancelled push).
        botapi.queue_error(REFUSING, "cant_parse", count=2)
        botapi.queue_error(BLOCKING, "blocked")
        feed_server.route("/m.xml", body=feed(JA, "b", "a"), conditional=True)
        eventually(
            lambda: (
                value(scrape(port), "digestbot_outbox_rows", status="cancelled") == 1
                and value(scrape(port), "digestbot_outbox_rows", status="failed") == 1
                and value(scrape(port), "digestbot_outbox_rows", status="sent") == 6
            ),
            "the Japanese entry's pushes settled",
        )
        settled = scrape(port)
        assert condensed(settled) == digests(en=2, ja_structure=1)
        assert value(settled, "digestbot_pushes_sent_total") == 6
        assert value(settled, "digestbot_messages_sent_total") == 6
        assert value(settled, "digestbot_delivery_latency_seconds_count") == 6
        assert pushes(settled, "retried") == {"flood": 1, "bad-markup": 1}
        assert pushes(settled, "failed") == {"bad-markup": 1}
        assert pushes(settled, "cancelled") == {"chat-gone": 1}
        assert pushes(settled, "unconfirmed") == pushes(settled, "deferred") == {}
        assert value(settled, "digestbot_flood_waits_total") == 1
        assert value(settled, "digestbot_chats", kind="private") == 3

        # The Bot API goes down while a push is due: after 1.2 s of it, /healthz is 503.
        botapi.pause()
        feed_server.route("/m.xml", body=feed("d", JA, "b", "a"), conditional=True)
        eventually(lambda: get(port, "/healthz")[0] == 503, "/healthz 503")
        status, body = get(port, "/healthz")
        assert status == 503
        assert body.startswith("Bot API unreachable for ")
        assert value(scrape(port), "digestbot_bot_api_up") == 0
        botapi.resume()
        eventually(lambda: get(port, "/healthz") == (200, "ok\n"), "/healthz 200 again")
        eventually(
            lambda: value(scrape(port), "digestbot_outbox_rows", status="sent") == 9,
            "the held pushes sent",
        )
        final = scrape(port)
        assert value(final, "digestbot_pushes_sent_total") == 9
        assert value(final, "digestbot_delivery_latency_seconds_count") == 9
        assert condensed(final) == digests(en=3, ja_structure=1)
        assert pushes(final, "failed") == {"bad-markup": 1}
        assert pushes(final, "cancelled") == {"chat-gone": 1}
        assert bot.stop() == 0
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait()
    assert "Traceback" not in bot.output()
