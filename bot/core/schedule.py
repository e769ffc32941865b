"""When to poll a feed again (server hints first, then backoff), and what failing calls for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

MAX_BACKOFF: Final = timedelta(days=1)
MAX_HINT: Final = timedelta(days=1)
ALERT_AFTER: Final = 10
DISABLE_AFTER: Final = 100


@dataclass(frozen=True)
class Alert:
    """Tell the admins once: the feed has failed ALERT_AFTER times in a row."""

    failures: int


@dataclass(frozen=True)
class Disable:
    """Stop polling the feed and tell the admins: it has failed DISABLE_AFTER times in a row."""

    failures: int

    @property
    def reason(self) -> str:
        """Why the feed was disabled, stored on the feed for /feeds (operator text, English)."""
        return f"failed {self.failures} times in a row"


HealthEvent = Alert | Disable


def next_poll_at(
    now: datetime,
    *,
    interval: timedelta,
    failures: int = 0,
    ttl: timedelta | None = None,
    max_age: timedelta | None = None,
    retry_after: timedelta | None = None,
) -> datetime:
    """The next poll time for a feed after a poll that ended with `failures` in a row."""
    if retry_after and retry_after > timedelta(0):
        return now + min(max(retry_after, interval), MAX_HINT)
    if failures:
        # 2**failures overflows timedelta long before 100 failures; cap the exponent first.
        return now + min(interval * (1 << min(failures, 20)), MAX_BACKOFF)
    hint = max(ttl or timedelta(0), max_age or timedelta(0))
    return now + max(interval, min(hint, MAX_HINT))


def hint_until(now: datetime, next_at: datetime, interval: timedelta) -> datetime | None:
    """When a poll is scheduled later than the interval alone would (a server hint or
    backoff), that time: a changed interval must not cut it short. None otherwise."""
    return next_at if next_at > now + interval else None


def rescheduled(
    *,
    last_polled_at: datetime | None,
    next_at: datetime | None,
    hint_until: datetime | None,
    interval: timedelta,
) -> datetime | None:
    """The sooner poll time a (shortened) interval gives a feed, or None if it stays."""
    if last_polled_at is None or next_at is None:
        return None
    sooner = max(last_polled_at + interval, hint_until or last_polled_at)
    return sooner if sooner < next_at else None


def health_event(failures: int) -> HealthEvent | None:
    """What `failures` polls failed in a row call for: one alert at 10, disabling from 100."""
    if failures >= DISABLE_AFTER:
        return Disable(failures)
    if failures == ALERT_AFTER:
        return Alert(failures)
    return None
