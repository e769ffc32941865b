"""Admin feed commands: /addfeed, /delfeed, /feeds (health), /enablefeed, /pollnow, /stats."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Final

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler

from bot.chat.admin import admin_reader, usage
from bot.chat.alerts import report_feed_health
from bot.chat.context import BotContext
from bot.chat.replies import reply
from bot.chat.routing import command
from bot.chat.topics import find_topic
from bot.core import outcomes
from bot.core.callbacks import parse_id
from bot.core.i18n import Translator
from bot.core.models import BotStats, Feed, Topic
from bot.core.polls import Outcome, PollReport
from bot.core.render import MAX_MESSAGE_CHARS, shorten, topic_label, utf16_len
from bot.operations import feeds as feeds_ops

log = logging.getLogger(__name__)

TITLE_CHARS: Final = 80
URL_CHARS: Final = 120
ERROR_CHARS: Final = 160
MAX_LISTED_PROBLEMS: Final = 10
STATS_WINDOW: Final = timedelta(hours=24)
# Room left under Telegram's limit for the "…and N more" line.
LIST_BUDGET: Final = MAX_MESSAGE_CHARS - 200


async def add_feed(update: Update, context: BotContext) -> None:
    """/addfeed <slug> <url>: fetch the feed once to check it, then add it to the topic."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if len(args) != 2:
        await usage(update, tr.gettext("Usage: /addfeed <slug> <url>"))
        return
    topic = await find_topic(update, context, reader, args[0])
    if topic is None:
        return
    url = args[1]
    if await feeds_ops.has_feed(context.store, topic, url):
        await reply(update, _already(tr, url, topic))
        return
    progress = await reply(update, tr.gettext("⏳ Checking {url}…").format(url=_code(url)))
    await context.bot.send_chat_action(
        reader.chat_id, ChatAction.TYPING, message_thread_id=reader.thread_id
    )
    outcome = await feeds_ops.add_feed(context.store, context.poller, topic, url, context.now())
    await progress.edit_text(render_add_feed(tr, outcome))


async def remove_feed(update: Update, context: BotContext) -> None:
    """/delfeed <url or id>: remove a feed with its articles."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if len(args) != 1:
        await usage(update, tr.gettext("Usage: /delfeed <url or id>"))
        return
    match await feeds_ops.remove_feed(context.store, args[0]):
        case outcomes.FeedRemoved(feed, topic):
            text = tr.gettext("🗑 Removed {feed} from {topic}.").format(
                feed=_feed_name(feed), topic=topic_label(topic) if topic else ""
            )
        case missing_or_ambiguous:
            text = await _not_one_feed(context, tr, missing_or_ambiguous)
    await reply(update, text)


async def feeds(update: Update, context: BotContext) -> None:
    """/feeds [slug]: each feed's last poll, last error, failures and whether it is disabled."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    topics = await _topics_by_id(context)
    if context.args:
        topic = await find_topic(update, context, reader, context.args[0])
        if topic is None:
            return
        listed = await context.store.list_feeds(topic.id)
    else:
        listed = sorted(await context.store.list_feeds(), key=lambda f: (f.topic_id, f.id))
    if not listed:
        await usage(update, reader.tr.gettext("No feeds yet. Add one: /addfeed <slug> <url>"))
        return
    await reply(update, render_health(reader.tr, listed, topics, context.now()))


async def enable_feed(update: Update, context: BotContext) -> None:
    """/enablefeed <id>: poll a disabled feed again, its failures forgotten."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    feed_id = parse_id(args[0].removeprefix("#")) if len(args) == 1 else None
    if feed_id is None:
        await usage(update, tr.gettext("Usage: /enablefeed <id>"))
        return
    enabled = await feeds_ops.enable_feed(context.store, args[0])
    if not isinstance(enabled, outcomes.FeedEnabled):
        await reply(update, await _not_one_feed(context, tr, enabled))
        return
    if enabled.was_disabled:
        text = tr.gettext("✅ {feed} #{id} is enabled again and will be polled shortly.")
    else:
        text = tr.gettext("{feed} #{id} is not disabled.")
    await reply(update, text.format(feed=_feed_name(enabled.feed), id=enabled.feed.id))


async def poll_now(update: Update, context: BotContext) -> None:
    """/pollnow: poll every enabled feed at once, then sum up what happened."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr = reader.tr
    enabled = [f for f in await context.store.list_feeds() if not f.disabled]
    if not enabled:
        await reply(update, tr.gettext("There are no feeds to poll."))
        return
    count = len(enabled)
    progress = await reply(
        update,
        tr.ngettext("⏳ Polling {count} feed…", "⏳ Polling {count} feeds…", count).format(
            count=count
        ),
    )
    reports = await feeds_ops.poll_feeds(context.poller, enabled, context.now())
    await progress.edit_text(render_poll_summary(tr, reports))
    # A feed can reach its alert or be disabled here too: the admins hear of it either way.
    await report_feed_health(context, reports)


