"""Handler factories: commands answer new messages only, buttons route by their action."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.chat.context import BotContext
from bot.core.callbacks import Action, pattern

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

# Edits are not new commands (editing "/deltopic x" must not run it again), and channel
# posts are not commands: channels only receive pushes.
NEW_MESSAGES = filters.UpdateType.MESSAGE


def command(name: str, callback: Callback) -> CommandHandler[BotContext, None]:
    """A /command handler for new messages (edits are ignored on purpose)."""
    return CommandHandler(name, callback, filters=NEW_MESSAGES)


def button(action: Action, callback: Callback) -> CallbackQueryHandler[BotContext, None]:
    """A handler for the buttons of one action."""
    return CallbackQueryHandler(callback, pattern=pattern(action))
