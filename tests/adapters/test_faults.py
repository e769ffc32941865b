"""Faults with nothing lost: Telegram unreachable a while, the database locked, the disk full."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import NetworkError

from bot.adapters.dispatch import Dispatcher
from bot.adapters.store import ChatKind, NewArticle, Store, claimed_ids
from bot.adapters.store.migrations import open_database
from bot.adapters.store.outbox import SentMessage
from bot.chat.jobs import poll_due_feeds
from bot.core.delivery import (
    MAX_ATTEMPTS,
    Failed,
    FailureKind,
    Hold,
    SendFailure,
    next_step,
    probe_delay,
)
from bot.core.models import DeliveryStatus, Digest, Entry
from bot.errors import StoreBusyError, StoreError, StoreFullError
from tests.conftest import USER, RunningBot
from tests.fakes.botapi import BotApiServer
from tests.fakes.clock import Clock, hold_jobs
from tests.fakes.feedserver import FeedServer

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
READERS = [40_000 + n for n in range(20)]
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")
DEADLINE = 20.0  # seconds a wait may take before the test fails; none is timed


def story(key: str) -> str:
    """An item of its own words (so no two read as one story), long enough to need no page."""
    words = [WORDS[(ord(key[-1]) * 7 + n * 5) % len(WORDS)] for n in range(12)]
    sentence = f"The {key} report on {' '.join(words)} was published on Tuesday."
    return " ".join(f"{sentence} Point {n} of {key} follows from it." for n in range(8))


def guids(*keys: str) -> list[str]:
    """The entry keys the store knows the feed's items by."""
    return [f"urn:faults:{key}" for key in keys]


def rss(feed_server: FeedServer, *keys: str) -> bytes:
    items = "".join(
        f"<item><guid>urn:faults:{key}</guid><title>Story {key}</title>"
        f"<link>{feed_server.url(f'/faults/{key}.html')}</link>"
        f"<description>{story(key)}</description></item>"
        for key in keys
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Faults</title>"
        f"<link>{feed_server.url('/faults/')}</link>{items}</channel></rss>"
    ).encode()


def dispatcher_of(running_bot: RunningBot) -> Dispatcher:
    found = running_bot.app.bot_data.dispatcher
    assert found is not None
    return found


async def eventually(predicate: Callable[[], bool], what: str) -> None:
    """Wait for a condition with a deadline, letting the bot's tasks run meanwhile."""
    async with asyncio.timeout(DEADLINE):
        # The conditions are plain attributes, with no event to wait on.
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.005)
    assert predicate(), what


async def subscribed_feed(
    running_bot: RunningBot, feed_server: FeedServer, path: str, chats: list[int]
) -> tuple[int, str]:
    """A topic whose feed at `path` is polled once already (its backlog), and its readers."""
    store = running_bot.store
    topic = await store.add_topic("world", "World")
    url = feed_server.url(path)
    feed = await store.add_feed(topic.id, url)
    for chat_id in chats:
        running_bot.api.add_chat(chat_id, "private")
        await store.upsert_chat(chat_id, kind=ChatKind.PRIVATE)
        await store.subscribe(chat_id, topic.id)
    feed_server.route(path, body=rss(feed_server, "a"))
    await poll_due_feeds(running_bot.context())
    return feed.id, path


async def poll_later(running_bot: RunningBot, clock: Clock) -> None:
    """Run the poll job once the feed is due again."""
    clock.now += timedelta(hours=2)
    await poll_due_feeds(running_bot.context())


# Telegram unreachable


def test_an_outage_holds_even_a_row_on_its_last_attempt() -> None:
    unreachable = SendFailure(FailureKind.UNREACHABLE, "aiohttp.ClientConnectorError")
    transient = SendFailure(FailureKind.TRANSIENT, "Bad Gateway")
    assert next_step(unreachable, MAX_ATTEMPTS, NOW, plain_tried=False) == Hold()
    assert next_step(transient, MAX_ATTEMPTS, NOW, plain_tried=False) == Failed()


@pytest.mark.parametrize(
    ("probes", "seconds"), [(0, 1), (1, 2), (3, 8), (6, 60), (100, 60)], ids=str
)
def test_probes_of_an_unreachable_api_back_off_to_a_minute(probes: int, seconds: int) -> None:
    assert probe_delay(probes) == timedelta(seconds=seconds)


def test_the_fake_refuses_connections_in_a_blackout_then_answers_on_the_same_url(
    botapi: BotApiServer,
) -> None:
    async def get_me() -> str | None:
        async with Bot(botapi.token, base_url=botapi.base_url) as bot:
            return (await bot.get_me()).username

    url = botapi.url
    with botapi.blackout(), pytest.raises(NetworkError, match="ConnectError"):
        asyncio.run(get_me())
    assert botapi.url == url
    assert asyncio.run(get_me()) == botapi.bot_username


