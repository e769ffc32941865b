"""Admin feed commands: /addfeed, /delfeed, /feeds (health), /enablefeed, /pollnow, /stats."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import BaseHandler

from bot.adapters.chart_png import draw_apart
from bot.adapters.telegram.keyboards import markup
from bot.chat.admin import admin_reader, usage
from bot.chat.alerts import report_feed_health
from bot.chat.context import BotContext
from bot.chat.readers import Reader
from bot.chat.replies import edit_under, reply, reply_rendered
from bot.chat.routing import button, command
from bot.chat.topics import find_topic
from bot.core import outcomes
from bot.core.callbacks import Action, decode, parse_id
from bot.core.chart import chart_start, fits_caption, shape_stats_chart
from bot.core.models import BotStats, Topic
from bot.core.render_feeds import (
    MAX_LISTED_PROBLEMS,
    render_add_feed,
    render_checking,
    render_choice_expired,
    render_feed_enabled,
    render_feed_removed,
    render_health,
    render_not_one_feed,
    render_poll_summary,
    render_polling,
    render_stats,
)
from bot.operations import feeds as feeds_ops
from bot.operations.maintenance import HISTORY_KEEP

log = logging.getLogger(__name__)

STATS_WINDOW: Final = timedelta(hours=24)
FEED_CHOICES: Final = "feed_choices"  # chat_data key: {message id: the page's feeds}
MAX_OFFERED: Final = 5


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
        await reply_rendered(update, render_add_feed(tr, outcomes.FeedAlreadyThere(topic, url)))
        return
    progress = await reply(update, render_checking(tr, url))
    await context.bot.send_chat_action(
        reader.chat_id, ChatAction.TYPING, message_thread_id=reader.thread_id
    )
    outcome = await feeds_ops.add_feed(context.store, context.poller, topic, url, context.now())
    if isinstance(outcome, outcomes.FeedChoices):
        # Buttons carry the topic and an index: the page's feeds wait here for the press,
        # under the message they were offered in (a few, the newest kept).
        assert context.chat_data is not None, "a command comes from a chat"
        offered = context.chat_data.setdefault(FEED_CHOICES, {})
        offered[progress.message_id] = outcome
        for old in sorted(offered)[:-MAX_OFFERED]:
            del offered[old]
    rendered = render_add_feed(tr, outcome)
    await progress.edit_text(rendered.html, reply_markup=markup(rendered.buttons))


async def add_found_feed(update: Update, context: BotContext) -> None:
    """A button under "which feed?": add the feed the page named at that place."""
    query = update.callback_query
    assert query is not None
    reader = await admin_reader(update, context)
    if reader is None:
        return
    callback = decode(query.data)
    memory = context.chat_data
    assert memory is not None, "a button press comes from a chat"
    offered = memory.get(FEED_CHOICES, {})
    message_id = query.message.message_id if query.message else None
    choices = offered.get(message_id)
    topic_id = callback.id_arg(0) if callback is not None else None
    index = callback.id_arg(1) if callback is not None else None
    if (
        not isinstance(choices, outcomes.FeedChoices)
        or choices.topic.id != topic_id
        or index is None
        or index >= len(choices.feeds)
    ):
        await query.answer(render_choice_expired(reader.tr), show_alert=True)
        return
    await query.answer()
    url = choices.feeds[index].url
    await edit_under(query, render_checking(reader.tr, url))
    outcome = await feeds_ops.add_feed(
        context.store, context.poller, choices.topic, url, context.now()
    )
    offered.pop(message_id, None)
    rendered = render_add_feed(reader.tr, outcome)
    await edit_under(query, rendered.html, markup(rendered.buttons))


async def remove_feed(update: Update, context: BotContext) -> None:
    """/delfeed <url or id>: remove a feed with its articles."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if len(args) != 1:
        await usage(update, tr.gettext("Usage: /delfeed <url or id>"))
        return
    removed = await feeds_ops.remove_feed(context.store, args[0])
    if isinstance(removed, outcomes.FeedRemoved):
        await reply(update, render_feed_removed(tr, removed))
    else:
        await reply(update, render_not_one_feed(tr, removed, await _topics_by_id(context)))


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
    if isinstance(enabled, outcomes.FeedEnabled):
        await reply(update, render_feed_enabled(tr, enabled))
    else:
        await reply(update, render_not_one_feed(tr, enabled, await _topics_by_id(context)))


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
    progress = await reply(update, render_polling(tr, len(enabled)))
    reports = await feeds_ops.poll_feeds(context.poller, enabled, context.now())
    await progress.edit_text(render_poll_summary(tr, reports))
    # A feed can reach its alert or be disabled here too: the admins hear of it either way.
    await report_feed_health(context, reports)


async def stats(update: Update, context: BotContext) -> None:
    """/stats: subscribers, the outbox over the last 24 hours, feeds in trouble, and a chart.

    The chart is a photo with the text as its caption when the text fits one, else a photo
    after the text. Whatever goes wrong with the chart, the text is sent.
    """
    reader = await admin_reader(update, context)
    if reader is None:
        return
    now = context.now()
    numbers = await context.store.bot_stats(now - STATS_WINDOW)
    unhealthy = await context.store.unhealthy_feeds(MAX_LISTED_PROBLEMS)
    text = render_stats(reader.tr, numbers, unhealthy)
    png = await _stats_chart(context, reader, numbers, now)
    message = update.effective_message
    if png is None or message is None:
        await reply(update, text)
        return
    captioned = fits_caption(text)
    if not captioned:
        await reply(update, text)
    try:
        await message.reply_photo(png, caption=text if captioned else None, do_quote=False)
    except TelegramError as error:
        log.warning("could not send the /stats chart: %s", error)
        if captioned:
            await reply(update, text)


async def _stats_chart(
    context: BotContext, reader: Reader, numbers: BotStats, now: datetime
) -> bytes | None:
    """The /stats chart as a PNG in the chat's language and timezone; None without one."""
    store = context.store
    try:
        chat = await store.get_chat(reader.chat_id)
        tz = _zone(chat.timezone if chat else "UTC")
        since = chart_start(now, tz)
        ok = numbers.feeds - numbers.failing_feeds - numbers.disabled_feeds
        chart = shape_stats_chart(
            reader.tr,
            now=now,
            tz=tz,
            topics={topic.id: topic.name for topic in await store.list_topics()},
            pushes=await store.pushes_by_hour(since),
            throttles=await store.throttles_by_hour(since),
            health=(ok, numbers.failing_feeds, numbers.disabled_feeds),
            # Hourly counts outlive the outbox rows they were counted from (push_hours).
            kept=HISTORY_KEEP,
        )
        if chart is None:
            return None
        await context.bot.send_chat_action(
            reader.chat_id, ChatAction.UPLOAD_PHOTO, message_thread_id=reader.thread_id
        )
        # A second or two of drawing, and matplotlib's memory: in a process of its own.
        return await draw_apart(chart)
    except Exception as error:  # the text goes out without its chart, whatever happened
        log.warning("could not draw the /stats chart: %r", error)
        return None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, for app.py to register."""
    return [
        command("addfeed", add_feed),
        command("delfeed", remove_feed),
        command("feeds", feeds),
        command("enablefeed", enable_feed),
        command("pollnow", poll_now),
        command("stats", stats),
        button(Action.ADD_FOUND_FEED, add_found_feed),
    ]


async def _topics_by_id(context: BotContext) -> dict[int, Topic]:
    return {topic.id: topic for topic in await context.store.list_topics()}
