"""Sending one message through PTB; every refusal comes back as a plain SendFailure."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.core.delivery import FailureKind, SendFailure


async def send(
    bot: Bot,
    chat_id: int,
    html: str | None,
    *,
    plain: str | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
    thread_id: int | None = None,
) -> Message | SendFailure:
    """Send Telegram HTML, or `plain` text when html is None; failures are returned."""
    try:
        if html is None:
            return await bot.send_message(
                chat_id,
                plain or "",
                parse_mode=None,
                reply_markup=keyboard,
                message_thread_id=thread_id,
            )
        return await bot.send_message(
            chat_id, html, reply_markup=keyboard, message_thread_id=thread_id
        )
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
        return SendFailure(FailureKind.TRANSIENT, str(error))
