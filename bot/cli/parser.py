"""The argument parser: every command with help written for the operator who runs it."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import __version__
from bot.cli import commands
from bot.cli.preview import preview

DESCRIPTION = """\
digestbot turns news feeds into short digests and pushes them to Telegram subscribers.
Settings come from DIGESTBOT_* environment variables or a .env file (see README:
Configuration); the database is DIGESTBOT_DATABASE (default ./data/digestbot.sqlite3)."""

EPILOG = """\
first run:
  digestbot preview https://example.com/feed.xml    see digests, no Telegram needed
  digestbot topic add tech "Technology"             a topic readers can subscribe to
  digestbot feed add tech https://example.com/      a feed (or a site's page naming one)
  DIGESTBOT_TOKEN=... digestbot run                 start the bot

Run "digestbot <command> --help" for a command's options."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="digestbot",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digestbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    sub.add_parser("run", help="start the bot: long polling (or a webhook) and scheduled polls")

    look = sub.add_parser("preview", help="print the digests a feed would give, without Telegram")
    look.add_argument("source", help="a feed URL, a site's page, or a feed file")
    look.add_argument("--limit", type=int, default=5, help="entries to show (default 5)")
    look.add_argument("--json", action="store_true", help="print JSON instead of text")
    look.add_argument(
        "--no-fetch", action="store_true", help="do not read short entries' article pages"
    )
    look.add_argument(
        "--lang", choices=("ja", "en"), help="label language (default: the feed's language)"
    )
    look.set_defaults(handler=preview)

    poll = sub.add_parser("poll", help="poll feeds now and print what each gave")
    poll.add_argument("feeds", nargs="*", help="feed ids or URLs (default: every enabled feed)")
    poll.add_argument("--due", action="store_true", help="only the feeds whose time has come")
    poll.set_defaults(handler=commands.poll)

    backup = sub.add_parser("backup", help="copy the database safely, even while the bot runs")
    backup.add_argument("path", type=Path, help="a new file, or a directory to put one in")
    backup.set_defaults(handler=commands.back_up)

    seed = sub.add_parser("seed", help="add the topics and feeds of a TOML file that are missing")
    seed.add_argument("path", type=Path, help="the seed file (see README: Seeding)")
    seed.set_defaults(handler=commands.seed)

    _topic_commands(sub.add_parser("topic", help="add, rename, list or remove topics"))
    _feed_commands(sub.add_parser("feed", help="add, list, remove or enable feeds"))
    return parser


def _topic_commands(topic: argparse.ArgumentParser) -> None:
    sub = topic.add_subparsers(dest="action", required=True, metavar="action")
    add = sub.add_parser("add", help="add a topic")
    add.add_argument("slug", help="short id: letters (lower-cased), digits, - and _; max 32")
    add.add_argument("name", nargs="+", help="the name readers see")
    add.set_defaults(handler=commands.add_topic)
    rename = sub.add_parser("rename", help="give a topic a new name (subscriptions stay)")
    rename.add_argument("slug")
    rename.add_argument("name", nargs="+", help="the new name readers see")
    rename.set_defaults(handler=commands.rename_topic)
    sub.add_parser("list", help="topics with their feeds and subscribers").set_defaults(
        handler=commands.list_topics
    )
    remove = sub.add_parser("remove", help="remove a topic with its feeds and subscriptions")
    remove.add_argument("slug")
    remove.set_defaults(handler=commands.remove_topic)


def _feed_commands(feed: argparse.ArgumentParser) -> None:
    sub = feed.add_subparsers(dest="action", required=True, metavar="action")
    add = sub.add_parser("add", help="add a feed to a topic (fetched once to check it)")
    add.add_argument("slug", help="the topic")
    add.add_argument("url", help="the feed's URL, or a site's page that names its feed")
    add.set_defaults(handler=commands.add_feed)
    listing = sub.add_parser("list", help="feeds with their topic, state, polls and errors")
    listing.add_argument("slug", nargs="?", help="only this topic")
    listing.set_defaults(handler=commands.list_feeds)
    remove = sub.add_parser("remove", help="remove a feed (by id, or by URL if in one topic)")
    remove.add_argument("feed", help="feed id or URL")
    remove.set_defaults(handler=commands.remove_feed)
    enable = sub.add_parser("enable", help="poll a disabled feed again")
    enable.add_argument("feed", help="feed id or URL")
    enable.set_defaults(handler=commands.enable_feed)
