"""Ingest: entries per second through parse, key, summarize and store, against feedparser alone."""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser

from bot.adapters.store import NewArticle, Store
from bot.core.condense import condense
from bot.core.feeds import new_entries, parse_feed

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load_feeds(data: Path) -> list[tuple[str, bytes]]:
    """Every real feed of the corpus, en and ja."""
    paths = sorted((data / "feeds").glob("*")) + sorted((data / "feeds-ja").glob("*"))
    return [(p.name, p.read_bytes()) for p in paths if p.suffix != ".tsv"]


def baseline(feeds: list[tuple[str, bytes]]) -> int:
    """feedparser alone on the same bytes; returns the entries it found."""
    return sum(len(feedparser.parse(io.BytesIO(body)).entries) for _, body in feeds)


async def digestbot(feeds: list[tuple[str, bytes]], store: Store, round_no: int) -> int:
    """Parse, key, condense every entry and store it; returns the entries stored."""
    topic = await store.add_topic(f"bench{round_no}", "bench")
    now = datetime.now(UTC)
    total = 0
    for name, body in feeds:
        feed = await store.add_feed(topic.id, f"file:///{round_no}/{name}")
        # No per-poll entry cap here: both sides handle every entry of the same bytes.
        parsed = parse_feed(body, feed.url, max_entries=1_000_000)
        known = await store.known_keys(feed.id, [e.key for e in parsed.entries])
        articles = [
            NewArticle(e, condense(e, parsed.title)) for e in new_entries(parsed.entries, known)
        ]
        await store.save_poll(
            feed.id,
            articles,
            polled_at=now,
            next_poll_at=now + timedelta(minutes=10),
            etag=None,
            modified=None,
            title=parsed.title,
            problem=parsed.problem,
            push=True,
        )
        total += len(articles)
    return total


async def measure(feeds: list[tuple[str, bytes]], rounds: int) -> None:
    """Alternate baseline and digestbot rounds so machine noise hits both alike."""
    base_times, bot_times = [], []
    entries = stored = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.sqlite3")
        try:
            for round_no in range(rounds):
                start = time.perf_counter()
                entries = baseline(feeds)
                base_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                stored = await digestbot(feeds, store, round_no)
                bot_times.append(time.perf_counter() - start)
        finally:
            await store.close()
    base, ours = statistics.median(base_times), statistics.median(bot_times)
    print(f"feeds: {len(feeds)}  entries: {entries} (feedparser)  stored: {stored} (digestbot)")
    print(f"feedparser.parse alone     {entries / base:9.1f} entries/s  ({base * 1000:8.1f} ms)")
    print(f"digestbot ingest           {stored / ours:9.1f} entries/s  ({ours * 1000:8.1f} ms)")
    print(
        f"cost ratio (ingest / feedparser alone, per entry): "
        f"{(ours / max(stored, 1)) / (base / max(entries, 1)):.2f}x  (median of {rounds} rounds)"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the ingest figures."""
    parser = argparse.ArgumentParser(prog="python -m bench ingest")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    asyncio.run(measure(load_feeds(args.data), args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
