"""The cleanup: finished outbox rows and old articles go, the rest stays, old entries stay out."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.adapters.http import Fetcher
from bot.adapters.store import ChatKind, NewArticle, Store
from bot.adapters.store import retention as retention_module
from bot.chat.jobs import clean_up
from bot.core.models import DeliveryStatus, Digest, Entry
from bot.core.polls import Outcome
from bot.pipeline import Poller
from tests.conftest import USER, RunningBot
from tests.fakes.clock import hold_jobs
from tests.fakes.feedserver import FeedServer

NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)
OTHER = 3003


async def add_article(
    store: Store, feed_id: int, key: str, *, fetched: datetime, published: datetime | None
) -> int:
    url = f"https://example.com/{key}"
    digest = Digest(key, url, "Example", published, "en", "Lede.", ("Point.",))
    (article_id,) = await store.save_poll(
        feed_id,
        [NewArticle(Entry(key, key, url, "", published, "en"), digest)],
        polled_at=fetched,
        next_poll_at=fetched,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=True,
    )
    return article_id


def table(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as db:
        return [tuple(row) for row in db.execute(sql).fetchall()]


@pytest.fixture
async def feed_id(store: Store) -> int:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed.xml")
    return feed.id


async def test_finished_rows_older_than_the_cutoff_are_deleted(
    store: Store, feed_id: int, db_path: Path
) -> None:
    topic = (await store.list_topics())[0]
    for chat_id in (USER, OTHER):
        await store.upsert_chat(chat_id, kind=ChatKind.PRIVATE)
        await store.subscribe(chat_id, topic.id)
    old = NOW - 8 * DAY
    sent, failed, pending = [
        await add_article(store, feed_id, key, fetched=old, published=None)
        for key in ("sent", "failed", "pending")
    ]
    recent = await add_article(store, feed_id, "recent", fetched=NOW - DAY, published=None)
    claims = await store.claim_deliveries(NOW, 8, "t")
    claimed = {
        (c.chat_id, article): row
        for c in claims
        for row, article in zip(c.ids, c.article_ids, strict=True)
    }
    for chat_id in (USER, OTHER):
        await store.mark_sent(claimed[chat_id, sent], 1, old)
        await store.fail_delivery(claimed[chat_id, failed], "boom")
        await store.retry_delivery(claimed[chat_id, pending], "later", old)
        await store.mark_sent(claimed[chat_id, recent], 2, NOW - DAY)
    await store.cancel_chat_deliveries(OTHER, "blocked")

    assert await store.delete_finished_deliveries(NOW - 7 * DAY) == 5
    rows = table(db_path, "SELECT chat_id, article_id, status FROM deliveries ORDER BY id")
    assert sorted(rows) == sorted(
        [
            (USER, pending, DeliveryStatus.PENDING),
            (USER, recent, DeliveryStatus.SENT),
            (OTHER, recent, DeliveryStatus.SENT),
        ]
    )
    # The chats have had what was sent to them, its row gone or not; not what failed.
    assert sorted(table(db_path, "SELECT chat_id, article_id, read_at FROM reads")) == sorted(
        [
            (USER, sent, old.isoformat(timespec="microseconds")),
            (OTHER, sent, old.isoformat(timespec="microseconds")),
        ]
    )
    for chat_id in (USER, OTHER):
        await store.mark_read(chat_id, pending)
    unread = [await store.next_unread(chat_id) for chat_id in (USER, OTHER)]
    assert [found[0] for found in unread if found is not None] == [failed, failed]


async def test_articles_past_the_window_go_with_their_digests_and_reads(
    store: Store, feed_id: int, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cutoff = NOW - 30 * DAY
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    old = await add_article(store, feed_id, "old", fetched=NOW, published=cutoff - DAY)
    fresh = await add_article(store, feed_id, "fresh", fetched=NOW, published=cutoff + DAY)
    undated = [
        await add_article(store, feed_id, f"undated-{n}", fetched=cutoff - DAY, published=None)
        for n in range(3)
    ]
    recent_undated = await add_article(store, feed_id, "undated-new", fetched=NOW, published=None)
    for article_id in (old, fresh):
        await store.mark_read(USER, article_id)
    await store.set_reading(USER, old, 0)

    # A feed may still list its newest undated entries: those are kept whatever their age.
    monkeypatch.setattr(retention_module, "UNDATED_KEPT", 2)
    assert await store.delete_old_articles(cutoff) == 3
    kept = [row[0] for row in table(db_path, "SELECT id FROM articles ORDER BY id")]
    assert kept == [fresh, undated[2], recent_undated]
    assert table(db_path, "SELECT article_id FROM digests ORDER BY article_id") == [
        (a,) for a in kept
    ]
    assert table(db_path, "SELECT article_id FROM reads") == [(fresh,)]
    assert await store.get_reading(USER) is None
    assert await store.known_keys(feed_id, ["old", "fresh"]) == {"fresh"}


async def test_an_old_article_still_due_to_a_chat_is_kept(store: Store, feed_id: int) -> None:
    topic = (await store.list_topics())[0]
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    await store.subscribe(USER, topic.id)
    old = NOW - 40 * DAY
    article = await add_article(store, feed_id, "held", fetched=old, published=old)
    assert await store.delete_old_articles(NOW - 30 * DAY) == 0
    assert [d.article_id for d in await store.pending_deliveries(5)] == [article]


async def test_the_cleanup_job_uses_the_retention_setting(running_bot: RunningBot) -> None:
    hold_jobs(running_bot.app, NOW)
    store = running_bot.store
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed.xml")
    days = running_bot.settings.retention_days
    assert days == 30
    await add_article(store, feed.id, "gone", fetched=NOW, published=NOW - (days + 1) * DAY)
    stays = await add_article(
        store, feed.id, "stays", fetched=NOW, published=NOW - (days - 1) * DAY
    )
    await clean_up(running_bot.context())
    assert [a for a, _ in await store.latest_digests(topic.id)] == [stays]


def rss(*items: tuple[str, datetime]) -> bytes:
    body = "".join(
        f"<item><guid>{key}</guid><title>Story {key}</title>"
        f"<link>https://news.example/{key}</link><pubDate>{format_datetime(when)}</pubDate>"
        f"<description>Story {key} happened today. More would follow.</description></item>"
        for key, when in items
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Slow News</title>"
        f"<link>https://news.example/</link>{body}</channel></rss>"
    ).encode()


@pytest.fixture
async def poller(store: Store) -> AsyncIterator[Poller]:
    async with Fetcher(allow_private=True, deadline=5.0) as fetcher:
        yield Poller(store, fetcher, timedelta(minutes=10), retention=30 * DAY)


async def test_an_old_entry_still_listed_is_not_taken_for_new(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    listed = [("ancient", NOW - 45 * DAY), ("recent", NOW - 2 * DAY)]
    feed_server.route("/slow.xml", body=rss(*listed))
    topic = await store.add_topic("slow", "Slow")
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    await store.subscribe(USER, topic.id)
    # The first poll is the backlog: all of it is remembered, nothing is pushed.
    added = await poller.add_feed(topic.id, feed_server.url("/slow.xml"), NOW)
    assert added.new_entries == 2
    assert await store.delete_old_articles(NOW - 30 * DAY) == 1

    feed_server.route("/slow.xml", body=rss(("new", NOW), *listed))
    feed = await store.get_feed(added.feed.id)
    assert feed is not None
    report = await poller.poll(feed, NOW + timedelta(hours=1))
    assert (report.outcome, report.new_entries, report.digests) == (Outcome.NEW, 1, 1)
    titles = [d.title for _, d in await store.latest_digests(topic.id, limit=10)]
    assert "Story ancient" not in titles
    pushed = [await store.get_digest(d.article_id) for d in await store.pending_deliveries(10)]
    assert [d.title for d in pushed if d] == ["Story new"]
