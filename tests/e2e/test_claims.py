"""Claims carry their owner: a second start leaves a running bot's sends alone."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from pathlib import Path

from bench.fanout import FIRST_CHAT, seed
from bot.core.pacing import PAID_RATE, in_flight_limit
from tests.e2e.conftest import BotProcess, eventually
from tests.fakes.botapi import BotApiServer
from tests.fakes.feedserver import FeedServer

SUBSCRIBERS = 400  # more than ANSWERED and the sends in flight at the paid rate
ANSWERED = 50
FEED = "/claims/feed.xml"
PAID = {"DIGESTBOT_MAX_RATE": str(int(PAID_RATE)), "DIGESTBOT_PAID_BROADCAST": "1"}


def rss(feed_server: FeedServer) -> bytes:
    text = " ".join(["The council approved the new budget on Tuesday after a long debate."] * 8)
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>City news</title><link>{feed_server.url('/claims/')}</link>"
        f"<item><guid>budget</guid><title>Council passes the budget</title>"
        f"<link>{feed_server.url('/claims/budget.html')}</link>"
        f"<description>{text}</description></item></channel></rss>"
    ).encode()


def claims(database: Path) -> Counter[str]:
    """How many rows each owner has claimed."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT claimed_by FROM deliveries WHERE status = 'claimed'")
        return Counter(str(owner) for (owner,) in rows)


def pushes(api: BotApiServer) -> Counter[int]:
    return Counter(
        call.params["chat_id"]
        for call in api.calls("sendMessage")
        if call.ok and call.params["chat_id"] >= FIRST_CHAT
    )


def test_a_second_start_leaves_the_running_bots_claims_alone(
    botapi: BotApiServer, feed_server: FeedServer, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    feed_server.route(FEED, body=rss(feed_server), conditional=True)
    seed(database, feed_server.url(FEED), SUBSCRIBERS)
    # Telegram takes every push but answers only the first 50: the rest stay claimed.
    botapi.hold_responses(after=ANSWERED)
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    first = BotProcess(botapi, tmp_path / "first", DIGESTBOT_DATABASE=str(database), **PAID)
    try:
        botapi.wait_for(
            lambda: botapi.held_responses() >= in_flight_limit(PAID_RATE),
            timeout=60,
            what="sends in flight",
        )
        (owner,) = claims(database)
        # The owner: a random id of the instance, then its pid.
        assert re.fullmatch(rf"[0-9a-f]{{12}}-{first.process.pid}", owner), owner
        second = BotProcess(botapi, tmp_path / "second", DIGESTBOT_DATABASE=str(database))
        second.process.wait(timeout=60)
        assert "another digestbot" in second.output()
        assert second.stop() == 2
        # The second start released nothing: the claims are still the first one's.
        assert set(claims(database)) == {owner}
    finally:
        botapi.release_responses()
    try:
        eventually(lambda: len(pushes(botapi)) == SUBSCRIBERS, "a push to every subscriber", 60)
        eventually(lambda: not claims(database), "every claim settled", 30)
        assert first.stop() == 0
    finally:
        first.process.kill()
    assert set(pushes(botapi).values()) == {1}
    with sqlite3.connect(database) as db:
        statuses = dict(db.execute("SELECT status, count(*) FROM deliveries GROUP BY status"))
    assert statuses == {"sent": SUBSCRIBERS}
