"""OPML import and export for chat and CLI alike."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final

from bot.adapters.store import Store
from bot.core.models import Topic
from bot.core.opml import (
    MAX_IMPORT_FEEDS,
    OpmlError,
    OpmlFeed,
    OpmlGroup,
    Refused,
    build_opml,
    parse_opml,
    plan_import,
)
from bot.core.outcomes import (
    Exported,
    FeedAdded,
    FeedAlreadyThere,
    FeedChoices,
    FeedRefused,
    Imported,
    ImportOutcome,
    NotOpml,
    TooManyFeeds,
)
from bot.operations.feeds import add_feed
from bot.pipeline import Poller

IMPORT_CONCURRENCY: Final = 8
EXPORT_TITLE: Final = "digestbot"

Progress = Callable[[int, int], Awaitable[None]]


async def import_opml(
    store: Store,
    poller: Poller,
    topic: Topic,
    data: bytes,
    now: datetime,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Check and add each new feed of an OPML document to the topic, a few at a time.

    `progress(done, total)` is awaited after each feed is checked.
    """
    try:
        opml = await asyncio.to_thread(parse_opml, data)
    except OpmlError as error:
        return NotOpml(str(error))
    known = [feed.url for feed in await store.list_feeds(topic.id)]
    plan = plan_import(opml.feeds, known)
    if len(plan.to_add) > MAX_IMPORT_FEEDS:
        return TooManyFeeds(len(plan.to_add))
    gate = asyncio.Semaphore(IMPORT_CONCURRENCY)

    async def add_one(feed: OpmlFeed) -> FeedAdded | FeedAlreadyThere | Refused:
        async with gate:
            outcome = await add_feed(store, poller, topic, feed.url, now)
        if isinstance(outcome, FeedRefused):
            return Refused(feed.url, outcome.reason)
        if isinstance(outcome, FeedChoices):
            urls = ", ".join(found.url for found in outcome.feeds)
            return Refused(feed.url, f"a web page that names several feeds: {urls}")
        return outcome

    added, duplicates, refused = 0, len(plan.duplicates), list(plan.refused)
    total = len(plan.to_add)
    for done, outcome in enumerate(asyncio.as_completed([add_one(f) for f in plan.to_add]), 1):
        match await outcome:
            case FeedAdded():
                added += 1
            case FeedAlreadyThere():
                duplicates += 1
            case Refused() as reason:
                refused.append(reason)
        if progress is not None:
            await progress(done, total)
    return Imported(topic, added, duplicates, tuple(refused))


async def export_opml(store: Store, now: datetime) -> Exported | None:
    """Every topic and its feeds as OPML; None when there are no topics."""
    topics = await store.list_topics()
    if not topics:
        return None
    groups = [
        OpmlGroup(t.name, tuple(OpmlFeed(f.url, f.title) for f in await store.list_feeds(t.id)))
        for t in topics
    ]
    body = build_opml(EXPORT_TITLE, groups, now)
    return Exported(body, len(groups), sum(len(g.feeds) for g in groups))
