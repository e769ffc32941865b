"""Topic, feed, poll, seed and backup commands: parse arguments, call operations, print."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.adapters.store import Store
from bot.adapters.store.backup import backup_database
from bot.app import Opened, open_services
from bot.cli.text import (
    describe_poll,
    feed_table,
    no_such_topic,
    not_one_feed,
    plural,
    topic_problem,
    topic_table,
)
from bot.config import Settings
from bot.core import outcomes
from bot.core.models import Feed
from bot.core.polls import Outcome
from bot.errors import ConfigError, DigestbotError
from bot.operations import feeds, topics
from bot.operations.seeding import apply_seed, read_seed


@asynccontextmanager
async def store_of(settings: Settings) -> AsyncIterator[Store]:
    """The database, said so when this command is what created it."""
    async with await Store.open(settings.database) as store:
        _say_if_created(store, settings)
        yield store


@asynccontextmanager
async def services_of(settings: Settings) -> AsyncIterator[Opened]:
    """The database, fetcher and poller, said so when this command created the database."""
    async with open_services(settings) as services:
        _say_if_created(services.store, settings)
        yield services


def _say_if_created(store: Store, settings: Settings) -> None:
    # A command run from the wrong directory must not quietly work on an empty database.
    if store.created:
        where = settings.database.resolve()
        print(f"digestbot: created a new database at {where}", file=sys.stderr)


async def poll(args: argparse.Namespace, settings: Settings) -> int:
    """Poll every enabled feed now (or the named ones, or with --due only the due ones)."""
    async with services_of(settings) as services:
        now = services.clock()
        if args.due:
            reports = await services.poller.poll_due(now)
        else:
            chosen = await _feeds_named(services.store, args.feeds)
            reports = await feeds.poll_feeds(services.poller, chosen, now)
    for report in reports:
        print(describe_poll(report))
    if not reports:
        print("no feeds are due" if args.due else "no feeds to poll: digestbot feed add")
    return 1 if reports and all(r.outcome is Outcome.FAILED for r in reports) else 0


async def _feeds_named(store: Store, refs: list[str]) -> list[Feed]:
    if not refs:
        return [feed for feed in await store.list_feeds() if not feed.disabled]
    chosen = []
    for ref in refs:
        found = await feeds.find_feed(store, ref)
        if not isinstance(found, Feed):
            raise DigestbotError(not_one_feed(found))
        chosen.append(found)
    return chosen


async def back_up(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the live database with SQLite's online backup API, then check the copy."""
    done = await asyncio.to_thread(backup_database, settings.database, args.path)
    print(f"backed up {settings.database} to {done.path} ({done.size} bytes, integrity ok)")
    return 0


async def seed(args: argparse.Namespace, settings: Settings) -> int:
    """Add the seed file's topics and feeds that the database does not have yet."""
    seeds = await read_seed(args.path)
    async with store_of(settings) as store:
        seeded = await apply_seed(store, seeds)
    print(
        f"added {plural(len(seeded.topics), 'topic')} and {plural(len(seeded.feeds), 'feed')}; "
        f"{plural(seeded.present, 'feed')} {'was' if seeded.present == 1 else 'were'} "
        "there already"
    )
    return 0


async def add_topic(args: argparse.Namespace, settings: Settings) -> int:
    """Add a topic."""
    async with store_of(settings) as store:
        outcome = await topics.add_topic(store, args.slug, " ".join(args.name))
    match outcome:
        case outcomes.TopicAdded(topic):
            print(f"added topic {topic.slug}: {topic.name}")
            return 0
        case outcomes.TopicExists(slug):
            raise DigestbotError(f"topic '{slug}' already exists")
        case problem:
            raise ConfigError(topic_problem(problem))


async def rename_topic(args: argparse.Namespace, settings: Settings) -> int:
    """Give a topic a new name."""
    async with store_of(settings) as store:
        outcome = await topics.rename_topic(store, args.slug, " ".join(args.name))
    match outcome:
        case outcomes.TopicRenamed(old, topic):
            print(f"renamed topic {topic.slug}: {old.name} -> {topic.name}")
            return 0
        case outcomes.NoSuchTopic() as missing:
            raise DigestbotError(no_such_topic(missing))
        case problem:
            raise ConfigError(topic_problem(problem))


