"""What the dispatcher tells of each push's outcome: the seam between it and the metrics.

Every outcome carries a reason from a fixed set (`Reason`: the failure kinds and the
dispatcher's own few), never a chat id, a URL or an error text. Counts are outbox rows: a
daily digest is one message of several rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.adapters.store import Claimed
from bot.core.delivery import FailureKind


class Reason(StrEnum):
    """Why a push was retried, failed, cancelled or deferred: beside the failure kinds."""

    ERROR = "error"  # the send raised unexpectedly (a bug, or the database)
    CHAT_GONE = "chat-gone"  # Telegram refused the chat (blocked, kicked), or it was deleted
    ARTICLE_GONE = "article-gone"  # the article was deleted before its send
    INACTIVE = "inactive"  # the chat was marked inactive before its send
    PAUSED = "paused"  # the chat paused its pushes
    QUIET_HOURS = "quiet-hours"  # deferred to the end of the chat's quiet hours


Why = FailureKind | Reason


class DeliveryEvents(Protocol):
    """What the dispatcher reports, each call at most once per message it acts on."""

    def sent(self, claims: Sequence[Claimed], answered_at: datetime) -> None:
        """Telegram took the message of `claims` at `answered_at`."""

    def retried(self, reason: Why, rows: int) -> None:
        """A send of `rows` rows failed, and they will be sent again."""

    def flood_wait(self, seconds: float, rows: int) -> None:
        """Telegram answered 429: the chat waits `seconds`, then `rows` rows are sent again."""

    def failed(self, reason: Why, rows: int) -> None:
        """`rows` rows were given up."""

    def cancelled(self, reason: Why, rows: int) -> None:
        """`rows` rows were cancelled: the chat cannot or does not want to read them."""

    def unconfirmed(self, reason: Why, rows: int) -> None:
        """`rows` rows timed out before and failed again: maybe delivered, never resent."""

    def deferred(self, reason: Why, rows: int) -> None:
        """`rows` rows were put off to a later time without counting an attempt."""


class NoEvents:
    """Events that go nowhere: the dispatcher's default."""

    def sent(self, claims: Sequence[Claimed], answered_at: datetime) -> None:
        """Nothing."""

    def retried(self, reason: Why, rows: int) -> None:
        """Nothing."""

    def flood_wait(self, seconds: float, rows: int) -> None:
        """Nothing."""

    def failed(self, reason: Why, rows: int) -> None:
        """Nothing."""

    def cancelled(self, reason: Why, rows: int) -> None:
        """Nothing."""

    def unconfirmed(self, reason: Why, rows: int) -> None:
        """Nothing."""

    def deferred(self, reason: Why, rows: int) -> None:
        """Nothing."""
