"""The poll pipeline against a real local feed server and a real SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.http import Fetcher
from bot.adapters.store import ChatKind, Store
from bot.core.condense import Method
from bot.core.models import DeliveryStatus
from bot.core.polls import Outcome
from bot.core.schedule import Alert, Disable
from bot.errors import FeedError
from bot.pipeline import Poller
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
    assert digest.lede not in digest.key_points


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
    assert report.condensed == {("ja", Method.SUMMARIZER): 3}
    digests = await store.latest_digests(topic.id)
    assert len(digests) == 3
    for _, digest in digests:
        assert digest.lang == "ja"
        assert digest.lede not in digest.key_points
    # The second entry's text is a new-year greeting and a pleasantry: a title and a link only.
    assert [len(digest.key_points) for _, digest in digests] == [1, 0, 2]


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


def rss_dated(*items: tuple[str, datetime], ttl_minutes: int | None = None) -> bytes:
    """An RSS feed whose items have a pubDate, and optionally a <ttl>."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>Story {guid}</title>"
        f"<link>https://news.example/{guid}</link><pubDate>{format_datetime(when)}</pubDate>"
        f"<description>Story {guid} happened. More would follow soon.</description></item>"
        for guid, when in items
    )
    ttl = "" if ttl_minutes is None else f"<ttl>{ttl_minutes}</ttl>"
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Dated News</title>"
        f"<link>https://news.example/</link>{ttl}{body}</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("route", "after"),
    [
        pytest.param({}, timedelta(minutes=10), id="interval"),
        pytest.param(
            {"headers": {"Cache-Control": "max-age=7200"}}, timedelta(hours=2), id="max-age"
        ),
        pytest.param(
            {"headers": {"Cache-Control": "public, max-age=60"}},
            timedelta(minutes=10),
            id="max-age-below-interval",
        ),
        pytest.param(
            {"headers": {"Cache-Control": "max-age=864000"}},
            timedelta(days=1),
            id="max-age-capped",
        ),
        pytest.param({"ttl": 120}, timedelta(hours=2), id="ttl"),
        pytest.param(
            {"ttl": 60, "headers": {"Cache-Control": "max-age=10800"}},
            timedelta(hours=3),
            id="ttl-and-longer-max-age",
        ),
        pytest.param(
            {"ttl": 240, "headers": {"Cache-Control": "max-age=3600"}},
            timedelta(hours=4),
            id="max-age-and-longer-ttl",
        ),
        pytest.param(
            {"status": 503, "headers": {"Retry-After": "7200"}},
            timedelta(hours=2),
            id="retry-after",
        ),
        pytest.param(
            {"status": 429, "headers": {"Retry-After": "30"}},
            timedelta(minutes=10),
            id="retry-after-below-interval",
        ),
        pytest.param(
            {"status": 503, "headers": {"Retry-After": "172800"}},
            timedelta(days=1),
            id="retry-after-capped",
        ),
        pytest.param({"status": 500}, timedelta(minutes=20), id="first-failure-backs-off"),
    ],
)
async def test_next_poll_follows_the_server_hints(
    feed_server: FeedServer,
    store: Store,
    poller: Poller,
    route: dict[str, object],
    after: timedelta,
    request: pytest.FixtureRequest,
) -> None:
    path = f"/hints-{request.node.callspec.id}.xml"
    ttl = route.pop("ttl", None)
    body = rss_dated(("h", NOW - timedelta(hours=1)), ttl_minutes=ttl)  # type: ignore[arg-type]
    feed_server.route(path, body=body, **route)  # type: ignore[arg-type]
    topic = await store.add_topic("hints", "Hints")
    feed = await store.add_feed(topic.id, feed_server.url(path))
    await poller.poll(feed, NOW)
    polled = await store.get_feed(feed.id)
    assert polled is not None
    assert polled.next_poll_at == NOW + after


