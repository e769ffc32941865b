"""Admin commands for topics: /addtopic, /renametopic, /deltopic and its buttons, /filter.

Also what every admin module shares: `admin_reader` (refuses anyone else, politely, in their
language); `find_topic` lives in topics.py.
"""

from __future__ import annotations

import logging
from html import escape
from typing import Final

from telegram import Update
from telegram.ext import BaseHandler

from bot.adapters.telegram.keyboards import markup
from bot.adapters.telegram.sender import send
from bot.chat.context import BotContext
from bot.chat.readers import Reader, reader_of
from bot.chat.replies import edit_under, reply
from bot.chat.routing import button, command
from bot.chat.topics import find_topic
from bot.core import outcomes
from bot.core.callbacks import Action, decode, encode
from bot.core.delivery import SendFailure
from bot.core.filters import MAX_KEYWORD_CHARS, MAX_KEYWORDS, FilterArgsError, parse_filter_args
from bot.core.i18n import Translator
from bot.core.models import Topic
from bot.core.render import Button, shorten
from bot.core.render_reader import render_no_such_topic
from bot.operations import topics

log = logging.getLogger(__name__)

SHOWN_ARG_CHARS: Final = 40
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


def topic_label(topic: Topic) -> str:
    """A topic's name in bold and its slug, as Telegram HTML."""
    return f"<b>{escape(topic.name)}</b> (<code>{escape(topic.slug)}</code>)"


async def usage(update: Update, text: str) -> None:
    """Reply with a usage line such as "Usage: /addtopic <slug> <name>", escaped."""
    await reply(update, escape(text, quote=False))


async def add_topic(update: Update, context: BotContext) -> None:
    """/addtopic <slug> <name>: a new topic people can subscribe to."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if len(args) < 2:
        await usage(update, tr.gettext("Usage: /addtopic <slug> <name>"))
        return
    slug, name = args[0], " ".join(args[1:])
    match await topics.add_topic(context.store, slug, name):
        case outcomes.TopicAdded(topic):
            text = tr.gettext("✅ Added the topic {topic}. Now add feeds: {command}")
            command_text = escape(f"/addfeed {topic.slug} <url>")
            text = text.format(topic=topic_label(topic), command=f"<code>{command_text}</code>")
        case outcomes.TopicExists(slug):
            text = tr.gettext("There is already a topic {slug}. Rename it with /renametopic.")
            text = text.format(slug=f"<code>{escape(slug)}</code>")
        case problem:
            text = topic_problem(tr, problem)
    await reply(update, text)


async def rename_topic(update: Update, context: BotContext) -> None:
    """/renametopic <slug> <name>: a new display name; subscriptions stay."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    if len(args) < 2:
        await usage(update, tr.gettext("Usage: /renametopic <slug> <name>"))
        return
    match await topics.rename_topic(context.store, args[0], " ".join(args[1:])):
        case outcomes.TopicRenamed(old, topic):
            text = tr.gettext("✏️ Renamed {old} to {topic}.")
            text = text.format(old=escape(old.name), topic=topic_label(topic))
        case outcomes.NoSuchTopic() as missing:
            text = render_no_such_topic(tr, missing)
        case problem:
            text = topic_problem(tr, problem)
    await reply(update, text)


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
    buttons = [
        [
            Button(tr.gettext("🗑 Delete"), encode(Action.DELETE_TOPIC, topic.id)),
            Button(tr.gettext("Cancel"), encode(Action.CANCEL)),
        ]
    ]
    await reply(update, _delete_question(tr, topic, chats), markup(buttons))


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
    await edit_under(query, _deleted(tr, removed.topic, told, len(chats)))


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
        text = tr.gettext("The topic {topic} was removed: no more digests will come from it.")
        result = await send(
            context.bot, chat_id, text.format(topic=f"<b>{escape(topic.name)}</b>")
        )
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
        await reply(update, describe_filters(tr, topic))
        return
    words = _filter_words(args[1:])
    if words is None:
        text = tr.gettext("At most {count} keywords, each at most {chars} characters long.")
        await reply(update, text.format(count=MAX_KEYWORDS, chars=MAX_KEYWORD_CHARS))
        return
    topic = await topics.set_filters(context.store, topic, *words)
    await reply(update, tr.gettext("Saved.") + "\n" + describe_filters(tr, topic))


def describe_filters(tr: Translator, topic: Topic) -> str:
    """A topic's filters, one line each, and the command that sets them again."""
    if not topic.include and not topic.exclude:
        text = tr.gettext("{topic} has no filters: every article passes.")
        return text.format(topic=topic_label(topic))
    lines = [tr.gettext("Filters of {topic}:").format(topic=topic_label(topic))]
    if topic.include:
        words = ", ".join(escape(w) for w in topic.include)
        lines.append(tr.gettext("➕ Only articles that mention: {words}").format(words=words))
    if topic.exclude:
        words = ", ".join(escape(w) for w in topic.exclude)
        lines.append(tr.gettext("➖ Never articles that mention: {words}").format(words=words))
    signed = [f"+{w}" for w in topic.include] + [f"-{w}" for w in topic.exclude]
    line = escape(f"/filter {topic.slug} {' '.join(signed)}")
    lines.append(tr.gettext("To change them: {command}").format(command=f"<code>{line}</code>"))
    return "\n".join(lines)


def topic_problem(tr: Translator, problem: outcomes.BadSlug | outcomes.BadName) -> str:
    """Why a slug or name cannot be used for a topic."""
    if isinstance(problem, outcomes.BadSlug):
        text = tr.gettext(
            "“{slug}” cannot be a slug: use up to 32 lower-case letters, digits, - and _, "
            "starting with a letter or digit."
        )
        return text.format(slug=escape(shorten(problem.slug, SHOWN_ARG_CHARS)))
    text = tr.gettext("A topic name has 1 to {count} characters.")
    return text.format(count=problem.max_chars)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, for app.py to register."""
    return [
        command("addtopic", add_topic),
        command("renametopic", rename_topic),
        command("deltopic", delete_topic),
        command("filter", filter_command),
        # Telling every subscriber takes a while: don't hold up other chats meanwhile.
        button(Action.DELETE_TOPIC, confirm_delete_topic),
        button(Action.CANCEL, cancel),
    ]


def _delete_question(tr: Translator, topic: Topic, chats: int) -> str:
    question = tr.gettext("🗑 Delete the topic {topic}? Its feeds and articles go with it.")
    told = tr.ngettext(
        "{count} subscribed chat will be told.", "{count} subscribed chats will be told.", chats
    )
    return question.format(topic=topic_label(topic)) + "\n" + told.format(count=chats)


def _deleted(tr: Translator, topic: Topic, told: int, total: int) -> str:
    done = tr.gettext("🗑 Deleted the topic {topic}.")
    heard = tr.ngettext(
        "Told {count} of {total} subscribed chat.",
        "Told {count} of {total} subscribed chats.",
        total,
    )
    return done.format(topic=topic_label(topic)) + "\n" + heard.format(count=told, total=total)


def _filter_words(args: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(include, exclude) from "clear" or +word -word arguments; None when there are too many."""
    if [arg.lower() for arg in args] == [CLEAR]:
        return (), ()
    try:
        return parse_filter_args(args)
    except FilterArgsError:
        return None
