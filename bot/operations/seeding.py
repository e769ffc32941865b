"""Topics and feeds of a seed file (`bot.core.seed`) into the store: only what is missing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.adapters.store import Store
from bot.core.seed import SeedError, SeedTopic, parse_seed
from bot.errors import ConfigError


@dataclass
class Seeded:
    """What a seed added: topic slugs and feed URLs, and how many of its feeds were there."""

    topics: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    present: int = 0


async def read_seed(path: Path) -> list[SeedTopic]:
    """The topics of a seed file; ConfigError (one line, naming the file) if it is unusable."""
    try:
        # utf-8-sig: editors that save UTF-8 with a byte order mark are common on Windows.
        text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the seed file {path}: {error}") from None
    try:
        return parse_seed(text)
    except SeedError as error:
        raise ConfigError(f"seed file {path}: {error}") from None


async def apply_seed(store: Store, seeds: Sequence[SeedTopic]) -> Seeded:
    """Add the topics and feeds the store lacks; a topic already there keeps its name and filters.

    Feeds are stored without a fetch: their first poll checks them (a broken one shows in
    /feeds) and marks their backlog as seen, as for any new feed.
    """
    seeded = Seeded()
    for seed in seeds:
        topic = await store.get_topic(seed.slug)
        if topic is None:
            topic = await store.add_topic(seed.slug, seed.name)
            if seed.include or seed.exclude:
                await store.set_filters(seed.slug, seed.include, seed.exclude)
            seeded.topics.append(seed.slug)
        known = {feed.url for feed in await store.list_feeds(topic.id)}
        for url in seed.feeds:
            if url in known:
                seeded.present += 1
            else:
                await store.add_feed(topic.id, url)
                seeded.feeds.append(url)
    return seeded


async def seed_new_database(store: Store, path: Path) -> Seeded | None:
    """At start-up: a database created by this start gets the seed file's topics; else None.

    The file is read and checked either way, so that a broken one stops the start. It seeds
    only a new database: a topic an admin removed later does not come back at the next start,
    even when it was the last one.
    """
    seeds = await read_seed(path)
    if not store.created:
        return None
    return await apply_seed(store, seeds)