async def stats(update: Update, context: BotContext) -> None:
    """/stats: subscribers, the outbox over the last 24 hours, and feeds in trouble."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    numbers = await context.store.bot_stats(context.now() - STATS_WINDOW)
    unhealthy = await context.store.unhealthy_feeds(MAX_LISTED_PROBLEMS)
    await reply(update, render_stats(reader.tr, numbers, unhealthy))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, for app.py to register."""
    return [
        command("addfeed", add_feed),
        command("delfeed", remove_feed),
        command("feeds", feeds),
        command("enablefeed", enable_feed),
        command("pollnow", poll_now),
        command("stats", stats),
    ]


def render_health(
    tr: Translator, listed: Sequence[Feed], topics: Mapping[int, Topic], now: datetime
) -> str:
    """Feed health, one block per feed, cut with "…and N more" to fit one message."""
    header = tr.ngettext("📡 {count} feed", "📡 {count} feeds", len(listed)).format(
        count=len(listed)
    )
    blocks: list[str] = []
    used = utf16_len(header)
    for feed in listed:
        block = _health_block(tr, feed, topics.get(feed.topic_id), now)
        if used + utf16_len(block) + 2 > LIST_BUDGET:
            break
        blocks.append(block)
        used += utf16_len(block) + 2
    rest = len(listed) - len(blocks)
    if rest:
        blocks.append(
            tr.ngettext("…and {count} more feed.", "…and {count} more feeds.", rest).format(
                count=rest
            )
        )
    return "\n\n".join([f"<b>{header}</b>", *blocks])


def render_poll_summary(tr: Translator, reports: Sequence[PollReport]) -> str:
    """What /pollnow did: new entries, feeds not modified, feeds failed with their errors."""
    new = sum(r.new_entries for r in reports if r.outcome is Outcome.NEW)
    unchanged = sum(r.outcome is Outcome.NOT_MODIFIED for r in reports)
    failed = [r for r in reports if r.outcome is Outcome.FAILED]
    lines = [
        tr.ngettext("Polled {count} feed.", "Polled {count} feeds.", len(reports)),
        tr.ngettext("🆕 {count} new entry", "🆕 {count} new entries", new),
        tr.ngettext("💤 {count} feed not modified", "💤 {count} feeds not modified", unchanged),
        tr.ngettext("❌ {count} feed failed", "❌ {count} feeds failed", len(failed)),
    ]
    counts = (len(reports), new, unchanged, len(failed))
    lines = [line.format(count=n) for line, n in zip(lines, counts, strict=True)]
    lines += _problem_lines(tr, [(r.feed, r.error or "") for r in failed])
    return "\n".join(lines)


def render_stats(tr: Translator, numbers: BotStats, unhealthy: Sequence[Feed]) -> str:
    """The /stats message: one labelled number a line, then the feeds in trouble."""
    labelled = [
        (tr.gettext("📚 Topics: {count}"), numbers.topics),
        (tr.gettext("📡 Feeds: {count}"), numbers.feeds),
        (tr.gettext("👥 Subscribed chats: {count}"), numbers.subscribers),
        (tr.gettext("⏸ Paused chats: {count}"), numbers.paused_chats),
        (tr.gettext("🚫 Blocked or gone chats: {count}"), numbers.inactive_chats),
        (tr.gettext("📬 Deliveries pending: {count}"), numbers.pending),
        (tr.gettext("✅ Sent in the last 24 hours: {count}"), numbers.sent),
        (tr.gettext("❌ Failed in the last 24 hours: {count}"), numbers.failed),
        (tr.gettext("⚠️ Failing feeds: {count}"), numbers.failing_feeds),
        (tr.gettext("⛔ Disabled feeds: {count}"), numbers.disabled_feeds),
    ]
    lines = ["<b>" + escape(tr.gettext("📊 Stats")) + "</b>"]
    lines += [label.format(count=count) for label, count in labelled]
    problems = [(f, f.last_error or "") for f in unhealthy]
    return "\n".join(
        lines + _problem_lines(tr, problems, numbers.failing_feeds + numbers.disabled_feeds)
    )


