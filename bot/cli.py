"""The `digestbot` command: run, preview, poll, backup, seed, topic, feed. Errors are one line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import __version__
from bot.adapters.seeding import apply_seed, read_seed
from bot.adapters.store import DuplicateError, Store
from bot.adapters.store.backup import backup_database
from bot.app import make_fetcher, make_poller, run_bot
from bot.config import Settings, load_settings, read_env_file
from bot.core.callbacks import parse_id
from bot.core.condense import condense
from bot.core.feeds import parse_feed
from bot.core.models import Digest, Topic
from bot.core.render import render_text
from bot.core.topics import MAX_NAME_CHARS, closest_slug, is_valid_slug
from bot.errors import ConfigError, DigestbotError
from bot.pipeline import Outcome, PollReport

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, load settings, run the command; errors become one line."""
    args = build_parser().parse_args(argv)
    environ = {**read_env_file(Path(".env")), **os.environ}
    try:
        if args.command == "run":
            return run(environ)
        settings = load_settings(environ, require_token=False)
        logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
        handler: Command = args.handler
        return asyncio.run(handler(args, settings))
    except ConfigError as error:
        print(f"digestbot: {error}", file=sys.stderr)
        return 2
    except DigestbotError as error:
        print(f"digestbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def run(environ: Mapping[str, str]) -> int:
    """Start the bot: long polling, scheduled feed polls, clean stop on SIGINT and SIGTERM."""
    settings = load_settings(environ)
    if settings.seed_file is not None:
        # Checked before Telegram is reached, so that a mistake in it is the one line printed.
        asyncio.run(read_seed(settings.seed_file))
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request at INFO, which would put the bot token in the log; the
    # scheduler logs every tick.
    for noisy in ("httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    log = logging.getLogger("digestbot")
    log.info("digestbot %s starting; database %s", __version__, settings.database)
    run_bot(settings)
    log.info("digestbot stopped cleanly")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="digestbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    commands.add_parser("run", help="start the bot (needs DIGESTBOT_TOKEN)")

    preview = commands.add_parser("preview", help="print the digests a feed would produce")
    preview.add_argument("source", help="a feed URL or a feed file")
    preview.add_argument("--limit", type=int, default=5, help="entries to show (default 5)")
    preview.add_argument("--json", action="store_true", help="print JSON instead of text")
    preview.set_defaults(handler=preview_feed)

    poll = commands.add_parser("poll", help="poll every due feed once and report")
    poll.set_defaults(handler=poll_once)

    backup = commands.add_parser(
        "backup", help="copy the database to a file, safely while the bot runs"
    )
    backup.add_argument("path", type=Path, help="a new file, or a directory to put one in")
    backup.set_defaults(handler=back_up)

    seed = commands.add_parser(
        "seed", help="add the topics and feeds of a TOML file that the database lacks"
    )
    seed.add_argument("path", type=Path, help="the seed file (see README: Seeding)")
    seed.set_defaults(handler=seed_topics)

    topic = commands.add_parser("topic", help="add, list or remove topics")
    topic_commands = topic.add_subparsers(dest="action", required=True, metavar="action")
    add = topic_commands.add_parser("add", help="add a topic")
    add.add_argument("slug", help="short id: lower-case letters, digits, - and _")
    add.add_argument("name", nargs="+", help="the name readers see")
    add.set_defaults(handler=add_topic)
    topic_commands.add_parser("list", help="list topics").set_defaults(handler=list_topics)
    remove = topic_commands.add_parser("remove", help="remove a topic and its feeds")
    remove.add_argument("slug")
    remove.set_defaults(handler=remove_topic)

    feed = commands.add_parser("feed", help="add, list or remove feeds")
    feed_commands = feed.add_subparsers(dest="action", required=True, metavar="action")
    add = feed_commands.add_parser("add", help="add a feed to a topic (fetched once to check)")
    add.add_argument("slug", help="the topic")
    add.add_argument("url", help="the feed URL")
    add.set_defaults(handler=add_feed)
    listing = feed_commands.add_parser("list", help="list feeds with their health")
    listing.add_argument("slug", nargs="?", help="only this topic")
    listing.set_defaults(handler=list_feeds)
    remove = feed_commands.add_parser("remove", help="remove a feed by id or URL")
    remove.add_argument("feed", help="feed id or URL")
    remove.set_defaults(handler=remove_feed)
    return parser


async def preview_feed(args: argparse.Namespace, settings: Settings) -> int:
    """Print the digests a feed would produce, without Telegram or a database."""
    path = Path(args.source)
    if await asyncio.to_thread(path.is_file):
        body, headers = await asyncio.to_thread(path.read_bytes), {}
        url = (await asyncio.to_thread(path.resolve)).as_uri()
    else:
        async with make_fetcher(settings) as fetcher:
            result = await fetcher.fetch(args.source)
        if result.error is not None:
            raise result.error
        body, url, headers = result.body, result.url, dict(result.headers)
    parsed = parse_feed(body, url, headers, default_lang=settings.default_language)
    source = parsed.title or url
    digests = [condense(entry, source) for entry in parsed.entries[: max(args.limit, 0)]]
    if args.json:
        print(json.dumps([digest_json(d) for d in digests], ensure_ascii=False, indent=2))
    else:
        print(f"{parsed.title or url} ({len(parsed.entries)} entries, {parsed.lang})")
        for digest in digests:
            print("\n" + "─" * 60 + "\n" + render_text(digest))
    if parsed.problem:
        print(f"digestbot: note: the feed is ill-formed: {parsed.problem}", file=sys.stderr)
    return 0


def digest_json(digest: Digest) -> dict[str, Any]:
    """A digest as plain JSON data."""
    data = asdict(digest)
    data["published"] = digest.published.isoformat() if digest.published else None
    data["sources"] = [asdict(source) for source in digest.all_sources]
    return data


async def back_up(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the live database with SQLite's online backup API, then check the copy."""
    done = await asyncio.to_thread(backup_database, settings.database, args.path)
    print(f"backed up {settings.database} to {done.path} ({done.size} bytes, integrity ok)")
    return 0


async def poll_once(args: argparse.Namespace, settings: Settings) -> int:
    """Poll every due feed once and print a line per feed."""
    store = await Store.open(settings.database)
    try:
        async with make_fetcher(settings) as fetcher:
            poller = make_poller(settings, store, fetcher)
            reports = await poller.poll_due(datetime.now(UTC))
    finally:
        await store.close()
    for report in reports:
        print(describe(report))
    if not reports:
        print("no feeds are due")
    return 1 if reports and all(r.outcome is Outcome.FAILED for r in reports) else 0


def describe(report: PollReport) -> str:
    """One line for a poll report."""
    head = f"feed {report.feed.id} {report.feed.url}:"
    if report.outcome is Outcome.FAILED:
        return f"{head} error: {report.error}"
    if report.outcome is Outcome.NOT_MODIFIED:
        return f"{head} not modified"
    note = f" (ill-formed: {report.problem})" if report.problem else ""
    pushed = "" if report.pushed else ", first poll: marked as seen, none pushed"
    return f"{head} {report.new_entries} new entries, {report.digests} digests{pushed}{note}"


async def seed_topics(args: argparse.Namespace, settings: Settings) -> int:
    """Add the seed file's topics and feeds that the database does not have yet."""
    seeds = await read_seed(args.path)
    store = await Store.open(settings.database)
    try:
        seeded = await apply_seed(store, seeds)
    finally:
        await store.close()
    print(
        f"added {len(seeded.topics)} topics and {len(seeded.feeds)} feeds; "
        f"{seeded.present} feeds were there already"
    )
    return 0


async def add_topic(args: argparse.Namespace, settings: Settings) -> int:
    """Add a topic."""
    name = " ".join(args.name).strip()
    if not is_valid_slug(args.slug):
        raise ConfigError(f"'{args.slug}' is not a valid slug: use a-z, 0-9, - and _ (max 32)")
    if not name or len(name) > MAX_NAME_CHARS:
        raise ConfigError(f"a topic name is 1 to {MAX_NAME_CHARS} characters")
    store = await Store.open(settings.database)
    try:
        topic = await store.add_topic(args.slug, name)
    except DuplicateError:
        raise DigestbotError(f"topic '{args.slug}' already exists") from None
    finally:
        await store.close()
    print(f"added topic {topic.slug}: {topic.name}")
    return 0


async def list_topics(args: argparse.Namespace, settings: Settings) -> int:
    """List topics with their feed and subscriber counts."""
    store = await Store.open(settings.database)
    try:
        topics = await store.list_topics()
        feeds = await store.list_feeds()
        subscribers = await store.subscriber_counts()
    finally:
        await store.close()
    for topic in topics:
        count = sum(f.topic_id == topic.id for f in feeds)
        print(
            f"{topic.slug}\t{topic.name}\t{count} feeds\t{subscribers.get(topic.id, 0)} "
            "subscribers"
        )
    if not topics:
        print("no topics yet: digestbot topic add <slug> <name>")
    return 0


async def remove_topic(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a topic, its feeds and its subscriptions."""
    store = await Store.open(settings.database)
    try:
        removed = await store.remove_topic(args.slug)
        known = [t.slug for t in await store.list_topics()]
    finally:
        await store.close()
    if not removed:
        raise DigestbotError(_unknown_topic(args.slug, known))
    print(f"removed topic {args.slug}")
    return 0


async def add_feed(args: argparse.Namespace, settings: Settings) -> int:
    """Add a feed to a topic after fetching it once to check it is a feed."""
    store = await Store.open(settings.database)
    try:
        topic = await _topic(store, args.slug)
        if any(f.url == args.url for f in await store.list_feeds(topic.id)):
            raise DigestbotError(f"{args.url} is already in topic {topic.slug}")
        async with make_fetcher(settings) as fetcher:
            poller = make_poller(settings, store, fetcher)
            try:
                report = await poller.add_feed(topic.id, args.url, datetime.now(UTC))
            except DigestbotError as error:
                raise DigestbotError(f"cannot add {args.url}: {error}") from None
    finally:
        await store.close()
    title = report.title or args.url
    print(f"added feed {report.feed.id} to {topic.slug}: {title} ({report.new_entries} entries)")
    return 0


async def list_feeds(args: argparse.Namespace, settings: Settings) -> int:
    """List feeds with their health."""
    store = await Store.open(settings.database)
    try:
        topic_id = (await _topic(store, args.slug)).id if args.slug else None
        feeds = await store.list_feeds(topic_id)
    finally:
        await store.close()
    for feed in feeds:
        polled = (
            feed.last_polled_at.isoformat(timespec="seconds") if feed.last_polled_at else "never"
        )
        state = "disabled" if feed.disabled else "ok" if not feed.failures else "failing"
        error = f"\t{feed.failures} failures: {feed.last_error}" if feed.failures else ""
        print(f"{feed.id}\t{state}\t{feed.url}\t{feed.title}\tpolled {polled}{error}")
    if not feeds:
        print("no feeds yet: digestbot feed add <topic> <url>")
    return 0


async def remove_feed(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a feed by id or URL."""
    store = await Store.open(settings.database)
    try:
        feed_id = parse_id(args.feed)
        feeds = (
            [f for f in [await store.get_feed(feed_id)] if f]
            if feed_id is not None
            else await store.find_feeds(args.feed)
        )
        for feed in feeds:
            await store.remove_feed(feed.id)
    finally:
        await store.close()
    if not feeds:
        raise DigestbotError(f"no feed {args.feed}")
    print(f"removed {len(feeds)} feed(s): {', '.join(f.url for f in feeds)}")
    return 0


async def _topic(store: Store, slug: str) -> Topic:
    topic = await store.get_topic(slug)
    if topic is None:
        raise DigestbotError(_unknown_topic(slug, [t.slug for t in await store.list_topics()]))
    return topic


def _unknown_topic(slug: str, known: Sequence[str]) -> str:
    guess = closest_slug(slug, known)
    return f"no topic '{slug}'" + (f": did you mean '{guess}'?" if guess else "")
