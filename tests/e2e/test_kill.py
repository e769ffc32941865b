"""`kill -9` in the middle of a fan-out to 1,000 subscribers: nothing lost, few duplicates."""

from __future__ import annotations

import signal
import sqlite3
from collections import Counter
from pathlib import Path

from bench.fanout import FIRST_CHAT, seed
from bot.core.pacing import PAID_RATE, connection_limit, in_flight_limit
from tests.e2e.conftest import BotProcess, eventually
from tests.fakes.botapi import BotApiServer
from tests.fakes.feedserver import FeedServer

SUBSCRIBERS = 1000
ANSWERED_BEFORE_KILL = 300
FEED = "/kill/feed.xml"
TEXT = (
    "The council approved the new budget on Tuesday after a long debate. "
    "Spending on schools rises by a tenth, while road repairs are put off for a year. "
    "The mayor said the plan keeps taxes flat. Critics warned that the savings will not last."
)
PAID = {"DIGESTBOT_MAX_RATE": str(int(PAID_RATE)), "DIGESTBOT_PAID_BROADCAST": "1"}


def rss(feed_server: FeedServer) -> bytes:
    link = feed_server.url("/kill/budget.html")
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>City news</title><link>{feed_server.url('/kill/')}</link>"
        f"<item><guid>budget</guid><title>Council passes the budget</title><link>{link}</link>"
        f"<description>{TEXT}</description></item></channel></rss>"
    ).encode()


def pushes(api: BotApiServer) -> Counter[int]:
    """How many pushes each subscriber got."""
    return Counter(
        call.params["chat_id"]
        for call in api.calls("sendMessage")
        if call.ok and call.params["chat_id"] >= FIRST_CHAT
    )


def sent_rows(database: Path) -> int:
    with sqlite3.connect(database) as db:
        (count,) = db.execute("SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone()
    return int(count)


def test_a_kill_during_a_fan_out_loses_nothing(
    botapi: BotApiServer, feed_server: FeedServer, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    feed_server.route(FEED, body=rss(feed_server), conditional=True)
    feed_server.route("/kill/budget.html", body=b"<html><body><p>Budget.</p></body></html>")
    seed(database, feed_server.url(FEED), SUBSCRIBERS)
    botapi.enforce_limits()  # Telegram's: 1,000/s paid, 1/s per chat
    in_flight = in_flight_limit(PAID_RATE)
    most_in_flight = connection_limit(PAID_RATE)  # sends unanswered a second no longer count
    # Telegram answers the first 300 pushes; it delivers the later ones but the bot never
    # hears back, so they are in flight when the process dies: the worst moment.
    botapi.hold_responses(after=ANSWERED_BEFORE_KILL)

    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    first = BotProcess(botapi, tmp_path / "first", DIGESTBOT_DATABASE=str(database), **PAID)
    try:
        botapi.wait_for(
            lambda: botapi.held_responses() >= in_flight, timeout=60, what="sends in flight"
        )
        before_kill = sum(pushes(botapi).values())
        held = botapi.held_responses()
        first.stop(signal.SIGKILL)
    finally:
        first.process.kill()
        botapi.release_responses()
    # The bound on sends in flight held: however long these hung, no more than
    # `most_in_flight` started, and every push Telegram took but never answered is held.
    assert in_flight <= held <= most_in_flight
    assert in_flight <= before_kill - ANSWERED_BEFORE_KILL <= most_in_flight

    second = BotProcess(botapi, tmp_path / "second", DIGESTBOT_DATABASE=str(database), **PAID)
    try:
        eventually(lambda: len(pushes(botapi)) == SUBSCRIBERS, "a push to every subscriber", 60)
        eventually(lambda: sent_rows(database) == SUBSCRIBERS, "every row marked sent", 30)
        assert second.stop() == 0
    finally:
        second.process.kill()

    got = pushes(botapi)
    duplicates = sum(got.values()) - SUBSCRIBERS
    print(f"\nsends before the kill: {before_kill}, in flight: {held}, dups: {duplicates}")
    assert set(got) == set(range(FIRST_CHAT, FIRST_CHAT + SUBSCRIBERS))
    assert duplicates <= most_in_flight
    assert botapi.flood_refusals() == 0
    assert "Traceback" not in second.output()
