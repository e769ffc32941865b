"""Poll: one cycle over many feeds, mostly unchanged (304): wall time and requests made.

The feeds are served by the local feed server (tests/fakes/feedserver.py) in a child process,
so server and client do not share a GIL. A fresh store gets one topic and the feeds, which are
polled once (the backlog, stored as seen, and each feed's ETag). Then each round gives a
fraction of the feeds one new entry, with text enough that no article page is fetched, and
times:

- baseline: a plain httpx.AsyncClient making a conditional GET (If-None-Match with the ETag
  digestbot stored) of every feed, within the Fetcher's bounds (in flight in all, per host);
- digestbot: one `Poller.poll_due(now)`, built as `digestbot run` builds it, with every feed
  due: the same fetches, plus the SQL of each 304, and parse, condense and store of the news.

Every feed is on one host (127.0.0.1), so the per-host bound is the one that binds. Figures are
the medians of the rounds; the machine is noisy, so the one to compare across runs is the ratio
digestbot/baseline, measured in the same run.

Usage: python -m bench.poll [--feeds 1000] [--changed 0.05] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import multiprocessing
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Final

import httpx

from bot.adapters.http import Fetcher
from bot.adapters.store import Store
from bot.app import make_fetcher, make_poller
from bot.config import Settings
from bot.core.polls import Outcome
from bot.pipeline import Poller

SERVER_START_SECONDS: Final = 60
BACKLOG_ENTRIES: Final = 10  # entries each feed lists before the rounds
# Past the poll interval (10 min), so every feed is due; within the 48 h in which a new story
# is checked against the topic's recent ones, so the backlog's digests count, as in a busy topic.
ROUND_GAP: Final = timedelta(hours=1)
# Longer than DIGESTBOT_FULLTEXT_MIN_CHARS (400), so no article page is fetched: the cycle
# is the feed requests and what digestbot does with their answers.
TEXT: Final = " ".join(
    [
        "The council approved the new budget on Tuesday after a long debate.",
        "Spending on schools rises by a tenth, while road repairs are put off for a year.",
        "The mayor said the plan keeps taxes flat for the third year running.",
        "Critics warned that the savings will not last past the next election.",
        "The budget also funds two new libraries and a bus line to the hospital.",
        "A vote on the harbour plan was put off until the spring session.",
    ]
)
WORDS: Final = (
    *("harbour", "council", "budget", "school", "library", "river", "bridge", "market"),
    *("station", "festival", "tram", "museum", "garden", "hospital", "stadium", "airport"),
    *("factory", "theatre", "election", "storm"),
)


# the feed server, in a process of its own


def serve(pipe: Connection) -> None:
    """In the child: the feed server, routing feeds and tallying answers as the parent asks."""
    from tests.fakes import feedserver

    statuses: list[int] = []

    class TallyingHandler(feedserver._Handler):
        """The server's handler, noting the status of every answer it sends."""

        def _send(
            self,
            status: int,
            headers: Mapping[str, str],
            chunks: list[bytes],
            delay: float = 0.0,
        ) -> None:
            statuses.append(status)  # list.append is atomic: no lock among handler threads
            super()._send(status, headers, chunks, delay)

    with feedserver.FeedServer() as server:
        server._httpd.RequestHandlerClass = TallyingHandler
        pipe.send(server.base_url)
        while (question := pipe.recv()) != "stop":
            if question == "tally":
                pipe.send(Counter(statuses))
                statuses.clear()
                continue
            for path, body in question:
                server.route(
                    path,
                    body=body,
                    headers={"Content-Type": "application/rss+xml"},
                    conditional=True,
                )
            pipe.send("routed")


@dataclass
class FeedHost:
    """The parent's end of the feed server."""

    base_url: str
    pipe: Connection

    def url(self, path: str) -> str:
        """The absolute URL of a path on the server."""
        return f"{self.base_url}{path}"

    def route(self, bodies: Mapping[str, bytes]) -> None:
        """Serve each body on its path, with an ETag and 304s."""
        self.pipe.send(list(bodies.items()))
        self.pipe.recv()

    def tally(self) -> Counter[int]:
        """The statuses answered since the last tally, counted."""
        self.pipe.send("tally")
        answer: Counter[int] = self.pipe.recv()
        return answer


