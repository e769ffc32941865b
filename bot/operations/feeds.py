"""Feed operations for chat and CLI alike: find, add (checked by one fetch), remove, enable."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.adapters.store import DuplicateError, Store
from bot.core.callbacks import parse_id
from bot.core.discovery import FeedsOnPage
from bot.core.models import Feed, Topic
from bot.core.outcomes import (
    AddOutcome,
    AmbiguousFeed,
    FeedAdded,
    FeedAlreadyThere,
    FeedChoices,
    FeedEnabled,
    FeedLookup,
    FeedRefused,
    FeedRemoved,
    NoSuchFeed,
)
from bot.core.polls import Outcome, PollReport
from bot.errors import FeedError
from bot.pipeline import Poller

log = logging.getLogger(__name__)


async def find_feed(store: Store, ref: str) -> FeedLookup:
    """The feed with an id ("12" or "#12"), or the one feed with that URL."""
    ref = ref.strip()
    feed_id = parse_id(ref.removeprefix("#"))
    if feed_id is not None:
        feed = await store.get_feed(feed_id)
        return feed if feed is not None else NoSuchFeed(ref)
    feeds = await store.find_feeds(ref)
    if len(feeds) > 1:
        return AmbiguousFeed(tuple(feeds))
    return feeds[0] if feeds else NoSuchFeed(ref)


async def has_feed(store: Store, topic: Topic, url: str) -> bool:
    """Whether the topic has a feed with this URL."""
    return url in {feed.url for feed in await store.list_feeds(topic.id)}


async def add_feed(
    store: Store, poller: Poller, topic: Topic, url: str, now: datetime
) -> AddOutcome:
    """Fetch the URL once to check it is a feed, then store it in the topic.

    A web page that names one feed adds that feed; one that names several asks which.
    """
    try:
        return await _add_checked(store, poller, topic, url, now)
    except FeedsOnPage as page:
        if len(page.feeds) > 1:
            return FeedChoices(topic, url, page.feeds)
        found = page.feeds[0].url
    outcome = await _add_checked(store, poller, topic, found, now)
    return replace(outcome, found_on=url) if isinstance(outcome, FeedAdded) else outcome


async def _add_checked(
    store: Store, poller: Poller, topic: Topic, url: str, now: datetime
) -> FeedAdded | FeedAlreadyThere | FeedRefused:
    """Add one URL; FeedsOnPage propagates when it is a page that names feeds."""
    if await has_feed(store, topic, url):
        return FeedAlreadyThere(topic, url)
    try:
        report = await poller.add_feed(topic.id, url, now)
    except DuplicateError:
        # Added meanwhile, by an import or another admin.
        return FeedAlreadyThere(topic, url)
    except FeedsOnPage:
        raise
    except FeedError as error:
        return FeedRefused(url, str(error))
    return FeedAdded(topic, report)


async def remove_feed(store: Store, ref: str) -> FeedRemoved | NoSuchFeed | AmbiguousFeed:
    """Remove the feed an id or URL names, with its articles."""
    found = await find_feed(store, ref)
    if not isinstance(found, Feed):
        return found
    topic = await store.get_topic_by_id(found.topic_id)
    if not await store.remove_feed(found.id):
        return NoSuchFeed(ref)
    return FeedRemoved(found, topic)


async def enable_feed(store: Store, ref: str) -> FeedEnabled | NoSuchFeed | AmbiguousFeed:
    """Poll a disabled feed again, its failures forgotten."""
    found = await find_feed(store, ref)
    if not isinstance(found, Feed):
        return found
    return FeedEnabled(found, await store.enable_feed(found.id))


async def poll_feeds(poller: Poller, feeds: Sequence[Feed], now: datetime) -> list[PollReport]:
    """Poll these feeds now, concurrently; an unexpected error counts as that feed failing."""
    results = await asyncio.gather(
        *(poller.poll(feed, now) for feed in feeds), return_exceptions=True
    )
    return [_as_report(feed, result) for feed, result in zip(feeds, results, strict=True)]


def _as_report(feed: Feed, result: PollReport | BaseException) -> PollReport:
    if isinstance(result, PollReport):
        return result
    if not isinstance(result, Exception):
        raise result
    log.error("polling %s failed unexpectedly", feed.url, exc_info=result)
    return PollReport(feed, Outcome.FAILED, error=f"{type(result).__name__}: {result}")
