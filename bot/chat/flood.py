"""Checked before any handler: a per-sender command rate, and a cap on a command's length.

A sender over the rate gets one notice in their language, then silence for the cooldown;
a command over MAX_COMMAND_CHARS gets a clear refusal and reaches no handler. The bot's
admins are not rate-limited.
"""

from __future__ import annotations

import logging
from typing import Final

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.chat.context import BotContext
from bot.core.commands import ADMIN_COMMANDS, SUBSCRIBER_COMMANDS
from bot.core.flood import (
    MAX_COMMAND_CHARS,
    FloodRule,
    Sender,
    Verdict,
    idle_senders,
    is_too_long,
    judge,
)
from bot.core.i18n import Translator, pick_language

log = logging.getLogger(__name__)

# Forgetting idle senders walks the whole table, so it is done once every so many verdicts.
SWEEP_EVERY: Final = 1000
KNOWN_COMMANDS: Final = frozenset(name for name, _ in SUBSCRIBER_COMMANDS + ADMIN_COMMANDS)


class FloodGate:
    """The group -1 callback: judges each command or button press, stops what is refused."""

    def __init__(self, rule: FloodRule | None) -> None:
        self.rule = rule
        self._senders: dict[int, Sender] = {}
        self._verdicts = 0

    async def __call__(self, update: Update, context: BotContext) -> None:
        """Let the update through, or answer it at most once and stop it."""
        command = _command_text(update, context.bot.username)
        if command is None and update.callback_query is None:
            return
        key = _sender_key(update)
        if self.rule is not None and key is not None and key not in context.settings.admin_ids:
            verdict = self._judge(key, context, self.rule)
            if verdict is Verdict.DROP:
                raise ApplicationHandlerStop
            if verdict is Verdict.NOTICE:
                tr = await _translator(update, context)
                await _tell(
                    update,
                    tr.gettext("You are sending commands too fast. Please wait a minute."),
                )
                raise ApplicationHandlerStop
        if command is not None and is_too_long(command):
            tr = await _translator(update, context)
            text = tr.gettext(
                "That command is too long: at most {count} characters. Nothing was changed."
            )
            await _tell(update, text.format(count=MAX_COMMAND_CHARS))
            raise ApplicationHandlerStop

    def _judge(self, key: int, context: BotContext, rule: FloodRule) -> Verdict:
        # No await between reading and writing the table: concurrent updates cannot interleave.
        now = context.now()
        verdict, self._senders[key] = judge(self._senders.get(key, Sender()), now, rule)
        self._verdicts += 1
        if self._verdicts % SWEEP_EVERY == 0:
            for idle in idle_senders(self._senders, now, rule):
                del self._senders[idle]
        return verdict


def handler(user_rate: int) -> TypeHandler[Update, BotContext, None]:
    """The gate for app.py to register in group -1; a rate of 0 turns the rate limit off."""
    rule = FloodRule(max_events=user_rate) if user_rate > 0 else None
    return TypeHandler(Update, FloodGate(rule))


def _command_text(update: Update, username: str) -> str | None:
    """A new message's text or caption, when it is a command this bot may answer."""
    message = update.message
    text = (message.text or message.caption or "") if message else ""
    if message is None or not text.startswith("/"):
        return None
    name, _, target = text.split(maxsplit=1)[0][1:].partition("@")
    if target and target.lower() != username.lower():
        return None  # "/start@otherbot" in a group is for another bot
    if message.chat.type != ChatType.PRIVATE and name.lower() not in KNOWN_COMMANDS:
        return None  # in a group, an unknown command is someone else's too
    return text


def _sender_key(update: Update) -> int | None:
    """Who to count: the presser of a button, else the user or chat a message is sent as."""
    if update.callback_query is not None:
        return update.callback_query.from_user.id
    message = update.message
    if message is not None and message.sender_chat is not None:
        # Anonymous group admins all post as one "GroupAnonymousBot" user: count the chat.
        return message.sender_chat.id
    user = update.effective_user
    return user.id if user else None


async def _translator(update: Update, context: BotContext) -> Translator:
    """The sender's language: the chat's choice if stored, else their Telegram language."""
    chat = update.effective_chat
    stored = await context.store.get_chat(chat.id) if chat else None
    if stored is not None and stored.language:
        return context.translators[stored.language]
    user = update.effective_user
    code = user.language_code if user else None
    return context.translators[pick_language(code, context.settings.default_language)]


async def _tell(update: Update, text: str) -> None:
    """Answer the button press or the message; a refused answer is only logged."""
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text)
        elif update.message is not None:
            await update.message.reply_text(text, do_quote=False)
    except TelegramError as error:
        log.warning("could not answer a refused update: %s", error)
