"""Sending one message through PTB; every refusal comes back as a plain SendFailure."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.core.delivery import FailureKind, SendFailure


async def send(
    bot: Bot,
    chat_id: int,
    html: str | None,
    *,
    plain: str | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
    thread_id: int | None = None,
    paid: bool = False,
    read_timeout: float | None = None,
) -> Message | SendFailure:
    """Send Telegram HTML, or `plain` text when html is None; failures are returned.

    `paid` sends with allow_paid_broadcast (past 30 messages/s, for a fee); `read_timeout` is in
    seconds (None: the bot's default).
    """
    text, mode = (plain or "", None) if html is None else (html, "HTML")
    call = partial(
        bot.send_message,
        chat_id,
        text,
        parse_mode=mode,
        reply_markup=keyboard,
        message_thread_id=thread_id,
        allow_paid_broadcast=True if paid else None,
    )
    try:
        # read_timeout=None would mean "wait forever" to PTB, not "the default".
        return await (call() if read_timeout is None else call(read_timeout=read_timeout))
    except RetryAfter as error:
        wait = error.retry_after
        delay = wait if isinstance(wait, timedelta) else timedelta(seconds=wait)
        return SendFailure(FailureKind.FLOOD, str(error), retry_after=delay)
    except ChatMigrated as error:
        return SendFailure(FailureKind.MIGRATED, str(error), new_chat_id=error.new_chat_id)
    except Forbidden as error:
        return SendFailure(FailureKind.GONE, str(error))
    except BadRequest as error:
        text = str(error).lower()
        if "chat not found" in text:
            return SendFailure(FailureKind.GONE, str(error))
        if "can't parse entities" in text:
            return SendFailure(FailureKind.BAD_MARKUP, str(error))
        return SendFailure(FailureKind.BAD_REQUEST, str(error))
    except (TimedOut, NetworkError) as error:
        # TimedOut is a NetworkError; both, and 5xx answers, may pass on a later try.
        return SendFailure(FailureKind.TRANSIENT, str(error) or type(error).__name__)
    except TelegramError as error:
        # Anything else Telegram answered (401, 404, 409): retried, then counted as failed.
        return SendFailure(FailureKind.TRANSIENT, str(error) or type(error).__name__)
