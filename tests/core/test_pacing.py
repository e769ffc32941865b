"""Pacing within Telegram's limits, flood back-off, and quiet hours, at fixed times."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.pacing import (
    FLOOD_RECOVERY,
    FLOOD_WINDOW,
    GROUP_INTERVAL,
    PRIVATE_INTERVAL,
    Pacer,
    chat_interval,
    connection_limit,
    in_flight_limit,
    pace,
    quiet_until,
    send_rate,
)


@pytest.mark.parametrize(
    ("max_rate", "paid", "rate", "in_flight"),
    [(30, False, 30, 8), (1000, True, 1000, 250), (5000, True, 1000, 250), (1, False, 1, 4)],
    ids=["free", "paid", "paid-capped", "slow"],
)
def test_rate_and_in_flight(max_rate: float, paid: bool, rate: float, in_flight: int) -> None:
    assert send_rate(max_rate, paid=paid) == rate
    assert in_flight_limit(rate) == in_flight


@pytest.mark.parametrize(
    ("limit", "rate", "burst", "connections"),
    [(30, 29.4, 1.147, 30), (1000, 980, 5.9, 512), (1, 0.98, 1.0049, 4)],
    ids=["free", "paid", "slow"],
)
def test_pace_leaves_room_for_its_burst_within_the_limit(
    limit: float, rate: float, burst: float, connections: int
) -> None:
    # Sends may run CATCH_UP (5 ms) ahead of the rate: r * 1.005 + 1 in any second at most.
    assert pace(limit) == (pytest.approx(rate), pytest.approx(burst))
    assert connection_limit(limit) == connections


def test_chat_intervals() -> None:
    assert chat_interval("private") == PRIVATE_INTERVAL == 1.0
    assert [chat_interval(k) for k in ("group", "supergroup", "channel")] == [GROUP_INTERVAL] * 3
    assert GROUP_INTERVAL == 60 / 20


def test_the_overall_rate_allows_a_small_burst_then_spaces_sends() -> None:
    pacer = Pacer(30, burst=3)
    for chat in range(3):
        assert pacer.ready_at(chat, 0.0) == 0.0
        pacer.record(chat, 0.0, interval=1.0)
    assert pacer.ready_at(99, 0.0) == pytest.approx(1 / 30)


def test_each_chat_waits_its_own_interval() -> None:
    pacer = Pacer(1000)
    pacer.record(1, 10.0, interval=PRIVATE_INTERVAL)
    pacer.record(-5, 10.0, interval=GROUP_INTERVAL)
    assert pacer.ready_at(1, 10.5) == 11.0
    assert pacer.ready_at(-5, 10.5) == 13.0
    assert pacer.ready_at(2, 10.5) == 10.5
    assert pacer.chat_ready_at(1) == 11.0


def test_a_reply_counted_from_elsewhere_never_shortens_a_chats_hold() -> None:
    pacer = Pacer(30)
    pacer.flood(1, 5.0, now=0.0)
    pacer.record(1, 1.0, interval=PRIVATE_INTERVAL)  # a reply went anyway
    assert pacer.chat_ready_at(1) == 5.0
    pacer.record(1, 4.5, interval=PRIVATE_INTERVAL)
    assert pacer.chat_ready_at(1) == 5.5


def test_a_429_holds_its_chat_and_halves_the_rate_which_then_recovers() -> None:
    pacer = Pacer(30)
    pacer.flood(1, 2.0, now=5.0)
    assert pacer.ready_at(1, 5.0) == 7.0
    assert pacer.ready_at(2, 5.0) == 5.0
    assert pacer.current_rate(5.0) == 15
    assert pacer.current_rate(5.0 + FLOOD_RECOVERY / 2) == pytest.approx(22.5)
    assert pacer.current_rate(5.0 + FLOOD_RECOVERY) == 30
    pacer.flood(1, 1.0, now=5.5)
    assert pacer.current_rate(5.5) == pytest.approx(7.875)
    assert pacer.ready_at(2, 5.5) == 5.5


def test_429s_for_two_chats_at_once_hold_every_chat() -> None:
    pacer = Pacer(30)
    pacer.flood(1, 2.0, now=5.0)
    pacer.flood(2, 3.0, now=5.0 + FLOOD_WINDOW)
    assert pacer.ready_at(3, 6.0) == 9.0
    assert pacer.current_rate(9.0) == pytest.approx(8.25)
    assert pacer.current_rate(9.0 + FLOOD_RECOVERY) == 30


@given(
    rate=st.sampled_from([5.0, 30.0, 1000.0]),
    chats=st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=200),
)
def test_greedy_sends_keep_every_limit(rate: float, chats: list[int]) -> None:
    pacer = Pacer(rate)
    sent: list[float] = []
    last: dict[int, float] = {}
    now = 0.0
    for chat in chats:
        now = pacer.ready_at(chat, now)
        pacer.record(chat, now, interval=PRIVATE_INTERVAL)
        assert now - last.get(chat, -PRIVATE_INTERVAL) >= PRIVATE_INTERVAL - 1e-9
        last[chat] = now
        sent.append(now)
    for i, start in enumerate(sent):
        in_a_second = sum(1 for t in sent[i:] if t < start + 1.0)
        assert in_a_second <= rate + pacer.burst


JST = "Asia/Tokyo"  # UTC+9, no daylight saving time
IST = "Asia/Kolkata"  # UTC+5:30, no daylight saving time


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "zone", "start", "end", "until"),
    [
        ("2026-05-01T23:30", "UTC", time(22), time(7), "2026-05-02T07:00"),
        ("2026-05-01T06:59", "UTC", time(22), time(7), "2026-05-01T07:00"),
        ("2026-05-01T22:00", "UTC", time(22), time(7), "2026-05-02T07:00"),
        ("2026-05-01T07:00", "UTC", time(22), time(7), None),
        ("2026-05-01T21:59", "UTC", time(22), time(7), None),
        ("2026-05-01T14:00", JST, time(22), time(7), "2026-05-01T22:00"),
        ("2026-05-01T21:30", JST, time(22), time(7), "2026-05-01T22:00"),
        ("2026-05-01T22:00", JST, time(22), time(7), None),
        ("2026-05-01T06:45", IST, time(12), time(13), "2026-05-01T07:30"),
        ("2026-05-01T07:30", IST, time(12), time(13), None),
        ("2026-03-08T05:00", "America/New_York", time(22), time(7), "2026-03-08T11:00"),
        ("2026-05-01T23:30", "Not/AZone", time(22), time(7), "2026-05-02T07:00"),
        ("2026-05-01T23:30", "UTC", time(8), time(8), None),
        ("2026-05-01T23:30", "UTC", None, None, None),
    ],
    ids=[
        "utc-before-midnight",
        "utc-just-before-the-end",
        "utc-at-the-start",
        "utc-at-the-end-is-not-quiet",
        "utc-just-before-the-start",
        "tokyo-23h-local-ends-at-7-local",
        "tokyo-6h30-local",
        "tokyo-7h-local-is-not-quiet",
        "kolkata-lunch-hour",
        "kolkata-after-lunch",
        "new-york-ends-in-summer-time-after-the-spring-change",
        "unknown-zone-reads-as-utc",
        "equal-times-mean-none",
        "no-quiet-hours",
    ],
)
def test_quiet_until(
    now: str, zone: str, start: time | None, end: time | None, until: str | None
) -> None:
    assert quiet_until(at(now), zone, start, end) == (at(until) if until else None)
