"""The `digestbot` command: run, preview, poll, backup, seed, topic, feed. Errors are one line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from bot import __version__
from bot.adapters.store import Store
from bot.adapters.store.backup import backup_database
from bot.app import make_fetcher, open_services, run_bot
from bot.config import Settings, load_settings, read_env_file
from bot.core import outcomes
from bot.core.condense import condense
from bot.core.feeds import parse_feed
from bot.core.images import lead_image
from bot.core.models import Digest
from bot.core.polls import Outcome, PollReport
from bot.core.render import render_text
from bot.errors import ConfigError, DigestbotError
from bot.operations import feeds, topics
from bot.operations.seeding import apply_seed, read_seed

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
    add.add_argument("slug", help="short id: letters (lower-cased), digits, - and _")
    add.add_argument("name", nargs="+", help="the name readers see")
    add.set_defaults(handler=add_topic)
    rename = topic_commands.add_parser("rename", help="give a topic a new name")
    rename.add_argument("slug")
    rename.add_argument("name", nargs="+", help="the new name readers see")
    rename.set_defaults(handler=rename_topic)
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
    enable = feed_commands.add_parser("enable", help="poll a disabled feed again")
    enable.add_argument("feed", help="feed id or URL")
    enable.set_defaults(handler=enable_feed)
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
    digests = [
        replace(condense(entry, source), image=lead_image(entry))
        for entry in parsed.entries[: max(args.limit, 0)]
    ]
    if args.json:
        print(json.dumps([digest_json(d) for d in digests], ensure_ascii=False, indent=2))
    else:
        print(f"{parsed.title or url} ({len(parsed.entries)} entries, {parsed.lang})")
        for digest in digests:
            print("\n" + "─" * 60 + "\n" + render_text(digest))
            if digest.image:
                print(f"🖼 {digest.image}")
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
    async with open_services(settings) as services:
        reports = await services.poller.poll_due(services.clock())
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
    async with await Store.open(settings.database) as store:
        seeded = await apply_seed(store, seeds)
    print(
        f"added {len(seeded.topics)} topics and {len(seeded.feeds)} feeds; "
        f"{seeded.present} feeds were there already"
    )
    return 0


async def add_topic(args: argparse.Namespace, settings: Settings) -> int:
    """Add a topic."""
    async with await Store.open(settings.database) as store:
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
    async with await Store.open(settings.database) as store:
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
    async with await Store.open(settings.database) as store:
        listed = await store.list_topics()
        feeds = await store.list_feeds()
        subscribers = await store.subscriber_counts()
    for topic in listed:
        count = sum(f.topic_id == topic.id for f in feeds)
        print(
            f"{topic.slug}\t{topic.name}\t{count} feeds\t{subscribers.get(topic.id, 0)} "
            "subscribers"
        )
    if not listed:
        print("no topics yet: digestbot topic add <slug> <name>")
    return 0


async def remove_topic(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a topic, its feeds and its subscriptions."""
    async with await Store.open(settings.database) as store:
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
    async with open_services(settings) as services:
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
            print(
                f"added feed {report.feed.id} to {topic.slug}: {title} "
                f"({report.new_entries} entries{named})"
            )
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
    """List feeds with their health."""
    async with await Store.open(settings.database) as store:
        topic_id = None
        if args.slug:
            found = await topics.find_topic(store, args.slug)
            if isinstance(found, outcomes.NoSuchTopic):
                raise DigestbotError(no_such_topic(found))
            topic_id = found.id
        listed = await store.list_feeds(topic_id)
    for feed in listed:
        polled = (
            feed.last_polled_at.isoformat(timespec="seconds") if feed.last_polled_at else "never"
        )
        state = "disabled" if feed.disabled else "ok" if not feed.failures else "failing"
        error = f"\t{feed.failures} failures: {feed.last_error}" if feed.failures else ""
        print(f"{feed.id}\t{state}\t{feed.url}\t{feed.title}\tpolled {polled}{error}")
    if not listed:
        print("no feeds yet: digestbot feed add <topic> <url>")
    return 0


async def remove_feed(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a feed by id or URL."""
    async with await Store.open(settings.database) as store:
        outcome = await feeds.remove_feed(store, args.feed)
    if not isinstance(outcome, outcomes.FeedRemoved):
        raise DigestbotError(not_one_feed(outcome))
    topic = f" from {outcome.topic.slug}" if outcome.topic else ""
    print(f"removed feed {outcome.feed.id}{topic}: {outcome.feed.url}")
    return 0


async def enable_feed(args: argparse.Namespace, settings: Settings) -> int:
    """Poll a disabled feed again."""
    async with await Store.open(settings.database) as store:
        outcome = await feeds.enable_feed(store, args.feed)
    if not isinstance(outcome, outcomes.FeedEnabled):
        raise DigestbotError(not_one_feed(outcome))
    done = "enabled again" if outcome.was_disabled else "is not disabled"
    print(f"feed {outcome.feed.id} {outcome.feed.url}: {done}")
    return 0


def topic_problem(problem: outcomes.BadSlug | outcomes.BadName) -> str:
    """Why a slug or name cannot be a topic's."""
    if isinstance(problem, outcomes.BadSlug):
        return f"'{problem.slug}' is not a valid slug: use a-z, 0-9, - and _ (max 32)"
    return f"a topic name is 1 to {problem.max_chars} characters"


def no_such_topic(missing: outcomes.NoSuchTopic) -> str:
    """There is no such topic, and the one meant, if any."""
    guess = f": did you mean '{missing.guess}'?" if missing.guess else ""
    return f"no topic '{missing.name}'{guess}"


def not_one_feed(outcome: outcomes.NoSuchFeed | outcomes.AmbiguousFeed) -> str:
    """There is no such feed, or the URL is in several topics (name one by its id)."""
    if isinstance(outcome, outcomes.NoSuchFeed):
        return f"no feed {outcome.ref}"
    ids = ", ".join(str(feed.id) for feed in outcome.feeds)
    return f"that URL is a feed of several topics: remove one by its id ({ids})"
