"""Admin commands for topics: /addtopic, /renametopic, /deltopic and its buttons, /filter,
/topic (a topic's settings) and its buttons.

Also what every admin module shares: `admin_reader` (refuses anyone else, politely, in their
language) and `usage`; `find_topic` lives in topics.py. The texts are `core.render_admin`'s.
"""

from __future__ import annotations

import logging
from typing import Final

from telegram import Update
from telegram.ext import BaseHandler

from bot.adapters.telegram.keyboards import markup
from bot.adapters.telegram.sender import send
from bot.chat.context import BotContext
from bot.chat.readers import Reader, reader_of
from bot.chat.replies import edit_under, reply, reply_rendered
from bot.chat.routing import button, command
from bot.chat.topics import find_topic
from bot.core import outcomes
from bot.core.callbacks import Action, decode
from bot.core.delivery import SendFailure
from bot.core.filters import FilterArgsError, parse_filter_args
from bot.core.models import LinkPreview, Topic
from bot.core.render import render_plain
from bot.core.render_admin import (
    DEFAULT_PREVIEW,
    render_add_topic,
    render_delete_question,
    render_filter_limits,
    render_filters,
    render_filters_saved,
    render_rename_topic,
    render_topic_deleted,
    render_topic_removed,
    render_topic_settings,
)
from bot.operations import topics

log = logging.getLogger(__name__)

CLEAR: Final = "clear"


async def require_admin(update: Update, context: BotContext, reader: Reader) -> bool:
    """True for the bot's admins; anyone else is told so, politely, and nothing happens."""
    if reader.is_admin:
        return True
    text = reader.tr.gettext("Sorry, only the bot's admins can do that.")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await reply(update, text)
    return False


async def admin_reader(update: Update, context: BotContext) -> Reader | None:
    """The reader of an admin command or button; None (after a refusal) for anyone else."""
    reader = await reader_of(update, context)
    return reader if await require_admin(update, context, reader) else None


async def usage(update: Update, text: str) -> None:
    """Reply with a usage line such as "Usage: /addtopic <slug> <name>", escaped."""
    await reply(update, render_plain(text))


async def add_topic(update: Update, context: BotContext) -> None:
    """/addtopic <slug> <name>: a new topic people can subscribe to."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if len(args) < 2:
        await usage(update, tr.gettext("Usage: /addtopic <slug> <name>"))
        return
    added = await topics.add_topic(context.store, args[0], " ".join(args[1:]))
    await reply(update, render_add_topic(tr, added))


async def rename_topic(update: Update, context: BotContext) -> None:
    """/renametopic <slug> <name>: a new display name; subscriptions stay."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if len(args) < 2:
        await usage(update, tr.gettext("Usage: /renametopic <slug> <name>"))
        return
    renamed = await topics.rename_topic(context.store, args[0], " ".join(args[1:]))
    await reply(update, render_rename_topic(tr, renamed))


