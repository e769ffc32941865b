"""What a run of 409 Conflicts from getUpdates calls for: a warning a minute, then giving up.

A 409 means another process polls Telegram with the same token. The bot keeps polling (the
other one may be a rolling update about to stop), says so once a minute, and stops after a
while so that a supervisor, or the operator, notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

WARN_EVERY: Final = 60.0  # seconds between two warnings during one run of conflicts
# A quiet spell this long ends a run of conflicts: the next one starts a new run.
RUN_ENDS_AFTER: Final = 60.0


class ConflictStep(StrEnum):
    """What to do about one 409."""

    WARN = "warn"
    QUIET = "quiet"
    GIVE_UP = "give-up"


@dataclass
class ConflictWatch:
    """Counts the seconds of a run of conflicts; times are seconds on a monotonic clock."""

    give_up_after: float
    started: float | None = None
    last_seen: float | None = None
    last_warned: float | None = None

    def conflict(self, now: float) -> ConflictStep:
        """One more 409 at `now`: warn, keep quiet, or give up."""
        if self.last_seen is None or now - self.last_seen > RUN_ENDS_AFTER:
            self.started, self.last_warned = now, None
        self.last_seen = now
        assert self.started is not None
        if now - self.started >= self.give_up_after:
            return ConflictStep.GIVE_UP
        if self.last_warned is None or now - self.last_warned >= WARN_EVERY:
            self.last_warned = now
            return ConflictStep.WARN
        return ConflictStep.QUIET

    def seconds(self, now: float) -> float:
        """How long the current run of conflicts has lasted."""
        return 0.0 if self.started is None else now - self.started
