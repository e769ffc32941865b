"""The flood decision: a sliding window, one notice, a cooldown that flooding does not extend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from bot.core.flood import (
    MAX_COMMAND_CHARS,
    FloodRule,
    Sender,
    Verdict,
    idle_senders,
    is_idle,
    is_too_long,
    judge,
)

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
RULE = FloodRule(max_events=3, window=timedelta(seconds=10), cooldown=timedelta(seconds=60))


def run(seconds: list[float], rule: FloodRule = RULE) -> list[Verdict]:
    sender, verdicts = Sender(), []
    for offset in seconds:
        verdict, sender = judge(sender, T0 + timedelta(seconds=offset), rule)
        verdicts.append(verdict)
    return verdicts


def test_over_the_limit_one_notice_then_silence() -> None:
    assert run([0, 1, 2, 3, 4, 5]) == [
        Verdict.PASS,
        Verdict.PASS,
        Verdict.PASS,
        Verdict.NOTICE,
        Verdict.DROP,
        Verdict.DROP,
    ]


def test_answered_again_after_the_cooldown() -> None:
    assert run([0, 1, 2, 3, 62.9, 63, 64]) == [
        Verdict.PASS,
        Verdict.PASS,
        Verdict.PASS,
        Verdict.NOTICE,
        Verdict.DROP,
        Verdict.PASS,
        Verdict.PASS,
    ]


def test_flooding_during_the_cooldown_does_not_extend_it() -> None:
    times = [0, 1, 2, 3, *range(4, 63), 63]
    assert run(times)[-1] is Verdict.PASS


def test_the_window_slides() -> None:
    # Three in a burst, then one each time the oldest has left the window.
    assert run([0, 1, 2, 10, 11, 12, 20]) == [Verdict.PASS] * 7


def test_idle_senders_are_forgotten() -> None:
    rule = RULE
    quiet = Sender(quiet_until=T0 + timedelta(seconds=30))
    busy = Sender(recent=(T0 - timedelta(seconds=5),))
    done = Sender(recent=(T0 - timedelta(seconds=10),))
    assert not is_idle(quiet, T0, rule)
    assert not is_idle(busy, T0, rule)
    assert is_idle(done, T0, rule)
    assert idle_senders({1: quiet, 2: busy, 3: done, 4: Sender()}, T0, rule) == [3, 4]


def test_command_length_cap() -> None:
    assert not is_too_long("/" + "a" * (MAX_COMMAND_CHARS - 1))
    assert is_too_long("/" + "a" * MAX_COMMAND_CHARS)


@given(
    gaps=st.lists(st.integers(min_value=0, max_value=20), max_size=80),
    limit=st.integers(min_value=1, max_value=5),
)
def test_never_more_than_the_limit_in_a_window(gaps: list[int], limit: int) -> None:
    rule = FloodRule(
        max_events=limit, window=timedelta(seconds=10), cooldown=timedelta(seconds=30)
    )
    offsets: list[float] = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    verdicts = run(offsets, rule)
    passed = [t for t, v in zip(offsets, verdicts, strict=True) if v is Verdict.PASS]
    for start in passed:
        assert sum(start <= t < start + 10 for t in passed) <= limit
    notices = [t for t, v in zip(offsets, verdicts, strict=True) if v is Verdict.NOTICE]
    # One notice per cooldown at most: the sender is told once, then left alone.
    assert all(b - a >= 30 for a, b in pairwise(notices))
