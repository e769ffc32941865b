"""What no other handler takes: unknown commands and plain text get a pointer to /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.chat.context import BotContext
from bot.chat.readers import reader_of
from bot.chat.replies import reply
from bot.core.render_reader import render_text_hint, render_unknown_command


async def unknown_command(update: Update, context: BotContext) -> None:
    """Say the command is unknown and point to /help."""
    reader = await reader_of(update, context)
    message = update.effective_message
    name = (message.text or "").split()[0] if message and message.text else ""
    await reply(update, render_unknown_command(reader.tr, name))


async def plain_text(update: Update, context: BotContext) -> None:
    """Text that is not a command: one line pointing to /help."""
    reader = await reader_of(update, context)
    await reply(update, render_text_hint(reader.tr))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """Registered last, so every known command (and an admin's awaited reply) is taken first."""
    # Only in private chats: in a group, "/cmd" or chatter may well be meant for others.
    private = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, plain_text),
    ]
