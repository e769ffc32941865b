"""What happens to an outbox row after a failed send, and how a batch of rows is headed.

A send whose answer never came (a read timeout) may have been posted all the same: Telegram
often posts first and answers late. Such a row is sent once more after `RESEND_PAUSE`, and if
that send fails too it is recorded as delivered-unconfirmed, never failed and never sent a
third time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.core.i18n import Translator

MAX_ATTEMPTS: Final = 5
BASE_BACKOFF: Final = timedelta(seconds=5)
MAX_BACKOFF: Final = timedelta(minutes=30)
DEFAULT_FLOOD_WAIT: Final = timedelta(seconds=5)
RESEND_PAUSE: Final = timedelta(seconds=30)  # after a timeout, the one resend waits this long
FIRST_PROBE: Final = timedelta(seconds=1)  # an unreachable Bot API is probed after this …
MAX_PROBE: Final = timedelta(minutes=1)  # … then twice as long each time, up to this


class FailureKind(StrEnum):
    """How Telegram (or the network) refused a send."""

    FLOOD = "flood"  # 429 with retry_after
    GONE = "gone"  # 403 blocked / kicked / deactivated, 400 chat not found
    MIGRATED = "migrated"  # 400 with migrate_to_chat_id
    BAD_MARKUP = "bad-markup"  # 400 can't parse entities
    BAD_REQUEST = "bad-request"  # any other 400
    TRANSIENT = "transient"  # network errors, 5xx, timeouts before the request went out
    TIMED_OUT = "timed-out"  # sent, and no answer in time: Telegram may have posted it
    UNREACHABLE = "unreachable"  # a transient failure, and a probe of the Bot API failed too


@dataclass(frozen=True)
class SendFailure:
    """A failed send, as plain data."""

    kind: FailureKind
    message: str
    retry_after: timedelta | None = None
    new_chat_id: int | None = None


@dataclass(frozen=True)
class Wait:
    """Telegram asked to slow down: hold the chat (and the pace) for `delay`, then resend.

    A flood wait is not the row's fault, so it does not count as an attempt.
    """

    delay: timedelta


@dataclass(frozen=True)
class Hold:
    """The Bot API itself cannot be reached: keep the row and resend once it answers again.

    An outage is not the row's fault, so it does not count as an attempt, however long.
    """


@dataclass(frozen=True)
class Retry:
    """Hand the row back, due again at `at`; the attempt counts."""

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
class Resend:
    """The send timed out (Telegram may have posted it): send once more at `at`, no sooner."""

    at: datetime


@dataclass(frozen=True)
class Unconfirmed:
    """A send of the row timed out before, and this one failed: it may have been delivered.

    Record it as delivered-unconfirmed; it is not sent again.
    """


@dataclass(frozen=True)
class Failed:
    """Give up on this row and count it as failed."""


Step = Wait | Hold | Retry | Resend | ChatGone | MoveChat | SendPlain | Unconfirmed | Failed


def next_step(
    failure: SendFailure,
    attempts: int,
    now: datetime,
    *,
    plain_tried: bool,
    moved: bool = False,
    timeouts: int = 0,
) -> Step:
    """The decision after a failed send that was attempt number `attempts` of its row.

    `plain_tried`: this send was the plain-text retry already; `moved`: it went to the new
    id of a migrated group already, so a second migration is not followed; `timeouts`: how
    many earlier sends of the row timed out (each may have been posted).
    """
    step = _next_step(failure, attempts, now, plain_tried=plain_tried, moved=moved)
    if timeouts and isinstance(step, Retry | Resend | Failed):
        # Telegram may have posted an earlier send: one resend after a timeout, no more.
        return Unconfirmed()
    return step


def _next_step(
    failure: SendFailure, attempts: int, now: datetime, *, plain_tried: bool, moved: bool
) -> Step:
    match failure.kind:
        case FailureKind.FLOOD:
            return Wait(failure.retry_after or DEFAULT_FLOOD_WAIT)
        case FailureKind.UNREACHABLE:
            return Hold()
        case FailureKind.GONE:
            return ChatGone()
        case FailureKind.MIGRATED if failure.new_chat_id is not None and not moved:
            return MoveChat(failure.new_chat_id)
        case FailureKind.BAD_MARKUP:
            return Failed() if plain_tried else SendPlain()
        case FailureKind.TIMED_OUT:
            return Resend(now + RESEND_PAUSE)
        case FailureKind.TRANSIENT if attempts < MAX_ATTEMPTS:
            return Retry(now + backoff(attempts))
        case _:
            return Failed()


def backoff(attempts: int) -> timedelta:
    """The wait after a transient failure of attempt `attempts`: 5 s, 10 s, 20 s … 30 min."""
    return min(BASE_BACKOFF * (1 << min(max(attempts, 1) - 1, 20)), MAX_BACKOFF)


def probe_delay(
    probes: int, *, first: timedelta = FIRST_PROBE, most: timedelta = MAX_PROBE
) -> timedelta:
    """The pause before the next probe of an unreachable Bot API after `probes` failed ones."""
    return min(first * (1 << min(max(probes, 0), 20)), most)


class BatchKind(StrEnum):
    """What a batch key's prefix says a combined message is."""

    BURST = "burst"  # more than 3 new articles of one topic in one poll
    DAILY = "daily"  # the daily digest
    CATCHUP = "catchup"  # what a chat missed while it was paused


def batch_kind(key: str) -> BatchKind:
    """The kind of a batch key such as "burst:3:2026-…"; an unknown prefix reads as a burst."""
    prefix = key.partition(":")[0]
    try:
        return BatchKind(prefix)
    except ValueError:
        return BatchKind.BURST


def batch_header(kind: BatchKind, count: int, topic: str, tr: Translator) -> str:
    """The localized header of a combined message of `count` articles."""
    match kind:
        case BatchKind.DAILY:
            return tr.gettext("☀️ Your daily digest")
        case BatchKind.CATCHUP:
            return tr.gettext("Welcome back: what you missed")
        case _:
            return tr.ngettext(
                "{topic}: {count} new article", "{topic}: {count} new articles", count
            ).format(topic=topic, count=count)
