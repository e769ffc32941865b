"""Hostile and broken feeds against the local feed server: each poll ends recorded or bounded.

The fetcher's own limits (gzip bomb, endless and trickling bodies, redirect loops, non-HTTP and
private redirects) are tested in test_http.py; here are the rest, end to end through the
Poller and a real store, and every ill-formed feed of feedparser's own corpus and ours.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.http import Fetcher
from bot.adapters.store import Store
from bot.core.feeds import BACKLOG_DIGESTS, MAX_ENTRIES_PER_POLL, parse_feed
from bot.core.models import Feed
from bot.core.polls import Outcome, PollReport
from bot.errors import ParseError
from bot.pipeline import Poller
from tests.fakes.feedserver import DATA_DIR, FeedServer

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
RSS_HEAD = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Hostile</title>"
RSS_TAIL = b"</channel></rss>"
ITEM = b"<item><guid>g%d</guid><title>Story %d</title><description>%s</description></item>"
CORPUS = sorted(
    path.relative_to(DATA_DIR).as_posix()
    for folder in ("feedparser-illformed", "feeds-malformed")
    for path in (DATA_DIR / folder).rglob("*")
    if path.is_file() and path.suffix != ".md" and path.name != "LICENSE"
)
HEADER_LINE = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


def rss(*items: bytes) -> bytes:
    return RSS_HEAD + b"".join(items) + RSS_TAIL


def items(count: int, *, first: int = 0, text: bytes = b"Something happened.") -> list[bytes]:
    return [ITEM % (n, n, text) for n in range(first, first + count)]


def entity_bomb(levels: int = 9) -> bytes:
    """A "billion laughs" DOCTYPE: each entity is ten of the one before."""
    tens = [f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, levels + 1)]
    return ('<!DOCTYPE rss [<!ENTITY e0 "laugh">' + "".join(tens) + "]>").encode()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "db.sqlite3")
    yield store
    await store.close()


@pytest.fixture
async def poller(store: Store) -> AsyncIterator[Poller]:
    async with Fetcher(allow_private=True, deadline=10.0) as fetcher:
        yield Poller(store, fetcher, timedelta(minutes=10))


@pytest.fixture
def path() -> str:
    """A path no other test uses on the shared server."""
    return f"/hostile/{uuid.uuid4().hex}.xml"


async def poll_once(store: Store, poller: Poller, url: str) -> tuple[PollReport, Feed]:
    """Add a feed, poll it once, and return the report with the feed as stored after it."""
    topic = await store.get_topic("t") or await store.add_topic("t", "T")
    feed = await store.add_feed(topic.id, url)
    report = await poller.poll(feed, NOW)
    stored = await store.get_feed(feed.id)
    assert stored is not None
    return report, stored


async def wait_until(condition: Callable[[], bool]) -> None:
    # The condition lives in the server's threads, so it is polled, with a generous deadline.
    async with asyncio.timeout(10.0):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def assert_recorded(report: PollReport, feed: Feed) -> None:
    """The poll failed, and the feed carries the error and one more failure."""
    assert report.outcome is Outcome.FAILED
    assert feed.failures == 1
    assert feed.last_error == report.error


def article_count(store_path: Path, feed_id: int) -> int:
    with sqlite3.connect(store_path) as db:
        row = db.execute("SELECT count(*) FROM articles WHERE feed_id = ?", (feed_id,)).fetchone()
    return int(row[0])


# Hostile servers and documents


@pytest.mark.parametrize(
    "headers",
    [{"X-Junk": "j" * 200_000}, {f"X-Junk-{n}": "j" * 100 for n in range(2_000)}],
    ids=["one-huge", "thousands"],
)
async def test_huge_response_headers_are_a_protocol_error(
    feed_server: FeedServer, store: Store, poller: Poller, path: str, headers: dict[str, str]
) -> None:
    feed_server.route(path, body=rss(*items(3)), headers=headers)
    report, feed = await poll_once(store, poller, feed_server.url(path))
    assert_recorded(report, feed)
    assert report.error is not None
    assert report.error.startswith("bad response from 127.0.0.1")


async def test_headers_within_the_limit_are_fine(
    feed_server: FeedServer, store: Store, poller: Poller, path: str
) -> None:
    feed_server.route(path, body=rss(*items(3)), headers={"X-Junk": "j" * 50_000})
    report, _ = await poll_once(store, poller, feed_server.url(path))
    assert (report.outcome, report.new_entries) == (Outcome.NEW, 3)


async def test_a_body_shorter_than_its_content_length_is_a_protocol_error(
    feed_server: FeedServer, store: Store, poller: Poller, path: str
) -> None:
    feed_server.route(path, body=rss(*items(3))[:100], headers={"Content-Length": "5000"})
    report, feed = await poll_once(store, poller, feed_server.url(path))
    assert_recorded(report, feed)


async def test_a_feed_of_100_000_entries_is_handled_up_to_the_cap(
    feed_server: FeedServer, store: Store, poller: Poller, path: str, tmp_path: Path
) -> None:
    body = rss(*(b"<item><guid>%d</guid></item>" % n for n in range(100_000)))
    feed_server.route(path, body=body)
    first, feed = await poll_once(store, poller, feed_server.url(path))
    assert (first.outcome, first.new_entries) == (Outcome.NEW, MAX_ENTRIES_PER_POLL)
    assert first.digests == BACKLOG_DIGESTS  # a first poll is backlog: a few for /latest

    # Next time, 100,000 entries again, all new: still at most the cap, each condensed.
    feed_server.route(
        path, body=rss(*(b"<item><guid>n%d</guid></item>" % n for n in range(100_000)))
    )
    second = await poller.poll(feed, NOW + timedelta(hours=1))
    assert (second.new_entries, second.digests) == (MAX_ENTRIES_PER_POLL, MAX_ENTRIES_PER_POLL)
    assert article_count(tmp_path / "db.sqlite3", feed.id) == 2 * MAX_ENTRIES_PER_POLL


async def test_the_byte_cap_applies_to_a_long_feed_too(
    feed_server: FeedServer, store: Store, path: str
) -> None:
    feed_server.route(path, body=rss(*items(100_000)))
    async with Fetcher(allow_private=True, max_bytes=1024 * 1024) as fetcher:
        small = Poller(store, fetcher, timedelta(minutes=10))
        report, feed = await poll_once(store, small, feed_server.url(path))
    assert_recorded(report, feed)
    assert "over the limit" in (report.error or "")


@pytest.mark.parametrize(
    "body",
    [
        rss(b"<x>" * 10_000 + b"deep" + b"</x>" * 10_000, *items(2)),
        rss(*items(1, text=b"&lt;div&gt;" * 10_000 + b"deep" + b"&lt;/div&gt;" * 10_000)),
        b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><id>1</id>"
        b"<title>Deep</title><content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>"
        + b"<div>" * 10_000
        + b"deep"
        + b"</div>" * 10_000
        + b"</div></content></entry></feed>",
        rss(b"<x>" * 10_000, *items(2)),  # never closed
    ],
    ids=["in-channel", "escaped-html", "xhtml-content", "unclosed"],
)
async def test_deeply_nested_xml(
    feed_server: FeedServer, store: Store, poller: Poller, path: str, body: bytes
) -> None:
    feed_server.route(path, body=body)
    report, feed = await poll_once(store, poller, feed_server.url(path))
    if report.outcome is Outcome.FAILED:
        assert_recorded(report, feed)
    else:
        assert report.outcome is Outcome.NEW
        assert 1 <= report.new_entries <= 2


@pytest.mark.parametrize("count", [3, 300], ids=["few-entries", "many-entries"])
async def test_entity_expansion_is_not_performed(
    feed_server: FeedServer, store: Store, poller: Poller, path: str, count: int
) -> None:
    declaration = b"<?xml version='1.0'?>"
    body = declaration + entity_bomb() + rss(*items(count, text=b"&e9;")).removeprefix(declaration)
    feed_server.route(path, body=body)
    report, feed = await poll_once(store, poller, feed_server.url(path))
    if report.outcome is Outcome.FAILED:
        assert_recorded(report, feed)
        return
    assert report.new_entries == min(count, MAX_ENTRIES_PER_POLL)
    digests = [digest for _, digest in await store.latest_digests(feed.topic_id)]
    assert digests
    assert all(len(d.lede) + sum(map(len, d.key_points)) < 1000 for d in digests)


async def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'.encode()
    declaration = b"<?xml version='1.0'?>"
    body = declaration + doctype + rss(*items(2, text=b"&xxe;")).removeprefix(declaration)
    try:
        parsed = parse_feed(body, "https://hostile.example/")
    except ParseError:
        return
    texts = [parsed.title, *(f"{e.title} {e.html}" for e in parsed.entries)]
    assert not any("TOP-SECRET-MARKER" in text for text in texts)


async def test_a_feed_removed_while_it_is_polled_is_a_failed_report(
    feed_server: FeedServer, store: Store, poller: Poller, path: str
) -> None:
    hold = threading.Event()
    feed_server.route(path, body=rss(*items(3)), hold=hold)
    topic = await store.add_topic("t", "T")
    feed = await store.add_feed(topic.id, feed_server.url(path))
    polling = asyncio.create_task(poller.poll(feed, NOW))
    await wait_until(lambda: feed_server.in_flight(path) == 1)
    await store.remove_topic("t")
    hold.set()
    report = await polling
    assert report.outcome is Outcome.FAILED


# Ill-formed corpora: feedparser's own and ours


def corpus_file(name: str) -> tuple[bytes, dict[str, str]]:
    """A corpus file's bytes and the HTTP headers its test comment asks for."""
    body = (DATA_DIR / name).read_bytes()
    headers = {k.decode(): v.decode() for k, v in HEADER_LINE.findall(body)}
    return body, headers


@pytest.mark.parametrize("name", CORPUS)
def test_parse_feed_on_the_ill_formed_corpus(name: str) -> None:
    body, headers = corpus_file(name)
    try:
        parsed = parse_feed(body, f"https://corpus.example/{name}", headers)
    except ParseError as error:
        reason = str(error)
    else:
        assert len(parsed.entries) <= MAX_ENTRIES_PER_POLL
        return
    assert reason.startswith("not an RSS or Atom feed")


@pytest.mark.parametrize("name", CORPUS)
async def test_poller_on_the_ill_formed_corpus(
    feed_server: FeedServer, store: Store, poller: Poller, name: str
) -> None:
    body, headers = corpus_file(name)
    if headers:
        feed_server.route(name, body=body, headers=headers)
    report, feed = await poll_once(store, poller, feed_server.url(name))
    if report.outcome is Outcome.FAILED:
        assert_recorded(report, feed)
        assert (report.error or "").startswith("not an RSS or Atom feed")
        return
    assert report.outcome is Outcome.NEW
    assert report.new_entries <= MAX_ENTRIES_PER_POLL
    assert (feed.failures, feed.last_success_at) == (0, NOW)
