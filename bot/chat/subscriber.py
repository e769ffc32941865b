"""Subscriber commands: /start, /help, /topics, /subscribe, /unsubscribe, /mytopics, /latest."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.adapters.telegram.keyboards import markup, topic_buttons
from bot.chat.context import BotContext
from bot.chat.readers import Reader, may_manage, reader_of
from bot.chat.replies import edit_under, reply, reply_rendered
from bot.chat.routing import button, command
from bot.chat.topics import find_topic
from bot.core import outcomes
from bot.core.callbacks import Action, decode
from bot.core.render_reader import (
    MAX_LATEST,
    render_help,
    render_latest,
    render_my_topics,
    render_no_such_topic,
    render_start,
    render_subscription,
    render_subscription_usage,
    render_toggled,
    render_topics_prompt,
)
from bot.operations.subscriptions import set_subscription, toggle_subscription


async def start(update: Update, context: BotContext) -> None:
    """Greet in the reader's language and offer the topics as buttons."""
    reader = await reader_of(update, context)
    keyboard = await _topic_keyboard(context, reader)
    await reply(update, render_start(reader.tr, any_topics=keyboard is not None), keyboard)


async def help_command(update: Update, context: BotContext) -> None:
    """List every command the reader may use, one line each."""
    reader = await reader_of(update, context)
    await reply(update, render_help(reader.tr, admin=reader.is_admin))


async def topics(update: Update, context: BotContext) -> None:
    """All topics as toggle buttons with subscriber counts."""
    reader = await reader_of(update, context)
    keyboard = await _topic_keyboard(context, reader)
    await reply(update, render_topics_prompt(reader.tr, any_topics=bool(keyboard)), keyboard)


async def subscribe(update: Update, context: BotContext) -> None:
    """/subscribe <topic>."""
    await _change_subscription(update, context, on=True)


async def unsubscribe(update: Update, context: BotContext) -> None:
    """/unsubscribe <topic>."""
    await _change_subscription(update, context, on=False)


async def my_topics(update: Update, context: BotContext) -> None:
    """The topics this chat receives."""
    reader = await reader_of(update, context)
    mine = await context.store.subscriptions(reader.chat_id)
    await reply(update, render_my_topics(reader.tr, mine))


async def latest(update: Update, context: BotContext) -> None:
    """/latest [topic]: the newest digests, each with a button to open it."""
    reader = await reader_of(update, context)
    topic_id = None
    if context.args:
        topic = await find_topic(update, context, reader, " ".join(context.args))
        if topic is None:
            return
        topic_id = topic.id
    store = context.store
    digests = await store.latest_digests(topic_id, limit=MAX_LATEST, chat_id=reader.chat_id)
    await reply_rendered(update, render_latest(reader.tr, digests))


async def toggle_topic(update: Update, context: BotContext) -> None:
    """A topic button: subscribe or unsubscribe, then redraw the buttons."""
    query = update.callback_query
    assert query is not None
    reader = await reader_of(update, context)
    callback = decode(query.data)
    topic_id = callback.id_arg() if callback is not None else None
    topic = await context.store.get_topic_by_id(topic_id) if topic_id is not None else None
    if topic is None:
        await query.answer(reader.tr.gettext("That topic no longer exists."), show_alert=True)
        return
    if not await may_manage(update, context, reader):
        await query.answer(reader.tr.gettext("Only the group's admins can change this."))
        return
    changed = await toggle_subscription(context.store, reader.chat_id, topic.id, reader.thread_id)
    if changed is None:
        await query.answer(reader.tr.gettext("That topic no longer exists."), show_alert=True)
        return
    await query.answer(render_toggled(reader.tr, changed))
    keyboard = await _topic_keyboard(context, reader)
    if keyboard is not None:
        await edit_under(query, None, keyboard)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, for app.py to register."""
    return [
        command("start", start),
        command("help", help_command),
        command("topics", topics),
        command("subscribe", subscribe),
        command("unsubscribe", unsubscribe),
        command("mytopics", my_topics),
        command("latest", latest),
        button(Action.TOGGLE_TOPIC, toggle_topic),
    ]


async def _change_subscription(update: Update, context: BotContext, *, on: bool) -> None:
    reader = await reader_of(update, context)
    tr = reader.tr
    if not context.args:
        usage = render_subscription_usage(tr, on=on)
        await reply(update, usage, await _topic_keyboard(context, reader))
        return
    if not await may_manage(update, context, reader):
        await reply(update, tr.gettext("Only the group's admins can change this."))
        return
    changed = await set_subscription(
        context.store, reader.chat_id, " ".join(context.args), on=on, thread_id=reader.thread_id
    )
    if isinstance(changed, outcomes.NoSuchTopic):
        await reply(update, render_no_such_topic(tr, changed))
        return
    await reply(update, render_subscription(tr, changed))


async def _topic_keyboard(context: BotContext, reader: Reader) -> InlineKeyboardMarkup | None:
    store = context.store
    all_topics = await store.list_topics()
    if not all_topics:
        return None
    subscribed = {t.id for t in await store.subscriptions(reader.chat_id)}
    return markup(topic_buttons(all_topics, subscribed, await store.subscriber_counts()))
