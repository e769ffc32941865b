"""When to poll a feed again: server hints first, then backoff on failures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

MAX_BACKOFF: Final = timedelta(days=1)
MAX_HINT: Final = timedelta(days=1)


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
