"""Finding the topic a reader named, or telling them there is none and what they meant."""

from __future__ import annotations

from telegram import Update

from bot.chat.context import BotContext
from bot.chat.readers import Reader
from bot.chat.replies import reply
from bot.core import outcomes
from bot.core.models import Topic
from bot.core.render_reader import render_no_such_topic
from bot.operations.topics import find_topic as find


async def find_topic(
    update: Update, context: BotContext, reader: Reader, slug: str
) -> Topic | None:
    """The topic named by a slug, or a reply saying there is none (with the closest slug)."""
    found = await find(context.store, slug)
    if isinstance(found, outcomes.NoSuchTopic):
        await reply(update, render_no_such_topic(reader.tr, found))
        return None
    return found