async def list_topics(args: argparse.Namespace, settings: Settings) -> int:
    """List topics with their feed and subscriber counts."""
    async with store_of(settings) as store:
        listed = await store.list_topics()
        all_feeds = await store.list_feeds()
        subscribers = await store.subscriber_counts()
    for line in topic_table(listed, all_feeds, subscribers):
        print(line)
    if not listed:
        print("no topics yet: digestbot topic add <slug> <name>")
    return 0


async def remove_topic(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a topic, its feeds and its subscriptions."""
    async with store_of(settings) as store:
        found = await topics.find_topic(store, args.slug)
        removed = (
            found
            if isinstance(found, outcomes.NoSuchTopic)
            else await topics.remove_topic(store, found)
        )
    if isinstance(removed, outcomes.NoSuchTopic):
        raise DigestbotError(no_such_topic(removed))
    print(f"removed topic {removed.topic.slug}")
    return 0


async def add_feed(args: argparse.Namespace, settings: Settings) -> int:
    """Add a feed to a topic after fetching it once to check it is a feed."""
    async with services_of(settings) as services:
        found = await topics.find_topic(services.store, args.slug)
        if isinstance(found, outcomes.NoSuchTopic):
            raise DigestbotError(no_such_topic(found))
        outcome = await feeds.add_feed(
            services.store, services.poller, found, args.url, services.clock()
        )
    match outcome:
        case outcomes.FeedAdded(topic, report, page):
            title = report.title or report.feed.url
            named = f", the feed {report.feed.url} named by that page" if page else ""
            entries = plural(report.new_entries, "entry", "entries")
            print(f"added feed {report.feed.id} to {topic.slug}: {title} ({entries}{named})")
            return 0
        case outcomes.FeedChoices(topic, page_url, choices):
            print(f"{page_url} is a web page that names {len(choices)} feeds; add one of them:")
            for feed in choices:
                title = f"  # {feed.title} ({feed.kind})" if feed.title else f"  # {feed.kind}"
                print(f"  digestbot feed add {topic.slug} {feed.url}{title}")
            return 2
        case outcomes.FeedAlreadyThere(topic, url):
            raise DigestbotError(f"{url} is already in topic {topic.slug}")
        case outcomes.FeedRefused(url, reason):
            raise DigestbotError(f"cannot add {url}: {reason}")


async def list_feeds(args: argparse.Namespace, settings: Settings) -> int:
    """List feeds with their topic, state, last and next poll, and last error."""
    async with store_of(settings) as store:
        topic_id = None
        if args.slug:
            found = await topics.find_topic(store, args.slug)
            if isinstance(found, outcomes.NoSuchTopic):
                raise DigestbotError(no_such_topic(found))
            topic_id = found.id
        listed = await store.list_feeds(topic_id)
        by_id = {topic.id: topic for topic in await store.list_topics()}
    if not listed:
        print("no feeds yet: digestbot feed add <topic> <url>")
        return 0
    for line in feed_table(listed, by_id):
        print(line)
    return 0


async def remove_feed(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a feed by id or URL."""
    async with store_of(settings) as store:
        outcome = await feeds.remove_feed(store, args.feed)
    if not isinstance(outcome, outcomes.FeedRemoved):
        raise DigestbotError(not_one_feed(outcome))
    topic = f" from {outcome.topic.slug}" if outcome.topic else ""
    print(f"removed feed {outcome.feed.id}{topic}: {outcome.feed.url}")
    return 0


async def enable_feed(args: argparse.Namespace, settings: Settings) -> int:
    """Poll a disabled feed again."""
    async with store_of(settings) as store:
        outcome = await feeds.enable_feed(store, args.feed)
    if not isinstance(outcome, outcomes.FeedEnabled):
        raise DigestbotError(not_one_feed(outcome))
    done = "enabled again" if outcome.was_disabled else "is not disabled"
    print(f"feed {outcome.feed.id} {outcome.feed.url}: {done}")
    return 0