async def delete_topic(update: Update, context: BotContext) -> None:
    """/deltopic <slug>: ask for confirmation, with [Delete] and [Cancel] buttons."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if len(args) != 1:
        await usage(update, tr.gettext("Usage: /deltopic <slug>"))
        return
    topic = await find_topic(update, context, reader, args[0])
    if topic is None:
        return
    chats = len(await context.store.subscribers(topic.id))
    await reply_rendered(update, render_delete_question(tr, topic, chats))


async def confirm_delete_topic(update: Update, context: BotContext) -> None:
    """[Delete]: remove the topic, then tell each chat that was subscribed to it."""
    query = update.callback_query
    assert query is not None
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr = reader.tr
    callback = decode(query.data)
    topic_id = callback.id_arg() if callback is not None else None
    topic = await context.store.get_topic_by_id(topic_id) if topic_id is not None else None
    # A second press finds the topic gone: only one tells the chats.
    removed = await topics.remove_topic(context.store, topic) if topic else None
    if not isinstance(removed, outcomes.TopicRemoved):
        await query.answer(tr.gettext("That topic no longer exists."), show_alert=True)
        return
    await query.answer(tr.gettext("Deleted."))
    chats = list(removed.chat_ids)
    told = await tell_topic_removed(context, removed.topic, chats)
    await edit_under(query, render_topic_deleted(tr, removed.topic, told, len(chats)))


async def cancel(update: Update, context: BotContext) -> None:
    """[Cancel]: nothing happens; the question says so."""
    query = update.callback_query
    assert query is not None
    reader = await admin_reader(update, context)
    if reader is None:
        return
    await query.answer()
    await edit_under(query, reader.tr.gettext("Cancelled: nothing was changed."))


async def tell_topic_removed(context: BotContext, topic: Topic, chat_ids: list[int]) -> int:
    """Tell each chat, in its language, that a topic it read is gone; return how many heard."""
    told = 0
    for chat_id in chat_ids:
        chat = await context.store.get_chat(chat_id)
        tr = context.translators[chat.language if chat else None]
        result = await send(context.bot, chat_id, render_topic_removed(tr, topic))
        if isinstance(result, SendFailure):
            log.warning(
                "could not tell chat %s that topic %s is gone: %s",
                chat_id,
                topic.slug,
                result.message,
            )
        else:
            told += 1
    return told


async def filter_command(update: Update, context: BotContext) -> None:
    """/filter <slug> [+word -word … | clear]: show or set a topic's keyword filters."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if not args:
        await usage(
            update, tr.gettext("Usage: /filter <slug> +word -word, or /filter <slug> clear")
        )
        return
    topic = await find_topic(update, context, reader, args[0])
    if topic is None:
        return
    if len(args) == 1:
        await reply(update, render_filters(tr, topic))
        return
    words = _filter_words(args[1:])
    if words is None:
        await reply(update, render_filter_limits(tr))
        return
    topic = await topics.set_filters(context.store, topic, *words)
    await reply(update, render_filters_saved(tr, topic))


async def topic_settings(update: Update, context: BotContext) -> None:
    """/topic <slug>: a topic's settings, with buttons to change them."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if len(args) != 1:
        await usage(update, tr.gettext("Usage: /topic <slug>"))
        return
    topic = await find_topic(update, context, reader, args[0])
    if topic is None:
        return
    await reply_rendered(update, render_topic_settings(tr, topic, context.settings.link_preview))


async def set_link_preview(update: Update, context: BotContext) -> None:
    """[🖼 Lead image] / [📰 Article page] / [🚫 No preview] / [↩️ Default] under /topic."""
    query = update.callback_query
    assert query is not None
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr = reader.tr
    callback = decode(query.data)
    topic_id = callback.id_arg() if callback is not None else None
    choice = callback.args[1] if callback is not None and len(callback.args) == 2 else ""
    if topic_id is None or choice not in {DEFAULT_PREVIEW, *LinkPreview}:
        await query.answer(tr.gettext("This button is no longer valid."), show_alert=True)
        return
    mode = None if choice == DEFAULT_PREVIEW else LinkPreview(choice)
    topic = None
    if await context.store.set_link_preview(topic_id, mode):
        topic = await context.store.get_topic_by_id(topic_id)
    if topic is None:
        await query.answer(tr.gettext("That topic no longer exists."), show_alert=True)
        return
    await query.answer(tr.gettext("Saved."))
    rendered = render_topic_settings(tr, topic, context.settings.link_preview)
    await edit_under(query, rendered.html, markup(rendered.buttons))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, for app.py to register."""
    return [
        command("addtopic", add_topic),
        command("renametopic", rename_topic),
        command("deltopic", delete_topic),
        command("filter", filter_command),
        command("topic", topic_settings),
        # Telling every subscriber takes a while: don't hold up other chats meanwhile.
        button(Action.DELETE_TOPIC, confirm_delete_topic),
        button(Action.CANCEL, cancel),
        button(Action.LINK_PREVIEW, set_link_preview),
    ]


def _filter_words(args: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(include, exclude) from "clear" or +word -word arguments; None when there are too many."""
    if [arg.lower() for arg in args] == [CLEAR]:
        return (), ()
    try:
        return parse_filter_args(args)
    except FilterArgsError:
        return None
