"""Per-user flood control: a sliding window of commands, one notice, then a quiet cooldown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

WINDOW: Final = timedelta(minutes=1)
COOLDOWN: Final = timedelta(minutes=1)
# The longest command a reader needs: /addfeed with a 2,048-character URL, or /filter with
# every keyword; anything longer is refused before a handler sees it.
MAX_COMMAND_CHARS: Final = 2500


class Verdict(StrEnum):
    """What to do with one command or button press."""

    PASS = "pass"
    NOTICE = "notice"
    DROP = "drop"


@dataclass(frozen=True)
class FloodRule:
    """At most `max_events` in any `window`; the next one starts a `cooldown` of silence."""

    max_events: int
    window: timedelta = WINDOW
    cooldown: timedelta = COOLDOWN


@dataclass(frozen=True)
class Sender:
    """One sender's recent commands, and until when they are ignored."""

    recent: tuple[datetime, ...] = ()
    quiet_until: datetime | None = None


def judge(sender: Sender, now: datetime, rule: FloodRule) -> tuple[Verdict, Sender]:
    """The verdict on one more command at `now`, and the sender's state after it.

    The first command over the limit earns a NOTICE and starts the cooldown; commands during
    the cooldown are dropped and do not extend it.
    """
    if sender.quiet_until is not None and now < sender.quiet_until:
        return Verdict.DROP, sender
    recent = tuple(t for t in sender.recent if now - t < rule.window)
    if len(recent) >= rule.max_events:
        return Verdict.NOTICE, Sender(quiet_until=now + rule.cooldown)
    return Verdict.PASS, Sender(recent=(*recent, now))


def is_idle(sender: Sender, now: datetime, rule: FloodRule) -> bool:
    """True when forgetting the sender changes no future verdict."""
    quiet = sender.quiet_until is not None and now < sender.quiet_until
    return not quiet and all(now - t >= rule.window for t in sender.recent)


def idle_senders(senders: Mapping[int, Sender], now: datetime, rule: FloodRule) -> list[int]:
    """The keys of the senders that can be forgotten, so the table stays small."""
    return [key for key, sender in senders.items() if is_idle(sender, now, rule)]


def is_too_long(text: str) -> bool:
    """Whether a command's text is over MAX_COMMAND_CHARS."""
    return len(text) > MAX_COMMAND_CHARS