@contextmanager
def feed_server() -> Iterator[FeedHost]:
    """A fresh feed server in a child process for the with block."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=serve, args=(child,), name="feedserver", daemon=True)
    server.start()
    try:
        if not parent.poll(SERVER_START_SECONDS):
            raise RuntimeError("the feed server did not start")
        yield FeedHost(parent.recv(), parent)
    finally:
        parent.send("stop")
        server.join(timeout=30)
        if server.is_alive():
            server.terminate()


# the feeds


@dataclass
class FeedSet:
    """The feeds served, each a path and its items, newest first."""

    host: FeedHost
    items: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def create(cls, host: FeedHost, feeds: int, published: datetime) -> FeedSet:
        """`feeds` feeds of BACKLOG_ENTRIES entries each, hours apart before `published`."""
        feed_set = cls(host)
        for n in range(feeds):
            path = f"/poll/{n}.xml"
            feed_set.items[path] = [
                item(host.url(path), f"backlog {k}", published - timedelta(hours=k + 1))
                for k in range(BACKLOG_ENTRIES)
            ]
        host.route({path: feed_set.body(path) for path in feed_set.items})
        return feed_set

    def change(self, paths: list[str], label: str, published: datetime) -> None:
        """Give each of `paths` one new entry, first in its feed."""
        for path in paths:
            self.items[path].insert(0, item(self.host.url(path), label, published))
        self.host.route({path: self.body(path) for path in paths})

    def body(self, path: str) -> bytes:
        """The RSS document of one feed."""
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>News {path}</title><link>{self.host.url(path)}</link>"
            f"{''.join(self.items[path])}</channel></rss>"
        ).encode()


def item(feed_url: str, label: str, published: datetime) -> str:
    """One RSS item whose title no other feed's shares, so no story is merged with another."""
    guid = f"{feed_url}#{label}"
    title = headline(guid)
    return (
        f"<item><guid>{guid}</guid><title>{title}</title><link>{guid}</link>"
        f"<pubDate>{format_datetime(published)}</pubDate>"
        f"<description>{TEXT}</description></item>"
    )


def headline(seed: str) -> str:
    """A title drawn from WORDS by `seed`: far from every other title of the topic."""
    rng = random.Random(seed)
    return " ".join(rng.sample(WORDS, 5)).capitalize() + f" {rng.randrange(10**6)}"


# the two measurements


def fetcher_bounds() -> tuple[int, int]:
    """The requests digestbot's Fetcher allows in flight, in all and per host."""
    defaults = inspect.signature(Fetcher.__init__).parameters
    return int(defaults["max_in_flight"].default), int(defaults["max_per_host"].default)


async def baseline(targets: Mapping[str, str | None]) -> float:
    """Conditional GETs of every URL within the Fetcher's bounds; the seconds taken."""
    in_flight, per_host = fetcher_bounds()
    total = asyncio.Semaphore(in_flight)
    hosts: dict[str, asyncio.Semaphore] = {}
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def get(url: str, etag: str | None) -> None:
            host = hosts.setdefault(httpx.URL(url).host, asyncio.Semaphore(per_host))
            async with host, total:
                headers = {"If-None-Match": etag} if etag else {}
                await client.get(url, headers=headers)

        started = time.perf_counter()
        await asyncio.gather(*(get(url, etag) for url, etag in targets.items()))
        return time.perf_counter() - started


@dataclass(frozen=True)
class Cycle:
    """One timed poll cycle of digestbot."""

    seconds: float
    digests: int
    failed: int


async def cycle(poller: Poller, now: datetime) -> Cycle:
    """One `poll_due(now)`, timed."""
    started = time.perf_counter()
    reports = await poller.poll_due(now)
    seconds = time.perf_counter() - started
    failed = sum(r.outcome is Outcome.FAILED for r in reports)
    return Cycle(seconds, sum(r.digests for r in reports), failed)


@dataclass
class Rounds:
    """Every round's figures."""

    base_seconds: list[float] = field(default_factory=list)
    bot_seconds: list[float] = field(default_factory=list)
    base_statuses: list[Counter[int]] = field(default_factory=list)
    bot_statuses: list[Counter[int]] = field(default_factory=list)
    digests: list[int] = field(default_factory=list)
    failed: int = 0


