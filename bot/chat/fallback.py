"""What no other handler takes: unknown commands get a pointer to /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.chat.context import BotContext
from bot.chat.readers import reader_of
from bot.chat.replies import reply
from bot.core.render_reader import render_unknown_command


async def unknown_command(update: Update, context: BotContext) -> None:
    """Say the command is unknown and point to /help."""
    reader = await reader_of(update, context)
    message = update.effective_message
    name = (message.text or "").split()[0] if message and message.text else ""
    await reply(update, render_unknown_command(reader.tr, name))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """Registered last, so every known command is taken first."""
    # Only in private chats: in a group, "/cmd" may well be meant for another bot.
    only_here = filters.UpdateType.MESSAGE & filters.COMMAND & filters.ChatType.PRIVATE
    return [MessageHandler(only_here, unknown_command)]
