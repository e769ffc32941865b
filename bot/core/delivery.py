"""What happens to an outbox row after a failed send: retry, drop the chat, move it, or give up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

MAX_ATTEMPTS: Final = 5
BASE_BACKOFF: Final = timedelta(seconds=5)
MAX_BACKOFF: Final = timedelta(minutes=30)


class FailureKind(StrEnum):
    """How Telegram (or the network) refused a send."""

    FLOOD = "flood"  # 429 with retry_after
    GONE = "gone"  # 403 blocked / kicked / deactivated, 400 chat not found
    MIGRATED = "migrated"  # 400 with migrate_to_chat_id
    BAD_MARKUP = "bad-markup"  # 400 can't parse entities
    BAD_REQUEST = "bad-request"  # any other 400
    TRANSIENT = "transient"  # network errors, timeouts, 5xx


@dataclass(frozen=True)
class SendFailure:
    """A failed send, as plain data."""

    kind: FailureKind
    message: str
    retry_after: timedelta | None = None
    new_chat_id: int | None = None


@dataclass(frozen=True)
class Retry:
    """Send again at `at`."""

    at: datetime


@dataclass(frozen=True)
class ChatGone:
    """The chat cannot be reached: mark it inactive and cancel its rows."""


@dataclass(frozen=True)
class MoveChat:
    """The group became a supergroup: move the chat and send again."""

    new_chat_id: int


@dataclass(frozen=True)
class SendPlain:
    """Telegram could not parse the HTML: send once more as plain text."""


@dataclass(frozen=True)
class Failed:
    """Give up on this row and count it as failed."""


Step = Retry | ChatGone | MoveChat | SendPlain | Failed


def next_step(failure: SendFailure, attempts: int, now: datetime, *, plain_tried: bool) -> Step:
    """The decision after a failed send that was attempt number `attempts` of its row."""
    match failure.kind:
        case FailureKind.FLOOD:
            # Telegram said when; a flood wait is not the row's fault, so it does not count.
            return Retry(now + (failure.retry_after or BASE_BACKOFF))
        case FailureKind.GONE:
            return ChatGone()
        case FailureKind.MIGRATED if failure.new_chat_id is not None:
            return MoveChat(failure.new_chat_id)
        case FailureKind.BAD_MARKUP:
            return Failed() if plain_tried else SendPlain()
        case FailureKind.TRANSIENT if attempts < MAX_ATTEMPTS:
            return Retry(now + min(BASE_BACKOFF * (1 << (attempts - 1)), MAX_BACKOFF))
        case _:
            return Failed()
