"""Sending a reply: Telegram HTML in the chat and forum thread the update came from.

A reply previews no link unless its rendering names one (`Rendered.preview`): Telegram would
otherwise preview the first link of the text, a source or a feed that is not what was asked for.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Final

from telegram import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.error import BadRequest, RetryAfter

from bot.adapters.telegram.keyboards import markup
from bot.core.render import Rendered

MAX_REPLY_WAIT: Final = 10.0  # seconds a reply waits out Telegram's 429 once; longer: given up
NO_PREVIEW: Final = LinkPreviewOptions(is_disabled=True)


async def reply(
    update: Update, html: str, keyboard: InlineKeyboardMarkup | None = None, *, preview: str = ""
) -> Message:
    """Answer in the update's chat (and forum thread) with Telegram HTML.

    `preview` is the URL to preview, large and above the text; "" previews nothing. A 429 is
    waited out once when Telegram asks for at most MAX_REPLY_WAIT seconds: the handler waits,
    other updates go on (they are handled concurrently).
    """
    options = link_preview_options(preview)
    try:
        return await _reply(update, html, keyboard, options)
    except RetryAfter as error:
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        if seconds > MAX_REPLY_WAIT:
            raise
        await asyncio.sleep(seconds)
        return await _reply(update, html, keyboard, options)


def link_preview_options(preview: str) -> LinkPreviewOptions:
    """The preview of `preview`, large and above the text; disabled when it is ""."""
    if not preview:
        return NO_PREVIEW
    return LinkPreviewOptions(url=preview, prefer_large_media=True, show_above_text=True)


async def _reply(
    update: Update,
    html: str,
    keyboard: InlineKeyboardMarkup | None,
    options: LinkPreviewOptions,
) -> Message:
    message = update.effective_message
    if message is None:
        # A button under a message Telegram no longer shows the bot (an InaccessibleMessage,
        # older than 48 hours): the chat is still known.
        chat = update.effective_chat
        assert chat is not None, "replies go to updates that come from a chat"
        return await chat.send_message(html, reply_markup=keyboard, link_preview_options=options)
    # reply_text keeps message_thread_id for messages in a forum topic.
    return await message.reply_text(
        html, reply_markup=keyboard, do_quote=False, link_preview_options=options
    )


async def reply_rendered(update: Update, rendered: Rendered) -> Message:
    """Answer with a rendered message, its buttons and its preview (if it names one)."""
    return await reply(update, rendered.html, markup(rendered.buttons), preview=rendered.preview)


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
            await query.edit_message_text(
                html, reply_markup=keyboard, link_preview_options=NO_PREVIEW
            )
    except BadRequest as error:
        if "message is not modified" not in error.message.lower():
            raise
