"""Pacing sends within Telegram's limits, and quiet hours; time is always passed in.

Telegram allows a bot about 30 messages/s overall (1,000/s with paid broadcasts), one message
per second in a private chat and 20 per minute in a group, supergroup or channel, and may count
any second. `Pacer` spaces sends to stay under all three, and backs off when Telegram answers
429 anyway. `pace(limit)` gives the rate and burst to pace at so that no one-second window
carries more than the limit: a GCRA at rate r allowed to run t seconds ahead lets at most
r * (1 + t) + 1 messages through in any second, which stays a little under the limit (room for
jitter on the way): 30 at 30/s, 985 at 1,000/s.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FREE_RATE: Final = 30.0  # messages/s overall, Telegram's broadcast limit
PAID_RATE: Final = 1000.0  # messages/s with allow_paid_broadcast
PRIVATE_INTERVAL: Final = 1.0  # seconds between two messages to one private chat
GROUP_INTERVAL: Final = 3.0  # 20 messages/minute to one group, supergroup or channel
BURST_SECONDS: Final = 0.1  # a Pacer's default: the overall pace may run this far ahead
PACE_SHARE: Final = 0.98  # of the limit, the rate sends are paced at …
CATCH_UP: Final = 0.005  # … which may run this many seconds ahead, to make up for a late turn
MIN_IN_FLIGHT: Final = 4
# Sends in flight: a quarter second's worth at the rate, the time Telegram's answers take from
# far away. At 1,000/s, 64 in flight (the limit before) would cap the rate at 640/s with
# answers taking 100 ms; the local fake's stalls of a few tens of milliseconds already cost it.
MAX_IN_FLIGHT: Final = 256
IN_FLIGHT_SECONDS: Final = 0.25
# A send unanswered this long (a slow chat) stops holding one of the in-flight slots, so slow
# chats never hold up the others; all sends in flight, stalled ones too, stay within
# `connection_limit`: a second's worth at the rate.
STALLED_SECONDS: Final = 1.0
MAX_CONNECTIONS: Final = 512
FLOOD_RECOVERY: Final = 10.0  # seconds after a 429's wait to get back to the full rate
FLOOD_WINDOW: Final = 1.0  # 429s for two chats this close together: the overall limit
MIN_RATE: Final = 1.0


def send_rate(max_rate: float, *, paid: bool) -> float:
    """Messages/s to aim for: the configured rate, at most 1,000/s when broadcasts are paid."""
    return min(max_rate, PAID_RATE) if paid else max_rate


def in_flight_limit(rate: float) -> int:
    """How many sends may wait for Telegram at once: 8 at 30/s, 250 at 1,000/s."""
    return max(MIN_IN_FLIGHT, min(MAX_IN_FLIGHT, math.ceil(rate * IN_FLIGHT_SECONDS)))


def connection_limit(rate: float) -> int:
    """How many sends may be in flight, stalled ones included: 30 at 30/s, 512 at 1,000/s."""
    wanted = math.ceil(rate * STALLED_SECONDS)
    return max(in_flight_limit(rate), min(MAX_CONNECTIONS, wanted))


def pace(limit: float) -> tuple[float, float]:
    """The rate and burst to pace at so that no one-second window carries over `limit`."""
    rate = limit * PACE_SHARE
    return rate, 1.0 + rate * CATCH_UP


def chat_interval(kind: str) -> float:
    """Seconds between two messages to one chat of this Telegram type."""
    return PRIVATE_INTERVAL if kind == "private" else GROUP_INTERVAL


class Pacer:
    """When the next message may go: an overall rate, a gap per chat, holds after 429s.

    Times are seconds on a monotonic clock the caller reads. The overall rate is a GCRA
    (a token bucket kept as one "theoretical arrival time"), so it needs no refill loop.
    """

    def __init__(self, rate: float, *, burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate}")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate * BURST_SECONDS)
        self._tat = -math.inf  # when the overall bucket is empty again
        self._chats: dict[int, float] = {}  # chat id -> earliest next send
        self._hold = -math.inf  # nothing goes before this (a 429's retry_after)
        self._slow_factor = 1.0  # share of the rate right after the last 429
        self._slow_from = -math.inf  # when recovery from it started
        self._last_flood: tuple[int, float] | None = None  # (chat id, when) of the last 429

    def current_rate(self, now: float) -> float:
        """The overall rate now: halved by each 429, then back to full over FLOOD_RECOVERY."""
        if self._slow_factor >= 1.0:
            return self.rate
        recovered = max(0.0, now - self._slow_from) / FLOOD_RECOVERY
        factor = min(1.0, self._slow_factor + (1.0 - self._slow_factor) * recovered)
        return max(MIN_RATE, self.rate * factor) if factor < 1.0 else self.rate

    def chat_ready_at(self, chat_id: int) -> float:
        """The earliest time the chat's own limit and any hold allow its next message."""
        return max(self._chats.get(chat_id, -math.inf), self._hold)

    def ready_at(self, chat_id: int, now: float) -> float:
        """The earliest time, `now` or later, that a message to the chat may go."""
        tolerance = (self.burst - 1.0) / self.current_rate(now)
        return max(now, self.chat_ready_at(chat_id), self._tat - tolerance)

    def record(self, chat_id: int, now: float, *, interval: float) -> None:
        """Count a message to the chat sent at `now`; its next may go `interval` later.

        Messages sent elsewhere (replies to commands) are counted too: they share the limits.
        """
        self._tat = max(self._tat, now) + 1.0 / self.current_rate(now)
        self._chats[chat_id] = max(self._chats.get(chat_id, -math.inf), now + interval)
        if len(self._chats) > 4096:
            # Entries in the past no longer hold anything back.
            self._chats = {chat: at for chat, at in self._chats.items() if at > now}

    def flood(self, chat_id: int, retry_after: float, now: float) -> None:
        """Telegram answered 429: hold the chat for retry_after, then go at half the rate.

        A 429 for one chat may be that chat's own limit (replies to commands count too); a
        second chat's 429 within FLOOD_WINDOW says the overall limit, and holds every chat.
        """
        until = now + max(retry_after, 0.0)
        self._chats[chat_id] = max(self._chats.get(chat_id, -math.inf), until)
        last = self._last_flood
        if last is not None and last[0] != chat_id and now - last[1] <= FLOOD_WINDOW:
            self._hold = max(self._hold, until)
            self._tat = max(self._tat, until)
        self._last_flood = (chat_id, now)
        factor = self.current_rate(now) / self.rate
        self._slow_factor = max(MIN_RATE / self.rate, factor / 2)
        self._slow_from = max(now, self._hold)


def quiet_until(
    now: datetime, tz_name: str, start: time | None, end: time | None
) -> datetime | None:
    """When the chat's quiet hours end, if `now` falls inside them (the end is not); else None.

    Quiet hours are wall-clock times in the chat's timezone, from `start` up to `end`, and
    cross midnight when `start` is later than `end`. Equal times mean no quiet hours. An
    unknown timezone is read as UTC.
    """
    if start is None or end is None or start == end:
        return None
    try:
        zone: ZoneInfo | None = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    local = now.astimezone(zone or UTC)
    clock = time(local.hour, local.minute, local.second, local.microsecond)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=zone or UTC).astimezone(UTC)
