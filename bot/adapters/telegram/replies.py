"""Sending a reply: Telegram HTML in the chat and forum thread the update came from."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from bot.adapters.telegram.keyboards import markup
from bot.core.render import Rendered


async def reply(
    update: Update, html: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message:
    """Answer in the update's chat (and forum thread) with Telegram HTML."""
    message = update.effective_message
    assert message is not None, "replies go to updates that carry a message"
    # reply_text keeps message_thread_id for messages in a forum topic.
    return await message.reply_text(html, reply_markup=keyboard, do_quote=False)


async def reply_rendered(update: Update, rendered: Rendered) -> Message:
    """Answer with a rendered digest message and its buttons."""
    return await reply(update, rendered.html, markup(rendered.buttons))