async def test_a_304_keeps_following_max_age(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    body = rss(("a", "Alpha"))
    feed_server.route(
        "/hints-304.xml", body=body, conditional=True, headers={"Cache-Control": "max-age=5400"}
    )
    topic = await store.add_topic("hints", "Hints")
    added = await poller.add_feed(topic.id, feed_server.url("/hints-304.xml"), NOW)
    feed = await store.get_feed(added.feed.id)
    assert feed is not None
    later = NOW + timedelta(hours=2)
    report = await poller.poll(feed, later)
    polled = await store.get_feed(feed.id)
    assert polled is not None
    assert (report.outcome, polled.next_poll_at) == (
        Outcome.NOT_MODIFIED,
        later + timedelta(minutes=90),
    )


async def test_failures_back_off_doubling_up_to_a_day(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    feed_server.route("/backoff.xml", status=500)
    topic = await store.add_topic("down", "Down")
    feed = await store.add_feed(topic.id, feed_server.url("/backoff.xml"))
    waits = []
    now = NOW
    for _ in range(9):
        current = await store.get_feed(feed.id)
        assert current is not None
        await poller.poll(current, now)
        polled = await store.get_feed(feed.id)
        assert polled is not None
        assert polled.next_poll_at is not None
        waits.append(polled.next_poll_at - now)
        now = polled.next_poll_at
    minutes = [int(wait.total_seconds() // 60) for wait in waits]
    assert minutes == [20, 40, 80, 160, 320, 640, 1280, 1440, 1440]


async def test_a_failing_feed_alerts_once_at_ten_and_is_disabled_at_a_hundred(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    feed_server.route("/dying.xml", status=410)
    topic = await store.add_topic("dying", "Dying")
    feed = await store.add_feed(topic.id, feed_server.url("/dying.xml"))
    events = []
    for n in range(1, 12):
        current = await store.get_feed(feed.id)
        assert current is not None
        report = await poller.poll(current, NOW + timedelta(days=n))
        events.append((n, report.health))
    assert [(n, event) for n, event in events if event is not None] == [(10, Alert(10))]

    for _ in range(12, 100):
        await store.record_failure(feed.id, error="HTTP 410 Gone", polled_at=NOW, next_poll_at=NOW)
    current = await store.get_feed(feed.id)
    assert current is not None
    assert (current.failures, current.disabled) == (99, False)
    report = await poller.poll(current, NOW + timedelta(days=100))
    assert (report.outcome, report.health, report.error) == (
        Outcome.FAILED,
        Disable(100),
        "HTTP 410 Gone",
    )
    disabled = await store.get_feed(feed.id)
    assert disabled is not None
    assert (disabled.failures, disabled.disabled, disabled.disabled_reason) == (
        100,
        True,
        "failed 100 times in a row",
    )
    assert await store.due_feeds(NOW + timedelta(days=1000)) == []


async def test_a_304_after_failures_clears_them(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    body = rss(("a", "Alpha"))
    feed_server.route("/wobbly.xml", body=body, conditional=True)
    topic = await store.add_topic("wobbly", "Wobbly")
    added = await poller.add_feed(topic.id, feed_server.url("/wobbly.xml"), NOW)
    feed_server.route("/wobbly.xml", status=502)
    for hour in (1, 2):
        current = await store.get_feed(added.feed.id)
        assert current is not None
        await poller.poll(current, NOW + timedelta(hours=hour))
    failing = await store.get_feed(added.feed.id)
    assert failing is not None
    assert failing.failures == 2
    feed_server.route("/wobbly.xml", body=body, conditional=True)
    report = await poller.poll(failing, NOW + timedelta(hours=3))
    recovered = await store.get_feed(added.feed.id)
    assert recovered is not None
    assert (report.outcome, report.health) == (Outcome.NOT_MODIFIED, None)
    assert (recovered.failures, recovered.last_error) == (0, None)
    assert recovered.next_poll_at == NOW + timedelta(hours=3, minutes=10)


async def test_a_short_entry_is_read_from_its_page_with_the_publishers_structure(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    page = feed_server.url("/pages/seed-digest-ja.html")
    # The feed server is shared by the session: count this test's requests only.
    before = len(feed_server.requests("/pages/seed-digest-ja.html"))
    item = (
        "<item><guid>seed</guid><title>ウクライナ戦争、和平交渉は成功するのか?</title>"
        f"<link>{page}</link><description>米ロの停戦交渉案。</description></item>"
    )
    body = f"<rss version='2.0'><channel><title>要約</title>{item}</channel></rss>".encode()
    feed_server.route("/seed-feed.xml", body=rss(("old", "Old")))
    topic = await store.add_topic("seed", "Seed")
    added = await poller.add_feed(topic.id, feed_server.url("/seed-feed.xml"), NOW)
    feed_server.route("/seed-feed.xml", body=body)
    feed = await store.get_feed(added.feed.id)
    assert feed is not None
    report = await poller.poll(feed, NOW + timedelta(hours=1))
    assert report.condensed == {("ja", Method.STRUCTURE): 1}
    (digest,) = [d for _, d in await store.latest_digests(topic.id, 10) if d.lang == "ja"]
    assert digest.key_points == (
        "2024年1月にトランプ氏が大統領に就任し、プーチン大統領との停戦交渉を開始した。",
        "ウクライナ戦争は3年目を迎え、停戦の見通しは依然として不透明。",
        "ロシアはウクライナ侵攻の目標達成には至らず、欧州では防衛力強化の動きが加速している。",
    )
    hosts = [s.url.split("/")[2] for s in digest.sources]
    assert "kids.gakken.co.jp" in hosts
    assert "globe.asahi.com" in hosts
    assert [len(p.bullets) for p in digest.pages] == [3, 3]
    assert digest.next_title == "プーチン、ウクライナ侵攻について語る!核使用の可能性も示唆!"
    # The page's og:image is the lead image: the feed gave none.
    assert digest.image == "https://chrysanthemum-digest.example/img/ukraine-peace-talks.jpg"
    assert len(feed_server.requests("/pages/seed-digest-ja.html")) == before + 1


async def test_a_page_that_fails_falls_back_to_the_entry_and_is_recorded(
    feed_server: FeedServer,
    store: Store,
    poller: Poller,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    feed_server.route("/gone-page.html", status=404)
    feed_server.route("/short.xml", body=rss(("old", "Old")))
    topic = await store.add_topic("short", "Short")
    added = await poller.add_feed(topic.id, feed_server.url("/short.xml"), NOW)
    item = (
        "<item><guid>s1</guid><title>Short one</title>"
        f"<link>{feed_server.url('/gone-page.html')}</link>"
        "<description>Only a line of text is here.</description></item>"
    )
    feed_server.route(
        "/short.xml",
        body=f"<rss version='2.0'><channel><title>S</title>{item}</channel></rss>".encode(),
    )
    feed = await store.get_feed(added.feed.id)
    assert feed is not None
    with caplog.at_level(logging.INFO, logger="bot.pipeline"):
        report = await poller.poll(feed, NOW + timedelta(hours=1))
    assert report.digests == 1
    [line] = [r for r in caplog.records if "not used" in r.getMessage()]
    assert line.getMessage().endswith("not used: HTTP 404 Not Found")
    assert (line.__dict__["feed_id"], line.__dict__["topic_id"]) == (feed.id, topic.id)
    digests = [d for _, d in await store.latest_digests(topic.id, 10) if d.title == "Short one"]
    assert digests[0].key_points == ("Only a line of text is here.",)
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        # feedparser resolves a relative guid against the feed's URL.
        query = "SELECT page_error FROM articles WHERE entry_key LIKE '%/s1'"
        (error,) = db.execute(query).fetchone()
    assert "404" in error
    await poller.poll(feed, NOW + timedelta(hours=2))
    assert len(feed_server.requests("/gone-page.html")) == 1


async def test_one_story_from_two_feeds_is_pushed_once_and_cites_both(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    topic = await store.add_topic("dup", "Dup")
    await store.upsert_chat(9, kind=ChatKind.PRIVATE)
    await store.subscribe(9, topic.id)
    feed_server.route("/a.xml", body=rss(("a0", "Old A")))
    feed_server.route("/b.xml", body=rss(("b0", "Old B")))
    first = await poller.add_feed(topic.id, feed_server.url("/a.xml"), NOW)
    second = await poller.add_feed(topic.id, feed_server.url("/b.xml"), NOW)
    story = "Rust 2.0 released with a new borrow checker"
    feed_server.route("/a.xml", body=rss(("a1", story)))
    feed_server.route("/b.xml", body=rss(("b1", story.upper() + "!")))
    for added in (first, second):
        feed = await store.get_feed(added.feed.id)
        assert feed is not None
        await poller.poll(feed, NOW + timedelta(hours=1))
    pending = await store.pending_deliveries(10)
    assert len(pending) == 1
    digest = await store.get_digest(pending[0].article_id)
    assert digest is not None
    assert [s.url for s in digest.all_sources] == [
        "https://news.example/a1",
        "https://news.example/b1",
    ]


async def test_one_story_from_two_feeds_polled_at_once_is_pushed_once(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    topic = await store.add_topic("dup", "Dup")
    await store.upsert_chat(9, kind=ChatKind.PRIVATE)
    await store.subscribe(9, topic.id)
    feed_server.route("/a.xml", body=rss(("a0", "Old A")))
    feed_server.route("/b.xml", body=rss(("b0", "Old B")))
    added = [
        await poller.add_feed(topic.id, feed_server.url(path), NOW)
        for path in ("/a.xml", "/b.xml")
    ]
    story = "Rust 2.0 released with a new borrow checker"
    feed_server.route("/a.xml", body=rss(("a1", story)))
    feed_server.route("/b.xml", body=rss(("b1", story + "!")))
    feeds = [await store.get_feed(report.feed.id) for report in added]
    # Each poll, having looked at the topic's stories, waits (a while) for the other to look
    # too: without a lock around looking and storing, neither would see the other's story.
    looked = 0
    both_looked = asyncio.Event()
    recent_stories = store.recent_stories

    async def look_then_wait(*args: Any) -> Any:
        nonlocal looked
        stories = await recent_stories(*args)
        looked += 1
        if looked == 2:
            both_looked.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both_looked.wait(), 0.5)
        return stories

    store.recent_stories = look_then_wait  # type: ignore[method-assign]
    await asyncio.gather(*(poller.poll(f, NOW + timedelta(hours=1)) for f in feeds if f))

    pending = await store.pending_deliveries(10)
    assert len(pending) == 1
    digest = await store.get_digest(pending[0].article_id)
    assert digest is not None
    assert len(digest.all_sources) == 2


async def test_a_json_feed_is_added_and_polled_with_conditional_get(
    feed_server: FeedServer, store: Store, poller: Poller
) -> None:
    body = (FEEDS / "feed-reader__json-feed-realworld.json").read_bytes()
    feed_server.route(
        "/feed.json",
        body=body,
        conditional=True,
        headers={"Content-Type": "application/feed+json"},
    )
    topic = await store.add_topic("web", "Web")
    added = await poller.add_feed(topic.id, feed_server.url("/feed.json"), NOW)
    assert (added.outcome, added.new_entries, added.title) == (
        Outcome.NEW,
        10,
        "Adactio: Journal",
    )
    feed = await store.get_feed(added.feed.id)
    assert feed is not None
    report = await poller.poll(feed, NOW + timedelta(minutes=10))
    assert report.outcome is Outcome.NOT_MODIFIED


async def test_the_feeds_image_is_stored_with_the_article(
    feed_server: FeedServer, store: Store, poller: Poller, tmp_path: Path
) -> None:
    feed_server.route("/img.xml", body=rss(("old", "Old")))
    topic = await store.add_topic("img", "Images")
    added = await poller.add_feed(topic.id, feed_server.url("/img.xml"), NOW)
    item = (
        "<item><guid>https://news.example/i1</guid><title>Pictured</title>"
        "<link>https://news.example/i1</link>"
        '<media:content url="https://cdn.example/i1.jpg" medium="image"/>'
        "<description>The story is told here at some length. It goes on and on, with more "
        "to say than fits in a line. Officials said more would follow.</description></item>"
    )
    feed_server.route(
        "/img.xml",
        body=(
            "<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel>"
            f"<title>S</title>{item}</channel></rss>"
        ).encode(),
    )
    feed = await store.get_feed(added.feed.id)
    assert feed is not None
    await poller.poll(feed, NOW + timedelta(hours=1))
    (digest,) = [d for _, d in await store.latest_digests(topic.id, 10) if d.title == "Pictured"]
    assert digest.image == "https://cdn.example/i1.jpg"
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        query = "SELECT image_url FROM articles WHERE url = 'https://news.example/i1'"
        assert db.execute(query).fetchone() == ("https://cdn.example/i1.jpg",)


async def test_a_shortened_poll_interval_reaches_every_feed_at_start_up(
    feed_server: FeedServer, store: Store
) -> None:
    feed_server.route("/plain.xml", body=rss(("a", "Alpha")), conditional=True)
    feed_server.route(
        "/ttl.xml",
        body=rss(("b", "Beta")).replace(b"<channel>", b"<channel><ttl>120</ttl>"),
        conditional=True,
    )
    topic = await store.add_topic("news", "News")
    async with Fetcher(allow_private=True, deadline=5.0) as fetcher:
        old = Poller(store, fetcher, timedelta(hours=1))
        plain = await old.add_feed(topic.id, feed_server.url("/plain.xml"), NOW)
        ttl = await old.add_feed(topic.id, feed_server.url("/ttl.xml"), NOW)

    moved = await store.apply_poll_interval(timedelta(minutes=5))

    assert moved == 1
    plain_now = await store.get_feed(plain.feed.id)
    ttl_now = await store.get_feed(ttl.feed.id)
    assert plain_now is not None
    assert ttl_now is not None
    assert plain_now.next_poll_at == NOW + timedelta(minutes=5)
    # The feed's own ttl (two hours) still lengthens its wait.
    assert ttl_now.next_poll_at == NOW + timedelta(hours=2)
