"""The one error handler: log the unexpected, tell the user something went wrong, no traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.chat.context import BotContext
from bot.core.i18n import pick_language

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the error with its traceback; answer the user briefly in their language."""
    log.error("error while handling %r", update, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    tr = context.translators[pick_language(user.language_code if user else None)]
    text = tr.gettext("Sorry, something went wrong. Please try again later.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text, do_quote=False)
    except TelegramError:
        log.warning("could not tell chat %s about the error", update.effective_chat.id)
