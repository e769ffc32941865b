"""Subscriber commands: /start, /help, /topics, /subscribe, /unsubscribe, /mytopics, /latest."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.adapters.telegram.keyboards import markup, topic_buttons
from bot.chat.context import BotContext
from bot.chat.readers import Reader, may_manage, reader_of
from bot.chat.replies import edit_under, reply
from bot.chat.routing import button, command
from bot.chat.topics import find_topic, render_no_such_topic
from bot.core import outcomes
from bot.core.callbacks import Action, decode, encode
from bot.core.commands import command_lines
from bot.core.render import Button, shorten
from bot.operations.subscriptions import set_subscription, toggle_subscription

LATEST_COUNT = 5
TITLE_CHARS = 60


async def start(update: Update, context: BotContext) -> None:
    """Greet in the reader's language and offer the topics as buttons."""
    reader = await reader_of(update, context)
    tr = reader.tr
    text = "\n\n".join(
        [
            tr.gettext("👋 Hello! I turn news feeds into short digests."),
            tr.gettext(
                "Each article comes with a lede, three 💡 key points and its sources. "
                "Tap ▶ Next page to read on."
            ),
            tr.gettext("Choose your topics:"),
        ]
    )
    await reply(update, text, await _topic_keyboard(context, reader))


async def help_command(update: Update, context: BotContext) -> None:
    """List every command the reader may use, one line each."""
    reader = await reader_of(update, context)
    lines = [reader.tr.gettext("Commands:"), *command_lines(reader.tr, admin=reader.is_admin)]
    await reply(update, escape("\n".join(lines), quote=False))


async def topics(update: Update, context: BotContext) -> None:
    """All topics as toggle buttons with subscriber counts."""
    reader = await reader_of(update, context)
    keyboard = await _topic_keyboard(context, reader)
    text = reader.tr.gettext("Tap a topic to subscribe or unsubscribe:")
    if not keyboard:
        text = reader.tr.gettext("There are no topics yet.")
    await reply(update, text, keyboard)


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
    if not mine:
        text = reader.tr.gettext("You have no topics yet. Choose some with /topics.")
    else:
        lines = [f"• <b>{escape(t.name)}</b> ({escape(t.slug)})" for t in mine]
        text = reader.tr.gettext("Your topics:") + "\n" + "\n".join(lines)
    await reply(update, text)


async def latest(update: Update, context: BotContext) -> None:
    """/latest [topic]: the newest digests, each with a button to open it."""
    reader = await reader_of(update, context)
    topic_id = None
    if context.args:
        topic = await find_topic(update, context, reader, context.args[0])
        if topic is None:
            return
        topic_id = topic.id
    digests = await context.store.latest_digests(topic_id, limit=LATEST_COUNT)
    if not digests:
        await reply(update, reader.tr.gettext("Nothing to read yet."))
        return
    lines = [f"{n}. {escape(d.title)}" for n, (_, d) in enumerate(digests, 1)]
    buttons = [
        [Button(f"{n}. {shorten(d.title, TITLE_CHARS)}", encode(Action.OPEN, article_id))]
        for n, (article_id, d) in enumerate(digests, 1)
    ]
    await reply(
        update, reader.tr.gettext("The newest digests:") + "\n" + "\n".join(lines), markup(buttons)
    )


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
    note = (
        reader.tr.gettext("Subscribed to {topic}.")
        if changed.subscribed
        else reader.tr.gettext("Unsubscribed from {topic}.")
    )
    await query.answer(note.format(topic=topic.name))
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
        usage = (
            tr.gettext("Usage: /subscribe <topic>")
            if on
            else tr.gettext("Usage: /unsubscribe <topic>")
        )
        await reply(update, escape(usage, quote=False), await _topic_keyboard(context, reader))
        return
    if not await may_manage(update, context, reader):
        await reply(update, tr.gettext("Only the group's admins can change this."))
        return
    changed = await set_subscription(
        context.store, reader.chat_id, context.args[0], on=on, thread_id=reader.thread_id
    )
    if isinstance(changed, outcomes.NoSuchTopic):
        await reply(update, render_no_such_topic(tr, changed))
        return
    if changed.subscribed:
        text = (
            tr.gettext("Subscribed to {topic}.")
            if changed.changed
            else tr.gettext("You already receive {topic}.")
        )
    else:
        text = (
            tr.gettext("Unsubscribed from {topic}.")
            if changed.changed
            else tr.gettext("You were not subscribed to {topic}.")
        )
    await reply(update, text.format(topic=f"<b>{escape(changed.topic.name)}</b>"))


async def _topic_keyboard(context: BotContext, reader: Reader) -> InlineKeyboardMarkup | None:
    store = context.store
    all_topics = await store.list_topics()
    if not all_topics:
        return None
    subscribed = {t.id for t in await store.subscriptions(reader.chat_id)}
    return markup(topic_buttons(all_topics, subscribed, await store.subscriber_counts()))
