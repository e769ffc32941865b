"""The poll pipeline against a real local feed server and a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.http import Fetcher
from bot.adapters.store import ChatKind, Store
from bot.core.models import DeliveryStatus
from bot.errors import FeedError
from bot.pipeline import Outcome, Poller
from tests.fakes.feedserver import FeedServer

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
FEEDS = Path(__file__).resolve().parent / "data" / "feeds"


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://news.example/{guid}</link>"
        f"<description>{title} happened today. Officials said more would follow soon. "
        "Markets reacted calmly to the news.</description></item>"
        for guid, title in items
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Example News</title>"
        f"<link>https://news.example/</link>{body}</channel></rss>"
    ).encode()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "db.sqlite3")
    yield store
    await store.close()


@pytest.fixture
async def poller(store: Store) -> AsyncIterator[Poller]:
    async with Fetcher(allow_private=True, deadline=5.0) as fetcher:
        yield Poller(store, fetcher, timedelta(minutes=10))


async def test_second_poll_of_an_unchanged_feed_is_a_304(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    feed_server.route("/unchanged.xml", body=rss(("a", "Alpha"), ("b", "Beta")), conditional=True)
    topic = await store.add_topic("news", "News")
    added = await poller.add_feed(topic.id, feed_server.url("/unchanged.xml"), NOW)
    assert (added.outcome, added.new_entries) == (Outcome.NEW, 2)

    feed = await store.get_feed(added.feed.id)
    assert feed is not None
    assert feed.etag
    report = await poller.poll(feed, NOW + timedelta(minutes=10))
    assert (report.outcome, report.new_entries) == (Outcome.NOT_MODIFIED, 0)
    last = feed_server.requests("/unchanged.xml")[-1]
    assert last.headers.get("if-none-match") == feed.etag


async def test_first_poll_is_backlog_then_new_entries_are_pushed(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    items = [(f"g{i}", f"Story number {i}") for i in range(6)]
    feed_server.route("/growing.xml", body=rss(*items))
    topic = await store.add_topic("world", "World")
    await store.upsert_chat(42, kind=ChatKind.PRIVATE)
    await store.subscribe(42, topic.id)

    first = await poller.add_feed(topic.id, feed_server.url("/growing.xml"), NOW)
    assert (first.new_entries, first.digests, first.pushed) == (6, 3, False)
    assert sum((await store.count_deliveries()).values()) == 0
    assert len(await store.latest_digests(topic.id, limit=10)) == 3

    feed_server.route("/growing.xml", body=rss(("g9", "A brand new story"), *items))
    feed = await store.get_feed(first.feed.id)
    assert feed is not None
    second = await poller.poll(feed, NOW + timedelta(minutes=10))
    assert (second.new_entries, second.digests, second.pushed) == (1, 1, True)
    pending = await store.pending_deliveries(10)
    assert [(d.chat_id, d.status) for d in pending] == [(42, DeliveryStatus.PENDING)]
    digest = await store.get_digest(pending[0].article_id)
    assert digest is not None
    assert digest.title == "A brand new story"
    assert digest.key_points
    assert digest.lede


async def test_a_broken_feed_is_recorded_while_the_others_go_on(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    feed_server.route("/good.xml", body=rss(("x", "Fine")))
    feed_server.route("/gone.xml", status=404, body=b"nope")
    feed_server.route(
        "/page.html",
        body=b"<!doctype html><html><body>hi</body></html>",
        headers={"Content-Type": "text/html"},
    )
    topic = await store.add_topic("mixed", "Mixed")
    good = await store.add_feed(topic.id, feed_server.url("/good.xml"))
    gone = await store.add_feed(topic.id, feed_server.url("/gone.xml"))
    page = await store.add_feed(topic.id, feed_server.url("/page.html"))

    reports = {r.feed.id: r for r in await poller.poll_due(NOW)}
    assert reports[good.id].outcome is Outcome.NEW
    assert reports[gone.id].outcome is Outcome.FAILED
    assert reports[page.id].outcome is Outcome.FAILED

    failing = {f.id: f for f in await store.list_feeds(topic.id)}
    assert failing[gone.id].failures == 1
    assert "404" in (failing[gone.id].last_error or "")
    assert "HTML" in (failing[page.id].last_error or "")
    assert failing[good.id].failures == 0
    assert failing[gone.id].next_poll_at == NOW + timedelta(minutes=20)
    assert await store.due_feeds(NOW + timedelta(minutes=5)) == []


async def test_a_feed_that_recovers_clears_its_failures(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    feed_server.route("/flaky.xml", status=500)
    topic = await store.add_topic("flaky", "Flaky")
    feed = await store.add_feed(topic.id, feed_server.url("/flaky.xml"))
    await poller.poll(feed, NOW)
    feed_server.route("/flaky.xml", body=rss(("r", "Recovered")))
    failed = await store.get_feed(feed.id)
    assert failed is not None
    assert failed.failures == 1
    await poller.poll(failed, NOW + timedelta(hours=1))
    recovered = await store.get_feed(feed.id)
    assert recovered is not None
    assert (recovered.failures, recovered.last_error) == (0, None)


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        pytest.param(
            {"body": b"<html><body>x</body></html>", "headers": {"Content-Type": "text/html"}},
            "HTML page",
            id="html",
        ),
        pytest.param(
            {"body": b'{"a": 1}', "headers": {"Content-Type": "application/json"}},
            "JSON",
            id="json",
        ),
        pytest.param(
            {"body": b"\x89PNG\r\n\x1a\n" + bytes(64), "headers": {"Content-Type": "image/png"}},
            "image/png",
            id="image",
        ),
        pytest.param({"body": b""}, "empty", id="empty"),
        pytest.param({"status": 404}, "404", id="not-found"),
        pytest.param({"status": 500}, "500", id="server-error"),
        pytest.param({"body": b"<rss/>", "delay": 3.0}, "no complete response", id="timeout"),
    ],
)
async def test_add_feed_refuses_what_is_not_a_feed(
    feed_server: FeedServer,
    store: Store,
    route: dict[str, object],
    reason: str,
    request: pytest.FixtureRequest,
) -> None:
    path = f"/bad-{request.node.callspec.id}.xml"
    feed_server.route(path, **route)  # type: ignore[arg-type]
    topic = await store.add_topic("bad", "Bad")
    async with Fetcher(allow_private=True, deadline=1.0) as fetcher:
        poller = Poller(store, fetcher, timedelta(minutes=10))
        with pytest.raises(FeedError, match=reason) as caught:
            await poller.add_feed(topic.id, feed_server.url(path), NOW)
    assert "\n" not in str(caught.value)
    assert await store.list_feeds() == []


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://127.0.0.1:9/feed.xml", id="refused"),
        pytest.param("http://feeds.invalid/feed.xml", id="unknown-host"),
    ],
)
async def test_add_feed_refuses_unreachable_hosts(store: Store, poller: Poller, url: str) -> None:
    topic = await store.add_topic("far", "Far")
    with pytest.raises(FeedError):
        await poller.add_feed(topic.id, url, NOW)
    assert await store.list_feeds() == []


async def test_real_japanese_feed_gives_japanese_digests(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    topic = await store.add_topic("ja", "日本")
    report = await poller.add_feed(
        topic.id, feed_server.url("/feeds/gihyo-rss2_2020-01-25.xml"), NOW
    )
    assert (report.new_entries, report.digests) == (20, 3)
    digests = await store.latest_digests(topic.id)
    assert len(digests) == 3
    for _, digest in digests:
        assert digest.lang == "ja"
        assert 1 <= len(digest.key_points) <= 3
        assert digest.lede


async def test_topic_filters_decide_what_is_pushed(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    feed_server.route("/filtered.xml", body=rss(("a", "Old news")))
    topic = await store.add_topic("ai", "AI")
    await store.set_filters("ai", ["AI"], ["crypto"])
    await store.upsert_chat(7, kind=ChatKind.PRIVATE)
    await store.subscribe(7, topic.id)
    first = await poller.add_feed(topic.id, feed_server.url("/filtered.xml"), NOW)
    feed_server.route(
        "/filtered.xml",
        body=rss(("b", "AI beats chess"), ("c", "AI and crypto"), ("d", "Gardening"), ("a", "x")),
    )
    feed = await store.get_feed(first.feed.id)
    assert feed is not None
    report = await poller.poll(feed, NOW + timedelta(hours=1))
    assert (report.new_entries, report.digests) == (3, 3)
    pushed = [await store.get_digest(d.article_id) for d in await store.pending_deliveries(10)]
    assert [d.title for d in pushed if d] == ["AI beats chess"]
