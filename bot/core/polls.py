"""What one poll of one feed did: the value the pipeline returns and chat and CLI render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.condense import Method
from bot.core.models import Feed
from bot.core.schedule import HealthEvent


class Outcome(StrEnum):
    """How one poll of one feed ended."""

    NEW = "new"
    NOT_MODIFIED = "not-modified"
    FAILED = "failed"


@dataclass(frozen=True)
class PollReport:
    """What one poll of one feed did."""

    feed: Feed
    outcome: Outcome
    new_entries: int = 0
    digests: int = 0
    pushed: bool = False
    error: str | None = None
    problem: str | None = None
    title: str = ""
    health: HealthEvent | None = None
    # The digests by (language, method); they add up to `digests`.
    condensed: Mapping[tuple[str, Method], int] = field(default_factory=dict)
