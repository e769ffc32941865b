"""Sending a reply: Telegram HTML in the chat and forum thread the update came from."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.adapters.telegram.keyboards import markup
from bot.core.render import Rendered


async def reply(
    update: Update, html: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message:
    """Answer in the update's chat (and forum thread) with Telegram HTML."""
    message = update.effective_message
    if message is None:
        # A button under a message Telegram no longer shows the bot (an InaccessibleMessage,
        # older than 48 hours): the chat is still known.
        chat = update.effective_chat
        assert chat is not None, "replies go to updates that come from a chat"
        return await chat.send_message(html, reply_markup=keyboard)
    # reply_text keeps message_thread_id for messages in a forum topic.
    return await message.reply_text(html, reply_markup=keyboard, do_quote=False)


async def reply_rendered(update: Update, rendered: Rendered) -> Message:
    """Answer with a rendered digest message and its buttons."""
    return await reply(update, rendered.html, markup(rendered.buttons))


async def edit_under(
    query: CallbackQuery, html: str | None, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Redraw the message a button sits under: new text, or new buttons only if html is None.

    A message too old to be shown to the bot is left alone, and an edit that would change
    nothing (a second tap on the same choice) is not an error.
    """
    if not isinstance(query.message, Message):
        return
    try:
        if html is None:
            await query.edit_message_reply_markup(keyboard)
        else:
            await query.edit_message_text(html, reply_markup=keyboard)
    except BadRequest as error:
        if "message is not modified" not in error.message.lower():
            raise
