"""Finding the topic a reader named, or telling them there is none and what they meant."""

from __future__ import annotations

from html import escape
from typing import Final

from telegram import Update

from bot.chat.context import BotContext
from bot.chat.readers import Reader
from bot.chat.replies import reply
from bot.core import outcomes
from bot.core.i18n import Translator
from bot.core.models import Topic
from bot.core.render import shorten
from bot.operations.topics import find_topic as find

SHOWN_SLUG_CHARS: Final = 40


async def find_topic(
    update: Update, context: BotContext, reader: Reader, slug: str
) -> Topic | None:
    """The topic named by a slug, or a reply saying there is none (with the closest slug)."""
    found = await find(context.store, slug)
    if isinstance(found, outcomes.NoSuchTopic):
        await reply(update, render_no_such_topic(reader.tr, found))
        return None
    return found


def render_no_such_topic(tr: Translator, missing: outcomes.NoSuchTopic) -> str:
    """There is no such topic; did they mean the closest one, or see /topics."""
    text = tr.gettext("There is no topic “{slug}”.").format(
        slug=escape(shorten(missing.name, SHOWN_SLUG_CHARS))
    )
    if missing.guess:
        text += " " + tr.gettext("Did you mean {slug}?").format(
            slug=f"<code>{missing.guess}</code>"
        )
    elif missing.any_topics:
        text += " " + tr.gettext("See /topics.")
    return text