async def test_deliveries_wait_out_an_unreachable_bot_api_and_all_go_out_once(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    clock = hold_jobs(running_bot.app, NOW)
    api, store = running_bot.api, running_bot.store
    dispatcher = dispatcher_of(running_bot)
    # Minutes of outage are as many probes; the test takes them a few milliseconds apart.
    dispatcher.outage.first_probe = timedelta(milliseconds=10)
    dispatcher.outage.max_probe = timedelta(milliseconds=50)
    feed_id, path = await subscribed_feed(running_bot, feed_server, "/faults/outage.xml", READERS)

    with api.blackout():
        feed_server.route(path, body=rss(feed_server, "b", "a"))
        await poll_later(running_bot, clock)  # 20 pushes due, the dispatcher woken
        await eventually(lambda: dispatcher.outage.down, "the outage noticed")
        # Feeds are still polled meanwhile, and what they bring is recorded.
        feed_server.route(path, body=rss(feed_server, "c", "b", "a"))
        await poll_later(running_bot, clock)
        assert await store.known_keys(feed_id, guids("b", "c")) == set(guids("b", "c"))
        counts = await store.count_deliveries()
        assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.FAILED]) == (0, 0)
        assert sum(counts.values()) == 2 * len(READERS)
        assert dispatcher.outage.down

    async with asyncio.timeout(DEADLINE):
        await dispatcher.drain()

    for chat_id in READERS:
        titles = [m["text"].split("\n")[0] for m in api.sent_messages(chat_id)]
        assert titles == ["Story b", "Story c"]
    assert all(call.ok for call in api.calls("sendMessage"))
    rows = await store.list_deliveries()
    # The outage counted no attempt: each row went out on its first.
    assert {(row.status, row.attempts) for row in rows} == {(DeliveryStatus.SENT, 1)}
    assert len(rows) == 2 * len(READERS)
    assert dispatcher.outage.outages == 1
    reply = await running_bot.command(READERS[0], "/help")
    assert reply.ok


# SQLite busy or locked


@asynccontextmanager
async def impatient_store(
    db_path: Path, attempts: int
) -> AsyncIterator[tuple[Store, sqlite3.Connection]]:
    """A store trying `attempts` times, its SQLite waiting 20 ms each; and a second connection.

    The second connection is another process's, say the CLI's: it takes the write lock.
    """
    db, version = await open_database(db_path, busy_timeout_ms=20)
    store = Store(db, version, busy_attempts=attempts, busy_backoff=0.01)
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        yield store, holder
    finally:
        if holder.in_transaction:
            holder.rollback()
        holder.close()
        await store.close()


WRITES = {
    "statement": lambda store: store.add_topic("tech", "Tech"),
    "transaction": lambda store: store.claim_deliveries(NOW, 10, "worker"),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
async def test_a_write_waits_out_a_lock_held_past_the_busy_timeout(
    db_path: Path, write: Callable[[Store], Awaitable[object]]
) -> None:
    async with impatient_store(db_path, attempts=50) as (store, holder):
        holder.execute("BEGIN IMMEDIATE")
        task = asyncio.ensure_future(write(store))
        await eventually(lambda: store.busy_retries >= 1, "a try given up on the lock")
        holder.execute("COMMIT")
        await task
        assert store.busy_retries < store.busy_attempts


async def test_a_lock_held_through_every_retry_is_a_one_line_store_error(db_path: Path) -> None:
    async with impatient_store(db_path, attempts=3) as (store, holder):
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreBusyError) as caught:
            await store.add_topic("tech", "Tech")
        message = str(caught.value)
        assert isinstance(caught.value, StoreError)
        assert "\n" not in message
        assert message.startswith("the database is locked by another connection")
        assert store.busy_retries == 2
        holder.execute("ROLLBACK")
        # Nothing is left half done: the next write goes through.
        assert (await store.add_topic("tech", "Tech")).slug == "tech"


# A full disk


async def fill_up(store: Store) -> None:
    """Let the database grow no more, as when its disk is full (SQLITE_FULL on a new page)."""
    db = store._db
    async with db.execute("PRAGMA page_count") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    await db.execute(f"PRAGMA max_page_count = {int(row[0])}")


async def free_up(store: Store) -> None:
    await store._db.execute("PRAGMA max_page_count = 4294967294")


def integrity(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("PRAGMA integrity_check")]


def articles(*keys: str) -> list[NewArticle]:
    found = []
    for key in keys:
        digest = Digest(f"Story {key}", f"https://example.com/{key}", "Example", NOW, "en", "", ())
        entry = Entry(key, digest.title, digest.url, story(key) * 4, NOW, "en")
        found.append(NewArticle(entry, digest))
    return found


async def test_a_write_to_a_full_database_is_rolled_back_with_a_clear_error(
    store: Store, db_path: Path
) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    keys = [f"k{n}" for n in range(40)]
    await fill_up(store)

    with pytest.raises(StoreFullError) as caught:
        await store.save_poll(
            feed.id,
            articles(*keys),
            polled_at=NOW,
            next_poll_at=NOW,
            etag=None,
            modified=None,
            title="Example",
            problem=None,
            push=True,
        )
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("the disk or the database is full")
    assert await store.known_keys(feed.id, keys) == set()
    assert integrity(db_path) == ["ok"]
    await free_up(store)
    assert (await store.add_topic("more", "More")).slug == "more"