async def measure(host: FeedHost, feeds: int, changed: int, rounds: int) -> Rounds:
    """Set up the store and feeds, poll once, then time `rounds` rounds of both sides."""
    start = datetime.now(UTC)
    feed_set = FeedSet.create(host, feeds, start)
    result = Rounds()
    with tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp:
        settings = Settings(database=Path(tmp) / "bot.sqlite3", allow_private_urls=True)
        store = await Store.open(settings.database)
        try:
            async with make_fetcher(settings) as fetcher:
                poller = make_poller(settings, store, fetcher)
                topic = await store.add_topic("bench", "Bench")
                for path in feed_set.items:
                    await store.add_feed(topic.id, host.url(path))
                result.failed += (await cycle(poller, start)).failed
                host.tally()
                for round_no in range(1, rounds + 1):
                    now = start + ROUND_GAP * round_no
                    picked = random.Random(round_no).sample(sorted(feed_set.items), changed)
                    feed_set.change(picked, f"round {round_no}", now - timedelta(minutes=5))
                    await measure_round(poller, topic.id, host, now, result)
        finally:
            await store.close()
    return result


async def measure_round(
    poller: Poller, topic_id: int, host: FeedHost, now: datetime, result: Rounds
) -> None:
    """The baseline with the ETags digestbot stored, then digestbot's cycle; both noted."""
    etags = {feed.url: feed.etag for feed in await poller.store.list_feeds(topic_id)}
    result.base_seconds.append(await baseline(etags))
    result.base_statuses.append(host.tally())
    timed = await cycle(poller, now)
    result.bot_seconds.append(timed.seconds)
    result.bot_statuses.append(host.tally())
    result.digests.append(timed.digests)
    result.failed += timed.failed


# the report


def requests_made(statuses: Counter[int]) -> tuple[str, str]:
    """Requests answered and their split by status: ('1,000', '304: 950, 200: 50')."""
    split = ", ".join(f"{status}: {count:,}" for status, count in statuses.most_common())
    return f"{statuses.total():,}", split


def milliseconds(values: list[float]) -> tuple[str, str]:
    """The median in ms and every round's value: ('812.3 ms', 'rounds: 790, 812, 850')."""
    rounds = ", ".join(f"{v * 1000:.0f}" for v in values)
    return f"{statistics.median(values) * 1000:.1f} ms", f"rounds: {rounds}"


def report(result: Rounds, feeds: int, changed: int) -> list[str]:
    """The heading and the figures, one aligned line each."""
    in_flight, per_host = fetcher_bounds()
    ratio = statistics.median(result.bot_seconds) / statistics.median(result.base_seconds)
    digests = statistics.median(result.digests)
    rows = [
        ("requests made, digestbot", *requests_made(result.bot_statuses[-1])),
        ("requests made, baseline", *requests_made(result.base_statuses[-1])),
        ("digestbot cycle", *milliseconds(result.bot_seconds)),
        ("baseline conditional GETs", *milliseconds(result.base_seconds)),
        ("ratio digestbot/baseline", f"{ratio:.2f}x", "medians"),
        ("new digests stored", f"{digests:,.0f}", "per cycle"),
    ]
    label, figure = (max(len(row[i]) for row in rows) for i in range(2))
    heading = (
        f"poll: {feeds:,} feeds, {changed:,} with a new entry, one cycle; {in_flight} in flight, "
        f"{per_host} per host; median of {len(result.bot_seconds)} rounds"
    )
    return [heading] + [f"  {a:{label}}  {b:>{figure}}  {c}" for a, b, c in rows]


def main(argv: list[str] | None = None) -> int:
    """Print the poll figures; 1 if a poll failed or a round made other requests than asked."""
    parser = argparse.ArgumentParser(prog="bench.poll", description=__doc__)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--changed", type=float, default=0.05, help="the fraction with news")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.feeds < 1 or not 0 <= args.changed <= 1 or args.rounds < 1:
        parser.error("--feeds and --rounds must be at least 1, --changed between 0 and 1")
    changed = round(args.feeds * args.changed)

    with feed_server() as host:
        result = asyncio.run(measure(host, args.feeds, changed, args.rounds))
    for line in report(result, args.feeds, changed):
        print(line)
    expected = Counter({304: args.feeds - changed, 200: changed})
    odd = [s for s in result.bot_statuses + result.base_statuses if s != expected]
    if result.failed or odd:
        print(
            f"unexpected: {result.failed} polls failed, or a round's requests were not "
            f"{args.feeds - changed:,} answered 304 and {changed:,} answered 200"
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
