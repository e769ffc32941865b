"""Finding the topic a reader named, or telling them there is none and what they meant."""

from __future__ import annotations

from html import escape
from typing import Final

from telegram import Update

from bot.adapters.telegram.context import BotContext
from bot.adapters.telegram.readers import Reader
from bot.adapters.telegram.replies import reply
from bot.core.models import Topic
from bot.core.render import shorten
from bot.core.topics import closest_slug

SHOWN_SLUG_CHARS: Final = 40


async def find_topic(
    update: Update, context: BotContext, reader: Reader, slug: str
) -> Topic | None:
    """The topic named by a slug, or a reply saying there is none (with the closest slug)."""
    topic = await context.store.get_topic(slug.lower())
    if topic is not None:
        return topic
    known = [t.slug for t in await context.store.list_topics()]
    guess = closest_slug(slug, known)
    tr = reader.tr
    text = tr.gettext("There is no topic “{slug}”.").format(
        slug=escape(shorten(slug, SHOWN_SLUG_CHARS))
    )
    if guess:
        text += " " + tr.gettext("Did you mean {slug}?").format(slug=f"<code>{guess}</code>")
    elif known:
        text += " " + tr.gettext("See /topics.")
    await reply(update, text)
    return None