def _health_block(tr: Translator, feed: Feed, topic: Topic | None, now: datetime) -> str:
    if feed.disabled:
        status = tr.gettext("⛔ disabled")
    elif feed.failures:
        status = tr.ngettext(
            "⚠️ {count} failure in a row", "⚠️ {count} failures in a row", feed.failures
        ).format(count=feed.failures)
    elif feed.last_success_at is None:
        status = tr.gettext("🆕 not polled yet")
    else:
        status = tr.gettext("✅ healthy")
    where = f" · {escape(topic.slug)}" if topic else ""
    polled = (
        tr.format_ago(feed.last_polled_at, now) if feed.last_polled_at else tr.gettext("never")
    )
    lines = [
        f"{_feed_name(feed)} #{feed.id}{where}",
        _code(feed.url),
        tr.gettext("Last poll: {when}").format(when=escape(polled)) + f" · {status}",
    ]
    if feed.last_error:
        error = escape(shorten(feed.last_error, ERROR_CHARS))
        lines.append(tr.gettext("Last error: {error}").format(error=error))
    if feed.disabled and feed.disabled_reason:
        reason = escape(shorten(feed.disabled_reason, ERROR_CHARS))
        lines.append(tr.gettext("Why disabled: {reason}").format(reason=reason))
    return "\n".join(lines)


def _problem_lines(
    tr: Translator, problems: Sequence[tuple[Feed, str]], total: int | None = None
) -> list[str]:
    """A line per feed and its error, at most MAX_LISTED_PROBLEMS, then "…and N more"."""
    lines = [
        f"• {_feed_name(feed)} #{feed.id}: {escape(shorten(error, ERROR_CHARS))}"
        for feed, error in problems[:MAX_LISTED_PROBLEMS]
    ]
    rest = (len(problems) if total is None else total) - len(lines)
    if rest > 0:
        lines.append(
            tr.ngettext("…and {count} more feed.", "…and {count} more feeds.", rest).format(
                count=rest
            )
        )
    return lines


async def _topics_by_id(context: BotContext) -> dict[int, Topic]:
    return {topic.id: topic for topic in await context.store.list_topics()}


def render_add_feed(
    tr: Translator,
    outcome: outcomes.FeedAdded | outcomes.FeedAlreadyThere | outcomes.FeedRefused,
) -> str:
    """What came of adding a feed: added (with its entry count), already there, or refused."""
    match outcome:
        case outcomes.FeedAdded(topic, report):
            return _added(tr, report, topic)
        case outcomes.FeedAlreadyThere(topic, url):
            return _already(tr, url, topic)
        case outcomes.FeedRefused(url, reason):
            return tr.gettext("❌ Could not add {url}: {reason}").format(
                url=_code(url), reason=escape(shorten(reason, ERROR_CHARS))
            )


async def _not_one_feed(
    context: BotContext, tr: Translator, outcome: outcomes.NoSuchFeed | outcomes.AmbiguousFeed
) -> str:
    """There is no such feed, or the URL is in several topics: which ids to choose from."""
    if isinstance(outcome, outcomes.NoSuchFeed):
        text = tr.gettext("There is no feed {feed}. See /feeds.")
        return text.format(feed=_code(outcome.ref))
    topics = await _topics_by_id(context)
    lines = [f"• #{f.id} ({escape(topics[f.topic_id].slug)})" for f in outcome.feeds]
    text = tr.gettext("That URL is in several topics. Remove one by its id:")
    return text + "\n" + "\n".join(lines)


def _added(tr: Translator, report: PollReport, topic: Topic) -> str:
    count = report.new_entries
    text = tr.ngettext(
        "✅ Added {feed} to {topic}: {count} entry.",
        "✅ Added {feed} to {topic}: {count} entries.",
        count,
    ).format(feed=_feed_name(report.feed, report.title), topic=topic_label(topic), count=count)
    if report.problem:
        note = tr.gettext("The feed is ill-formed but usable: {problem}")
        text += "\n" + note.format(problem=escape(shorten(report.problem, ERROR_CHARS)))
    return text


def _already(tr: Translator, url: str, topic: Topic) -> str:
    text = tr.gettext("{url} is already in {topic}.")
    return text.format(url=_code(url), topic=topic_label(topic))


def _feed_name(feed: Feed, title: str = "") -> str:
    return f"<b>{escape(shorten(title or feed.title or feed.url, TITLE_CHARS))}</b>"


def _code(text: str) -> str:
    return f"<code>{escape(shorten(text, URL_CHARS))}</code>"