async def test_a_full_disk_fails_the_poll_but_the_bot_runs_on_and_loses_nothing(
    running_bot: RunningBot, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    clock = hold_jobs(running_bot.app, NOW)
    store = running_bot.store
    feed_id, path = await subscribed_feed(running_bot, feed_server, "/faults/full.xml", [USER])
    news = [f"f{n}" for n in range(40)]
    keys = guids(*news)
    feed_server.route(path, body=rss(feed_server, *news, "a"))
    await fill_up(store)
    jobs = running_bot.app.job_queue
    assert jobs is not None
    (poll,) = jobs.get_jobs_by_name("poll")

    clock.now += timedelta(hours=2)
    with caplog.at_level(logging.ERROR):
        await poll.run(running_bot.app)  # as the job queue runs it: errors go to on_error
    (logged,) = [r for r in caplog.records if r.exc_info and r.exc_info[1]]
    assert logged.exc_info is not None
    assert isinstance(logged.exc_info[1], StoreFullError)
    assert await store.known_keys(feed_id, keys) == set()
    assert (await store.count_deliveries())[DeliveryStatus.PENDING] == 0
    reply = await running_bot.command(USER, "/help")
    assert reply.ok
    assert integrity(running_bot.settings.database) == ["ok"]

    # Once there is room again, the next poll brings what the failed one could not store.
    await free_up(store)
    await poll.run(running_bot.app)
    assert await store.known_keys(feed_id, keys) == set(keys)
    async with asyncio.timeout(DEADLINE):
        await dispatcher_of(running_bot).drain()
    rows = await store.list_deliveries(USER)
    assert len(rows) == len(news)
    assert {row.status for row in rows} == {DeliveryStatus.SENT}
    (message_id,) = {row.message_id for row in rows}
    assert message_id is not None
    burst = running_bot.api.message(USER, message_id)
    assert burst is not None
    assert burst["text"].startswith("World: 40 new articles")


class FullDisk:
    """The store, its record of sent messages on a full disk (until `full` is cleared)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.full = True

    async def record_sent_many(self, messages: Sequence[SentMessage]) -> None:
        if self.full:
            raise StoreFullError("the disk or the database is full: /tmp/bot.sqlite3")
        await self.store.record_sent_many(messages)


async def test_sent_messages_a_full_disk_refuses_wait_in_memory_and_are_recorded_later(
    running_bot: RunningBot, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    clock = hold_jobs(running_bot.app, NOW)
    store = running_bot.store
    api = running_bot.api
    dispatcher = dispatcher_of(running_bot)
    _, path = await subscribed_feed(running_bot, feed_server, "/faults/later.xml", READERS)
    await dispatcher.drain()  # the backlog: nothing is pushed
    feed_server.route(path, body=rss(feed_server, "a", "b", "c"))
    await poll_later(running_bot, clock)  # two new stories to each reader
    polls = len(feed_server.requests(path))
    disk = FullDisk(store)
    dispatcher._sent.store = disk  # type: ignore[assignment]

    with caplog.at_level(logging.WARNING, logger="bot.adapters.group_commit"):
        dispatcher.wake()
        await eventually(lambda: dispatcher.records_waiting, "records waiting in memory")
        await eventually(lambda: dispatcher.queue.in_flight == 0, "no send in flight")
        # Telegram took the first pushes; the disk took no record: their rows stay claimed,
        # and nothing more starts while the records wait.
        sent = {c: len(api.sent_messages(c)) for c in READERS}
        assert set(sent.values()) <= {0, 1}
        waiting = sum(len(claimed_ids(m.claims)) for m in dispatcher._sent.unwritten)
        assert waiting == sum(sent.values()) > 0
        statuses = {row.status for row in await store.list_deliveries()}
        assert DeliveryStatus.SENT not in statuses
        # Polls wait while the disk is full.
        clock.now += timedelta(hours=2)
        await poll_due_feeds(running_bot.context())
        assert len(feed_server.requests(path)) == polls

        disk.full = False
        await eventually(lambda: not dispatcher.records_waiting, "records written")
    async with asyncio.timeout(DEADLINE):
        await dispatcher.drain()

    rows = await store.list_deliveries()
    assert len(rows) == 2 * len(READERS)
    assert {row.status for row in rows} == {DeliveryStatus.SENT}
    assert all(row.message_id is not None for row in rows)
    # Nothing sent twice, and one line said so, then one that it is over.
    assert {c: len(api.sent_messages(c)) for c in READERS} == dict.fromkeys(READERS, 2)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.adapters.group_commit"]
    assert len(lines) == 2
    assert "sent messages wait in memory to be recorded" in lines[0]
    assert lines[1].startswith("the disk takes writes again")
