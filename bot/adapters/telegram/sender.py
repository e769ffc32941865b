"""Sending one message through PTB; every refusal comes back as a plain SendFailure.

`send` is PTB's `Bot.send_message`. `post_message` is the dispatcher's: the same sendMessage
posted through `AiohttpRequest.post_body` (Telegram's answers raised as the exceptions PTB
raises), minus the costs that dominate a fan-out: building the request from TelegramObjects,
encoding the same text again for each chat (`message_body` encodes all but the chat once per
message), and turning the answer into a `Message` (a few dozen objects). It takes a keyboard
already encoded, and reads only the new message's id.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache, partial
from typing import Final

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest

from bot.adapters.telegram.transport import AiohttpRequest, encode_form
from bot.core.delivery import FailureKind, SendFailure

MAX_BODIES: Final = 256  # encoded message bodies kept (`message_body`)


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
    except TelegramError as error:
        return as_send_failure(error)


def encode_keyboard(keyboard: InlineKeyboardMarkup | None) -> str | None:
    """The keyboard as the JSON that sendMessage's reply_markup takes; None without one."""
    return None if keyboard is None else keyboard.to_json()


async def post_message(
    request: AiohttpRequest,
    base_url: str,
    chat_id: int,
    html: str | None,
    *,
    plain: str | None = None,
    keyboard: str | None = None,
    thread_id: int | None = None,
    paid: bool = False,
    read_timeout: float | None = None,
    preview: str | None = None,
) -> int | SendFailure:
    """As `send`, through an initialized `request`: the new message's id, or the failure.

    `base_url` is the bot's (`Bot.base_url`); `keyboard` comes from `encode_keyboard`;
    `preview` is link_preview_options as JSON (`pushes.link_preview_options`).
    """
    text, mode = (plain or "", None) if html is None else (html, "HTML")
    url = f"{base_url}/sendMessage"
    body = message_body(url, chat_id, text, mode, keyboard, thread_id, paid, preview)
    timeout = BaseRequest.DEFAULT_NONE if read_timeout is None else read_timeout
    try:
        answer = await request.post_body(url, body, chat=chat_id, read_timeout=timeout)
    except TelegramError as error:
        return as_send_failure(error)
    if not isinstance(answer, dict) or not isinstance(message_id := answer.get("message_id"), int):
        # Not a Message: as with send(), where PTB could not build one, the row is tried again.
        return SendFailure(FailureKind.TRANSIENT, f"sendMessage answered {answer!r:.200}")
    return message_id


def message_body(
    url: str,
    chat_id: int,
    text: str,
    mode: str | None,
    keyboard: str | None,
    thread_id: int | None,
    paid: bool,
    preview: str | None,
) -> bytes:
    """sendMessage's form body, as `encode_form` makes it: only the chat differs in a fan-out,
    so the rest is encoded (and its text guarded) once per message, not once per chat."""
    rest = _encoded_rest(url, text, mode, keyboard, thread_id, paid, preview)
    return b"chat_id=%d&%s" % (chat_id, rest)


@lru_cache(maxsize=MAX_BODIES)
def _encoded_rest(
    url: str,
    text: str,
    mode: str | None,
    keyboard: str | None,
    thread_id: int | None,
    paid: bool,
    preview: str | None,
) -> bytes:
    """The form body after its chat_id (which `encode_form` puts first)."""
    fields: dict[str, object] = {
        "text": text,
        "parse_mode": mode,
        "reply_markup": keyboard,
        "message_thread_id": thread_id,
        "allow_paid_broadcast": True if paid else None,
        "link_preview_options": preview,
    }
    return encode_form(url, fields)


def as_send_failure(error: TelegramError) -> SendFailure:
    """What PTB's exception for a refused or failed send means to the outbox."""
    match error:
        case RetryAfter():
            wait = error.retry_after
            delay = wait if isinstance(wait, timedelta) else timedelta(seconds=wait)
            return SendFailure(FailureKind.FLOOD, str(error), retry_after=delay)
        case ChatMigrated():
            return SendFailure(FailureKind.MIGRATED, str(error), new_chat_id=error.new_chat_id)
        case Forbidden():
            return SendFailure(FailureKind.GONE, str(error))
        case BadRequest():
            text = str(error).lower()
            if "chat not found" in text:
                return SendFailure(FailureKind.GONE, str(error))
            if any(r in text for r in ("can't parse entities", "text is too long", "is too long")):
                return SendFailure(FailureKind.BAD_MARKUP, str(error))
            return SendFailure(FailureKind.BAD_REQUEST, str(error))
        case TimedOut() if not never_sent(error):
            # Sent, and no answer in time: Telegram may have posted it.
            return SendFailure(FailureKind.TIMED_OUT, str(error) or type(error).__name__)
        case _:
            # Timeouts before the request went out, network errors, 5xx, and anything else
            # Telegram answered (401, 404, 409): they may pass on a later try, so they are
            # retried, then counted as failed.
            return SendFailure(FailureKind.TRANSIENT, str(error) or type(error).__name__)


def never_sent(error: TimedOut) -> bool:
    """Whether the timeout came before the request went out (no connection in time)."""
    # Both PTB's HTTPXRequest and our AiohttpRequest say so in these words.
    return "Request was *not* sent" in str(error)
