"""Daily digests and the catch-up on resuming, the bot running in-process on a fake clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.adapters.store import ChatKind, DeliveryMode, NewArticle, Store
from bot.chat.jobs import drain_outbox, queue_daily_digests
from bot.core.daily import catch_up_batch_key, daily_batch_key
from bot.core.delivery import BatchKind, batch_kind
from bot.core.models import Digest, Entry
from tests.conftest import USER, RunningBot
from tests.fakes.clock import hold_jobs

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
OTHER = 3003


def outbox(database: Path, chat_id: int) -> list[tuple[int, str | None, str]]:
    """A chat's outbox rows in any status: (article id, batch key, due at), in id order."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT article_id, batch_key, due_at FROM deliveries WHERE chat_id = ? ORDER BY id",
            (chat_id,),
        ).fetchall()
    return [(int(a), k, str(d)) for a, k, d in rows]


def due(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


async def add_articles(
    store: Store, topic_id: int, keys: Sequence[str], fetched_at: datetime
) -> list[int]:
    """Store one poll of the topic's feed with these entries, fetched at `fetched_at`."""
    feeds = await store.list_feeds(topic_id)
    feed = feeds[0] if feeds else await store.add_feed(topic_id, f"https://example.com/{topic_id}")
    articles = []
    for key in keys:
        url = f"https://example.com/{key}"
        digest = Digest(f"Story {key}", url, "Example", None, "en", f"Lede {key}.", ("Point.",))
        articles.append(NewArticle(Entry(key, digest.title, url, "", None, "en"), digest))
    return await store.save_poll(
        feed.id,
        articles,
        polled_at=fetched_at,
        next_poll_at=fetched_at + timedelta(days=365),
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=True,
    )


async def daily_reader(store: Store, chat_id: int, topic_id: int, **settings: object) -> None:
    await store.upsert_chat(chat_id, kind=ChatKind.PRIVATE, language="en")
    await store.set_delivery_mode(chat_id, DeliveryMode.DAILY, time(8, 0))
    await store.subscribe(chat_id, topic_id)
    if "timezone" in settings:
        await store.set_chat_timezone(chat_id, str(settings["timezone"]))


async def test_the_daily_digest_holds_what_came_since_the_last_one(
    running_bot: RunningBot,
) -> None:
    clock = hold_jobs(running_bot.app, NOW - timedelta(minutes=1))
    store, database = running_bot.store, running_bot.settings.database
    tech = await store.add_topic("tech", "Tech")
    other = await store.add_topic("other", "Other")
    await daily_reader(store, USER, tech.id)
    [too_old] = await add_articles(store, tech.id, ["too-old"], NOW - timedelta(hours=30))
    [first] = await add_articles(store, tech.id, ["first"], NOW - timedelta(hours=20))
    [read] = await add_articles(store, tech.id, ["read"], NOW - timedelta(hours=3))
    [second] = await add_articles(store, tech.id, ["second"], NOW - timedelta(hours=2))
    await add_articles(store, other.id, ["unsubscribed"], NOW - timedelta(hours=1))
    await store.mark_read(USER, read)

    await queue_daily_digests(running_bot.context())
    assert outbox(database, USER) == []

    clock.now = NOW
    await queue_daily_digests(running_bot.context())
    key = daily_batch_key(USER, date(2026, 5, 1))
    assert key == f"daily:{USER}:2026-05-01"
    assert batch_kind(key) is BatchKind.DAILY
    assert outbox(database, USER) == [(second, key, due(NOW)), (first, key, due(NOW))]
    chat = await store.get_chat(USER)
    assert chat is not None
    assert chat.last_digest_at == NOW

    clock.now = NOW + timedelta(hours=5)
    await queue_daily_digests(running_bot.context())
    assert len(outbox(database, USER)) == 2
    assert too_old not in {row[0] for row in outbox(database, USER)}

    since = len(running_bot.api.calls("sendMessage"))
    await drain_outbox(running_bot.context())
    [message] = running_bot.api.calls("sendMessage")[since:]
    assert message.params["chat_id"] == USER
    text = message.params["text"]
    assert "Your daily digest" in text
    assert text.index("Story second") < text.index("Story first")


async def test_the_next_day_starts_where_the_last_digest_ended(running_bot: RunningBot) -> None:
    clock = hold_jobs(running_bot.app, NOW)
    store, database = running_bot.store, running_bot.settings.database
    tech = await store.add_topic("tech", "Tech")
    await daily_reader(store, USER, tech.id)
    [today] = await add_articles(store, tech.id, ["today"], NOW - timedelta(hours=1))
    await queue_daily_digests(running_bot.context())
    # Fetched in the minute of the digest but stored after it: the next window reaches back.
    [late] = await add_articles(store, tech.id, ["late"], NOW - timedelta(seconds=30))
    [tomorrow] = await add_articles(store, tech.id, ["tomorrow"], NOW + timedelta(hours=12))

    clock.now = NOW + timedelta(days=1, minutes=-1)
    await queue_daily_digests(running_bot.context())
    assert [row[0] for row in outbox(database, USER)] == [today]

    clock.now = NOW + timedelta(days=1)
    await queue_daily_digests(running_bot.context())
    key = daily_batch_key(USER, date(2026, 5, 2))
    assert outbox(database, USER)[1:] == [
        (tomorrow, key, due(clock.now)),
        (late, key, due(clock.now)),
    ]


async def test_an_empty_day_sends_nothing_and_counts_as_sent(running_bot: RunningBot) -> None:
    hold_jobs(running_bot.app, NOW)
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    await daily_reader(store, USER, tech.id)
    since = len(running_bot.api.calls("sendMessage"))
    await queue_daily_digests(running_bot.context())
    await drain_outbox(running_bot.context())
    assert outbox(running_bot.settings.database, USER) == []
    assert running_bot.api.calls("sendMessage")[since:] == []
    chat = await store.get_chat(USER)
    assert chat is not None
    assert chat.last_digest_at == NOW


async def test_each_chat_gets_its_digest_at_its_own_time(running_bot: RunningBot) -> None:
    clock = hold_jobs(running_bot.app, datetime(2026, 4, 30, 23, 0, tzinfo=UTC))
    store, database = running_bot.store, running_bot.settings.database
    tech = await store.add_topic("tech", "Tech")
    await daily_reader(store, USER, tech.id, timezone="Asia/Tokyo")
    await daily_reader(store, OTHER, tech.id, timezone="Europe/London")
    [article] = await add_articles(store, tech.id, ["news"], clock.now - timedelta(hours=1))
    await queue_daily_digests(running_bot.context())
    # 08:00 in Tokyo is 23:00 UTC the day before; in London it is midnight.
    assert outbox(database, USER) == [
        (article, daily_batch_key(USER, date(2026, 5, 1)), due(clock.now))
    ]
    assert outbox(database, OTHER) == []


@pytest.mark.parametrize("change", ["paused", "instant", "inactive"])
async def test_only_active_unpaused_daily_readers_get_a_digest(
    running_bot: RunningBot, change: str
) -> None:
    hold_jobs(running_bot.app, NOW)
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    await daily_reader(store, USER, tech.id)
    if change == "paused":
        await store.set_paused(USER, True, at=NOW - timedelta(days=1))
    elif change == "instant":
        await store.set_delivery_mode(USER, DeliveryMode.INSTANT)
    else:
        await store.set_chat_active(USER, False)
    await add_articles(store, tech.id, ["news"], NOW - timedelta(hours=1))
    await queue_daily_digests(running_bot.context())
    # (An instant reader has its push, which is no digest.)
    assert [row for row in outbox(running_bot.settings.database, USER) if row[1]] == []
    chat = await store.get_chat(USER)
    assert chat is not None
    assert chat.last_digest_at is None


async def test_the_digest_follows_the_topic_filters(running_bot: RunningBot) -> None:
    hold_jobs(running_bot.app, NOW)
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    await store.set_filters("tech", [], ["crypto"])
    await daily_reader(store, USER, tech.id)
    [kept, _] = await add_articles(store, tech.id, ["rust", "crypto"], NOW - timedelta(hours=1))
    await queue_daily_digests(running_bot.context())
    assert [row[0] for row in outbox(running_bot.settings.database, USER)] == [kept]


async def test_resuming_sends_one_catch_up_digest(running_bot: RunningBot) -> None:
    clock = hold_jobs(running_bot.app, NOW)
    store, database, api = running_bot.store, running_bot.settings.database, running_bot.api
    tech = await store.add_topic("tech", "Tech")
    [before] = await add_articles(store, tech.id, ["before"], NOW - timedelta(days=2))
    settings = await running_bot.command(USER, "/settings", language_code="en")
    await store.subscribe(USER, tech.id)
    await running_bot.press(USER, "st:pause:1", settings.result["message_id"])
    paused = await store.get_chat(USER)
    assert paused is not None
    assert (paused.paused, paused.paused_at) == (True, NOW)

    assert await store.set_paused(USER, True, at=NOW + timedelta(hours=1))
    again = await store.get_chat(USER)
    assert again is not None
    assert again.paused_at == NOW

    keys = [f"missed-{n:02d}" for n in range(35)]
    missed = []
    for n, key in enumerate(keys):
        missed += await add_articles(store, tech.id, [key], NOW + timedelta(minutes=10 + n))
    assert outbox(database, USER) == []

    resumed_at = NOW + timedelta(days=1)
    clock.now = resumed_at
    since = len(api.calls("sendMessage"))
    await running_bot.press(USER, "st:pause:0", settings.result["message_id"])
    key = catch_up_batch_key(USER, resumed_at)
    assert key == f"catchup:{USER}:2026-05-02T08:00:00+00:00"
    assert batch_kind(key) is BatchKind.CATCHUP
    # The newest 30 of the 35 missed, newest first; nothing from before the pause.
    assert outbox(database, USER) == [(a, key, due(resumed_at)) for a in missed[::-1][:30]]
    assert before not in {row[0] for row in outbox(database, USER)}
    chat = await store.get_chat(USER)
    assert chat is not None
    assert (chat.paused, chat.paused_at) == (False, None)

    await drain_outbox(running_bot.context())
    pushes = [c for c in api.calls("sendMessage")[since:] if "missed-" in c.params["text"]]
    assert len(pushes) == 1
    assert "Welcome back" in pushes[0].params["text"]


async def test_resuming_with_nothing_missed_sends_nothing(running_bot: RunningBot) -> None:
    clock = hold_jobs(running_bot.app, NOW)
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    await store.subscribe(USER, tech.id)
    await store.set_paused(USER, True, at=NOW)
    clock.now = NOW + timedelta(hours=2)
    assert await store.resume_chat(USER, now=clock.now, batch_key="catchup:x") == 0
    assert await store.resume_chat(999, now=clock.now, batch_key="catchup:y") is None
    assert outbox(running_bot.settings.database, USER) == []


async def test_a_daily_reader_catches_up_in_its_next_digest(running_bot: RunningBot) -> None:
    clock = hold_jobs(running_bot.app, NOW)
    store, database = running_bot.store, running_bot.settings.database
    tech = await store.add_topic("tech", "Tech")
    await daily_reader(store, USER, tech.id)
    await queue_daily_digests(running_bot.context())
    await store.set_paused(USER, True, at=NOW + timedelta(hours=1))
    [missed] = await add_articles(store, tech.id, ["missed"], NOW + timedelta(days=1))
    clock.now = NOW + timedelta(days=2, hours=9)
    await queue_daily_digests(running_bot.context())
    assert await store.resume_chat(USER, now=clock.now, batch_key="catchup:daily") == 0
    assert outbox(database, USER) == []
    await queue_daily_digests(running_bot.context())
    key = daily_batch_key(USER, date(2026, 5, 3))
    assert outbox(database, USER) == [(missed, key, due(clock.now))]
