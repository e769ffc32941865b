from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.schedule import (
    MAX_BACKOFF,
    Alert,
    Disable,
    HealthEvent,
    health_event,
    hint_until,
    next_poll_at,
    rescheduled,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
TEN_MINUTES = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, TEN_MINUTES, id="interval"),
        pytest.param({"ttl": timedelta(hours=1)}, timedelta(hours=1), id="ttl-longer"),
        pytest.param({"ttl": timedelta(minutes=1)}, TEN_MINUTES, id="ttl-shorter"),
        pytest.param({"max_age": timedelta(minutes=30)}, timedelta(minutes=30), id="max-age"),
        pytest.param({"ttl": timedelta(days=30)}, timedelta(days=1), id="hint-capped"),
        pytest.param({"failures": 1}, timedelta(minutes=20), id="one-failure"),
        pytest.param({"failures": 3}, timedelta(minutes=80), id="three-failures"),
        pytest.param({"failures": 100}, MAX_BACKOFF, id="backoff-capped"),
        pytest.param(
            {"failures": 1, "retry_after": timedelta(hours=2)}, timedelta(hours=2), id="retry"
        ),
    ],
)
def test_next_poll_at(kwargs: dict[str, object], expected: timedelta) -> None:
    assert next_poll_at(NOW, interval=TEN_MINUTES, **kwargs) == NOW + expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("failures", "event"),
    [
        pytest.param(0, None, id="healthy"),
        pytest.param(9, None, id="nine"),
        pytest.param(10, Alert(10), id="alert-at-ten"),
        pytest.param(11, None, id="alerted-once"),
        pytest.param(99, None, id="ninety-nine"),
        pytest.param(100, Disable(100), id="disable-at-a-hundred"),
        pytest.param(150, Disable(150), id="past-a-hundred"),
    ],
)
def test_health_event(failures: int, event: HealthEvent | None) -> None:
    assert health_event(failures) == event


def test_disable_says_why() -> None:
    assert Disable(100).reason == "failed 100 times in a row"


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [
        pytest.param({}, None, id="interval-only"),
        pytest.param({"ttl": timedelta(hours=1)}, timedelta(hours=1), id="ttl"),
        pytest.param({"failures": 2}, timedelta(minutes=40), id="backoff"),
    ],
)
def test_hint_until_is_what_the_interval_alone_would_not_give(
    kwargs: dict[str, object], hint: timedelta | None
) -> None:
    next_at = next_poll_at(NOW, interval=TEN_MINUTES, **kwargs)  # type: ignore[arg-type]
    expected = None if hint is None else NOW + hint
    assert hint_until(NOW, next_at, TEN_MINUTES) == expected


@pytest.mark.parametrize(
    ("next_at", "hint", "interval", "expected"),
    [
        pytest.param(
            NOW + timedelta(hours=1), None, TEN_MINUTES, NOW + TEN_MINUTES, id="shortened"
        ),
        pytest.param(NOW + TEN_MINUTES, None, timedelta(hours=1), None, id="lengthened-waits"),
        pytest.param(
            NOW + timedelta(hours=1), NOW + timedelta(hours=1), TEN_MINUTES, None, id="ttl-kept"
        ),
        pytest.param(
            NOW + timedelta(hours=2),
            NOW + timedelta(minutes=30),
            TEN_MINUTES,
            NOW + timedelta(minutes=30),
            id="hint-shorter-than-old-interval",
        ),
    ],
)
def test_rescheduled(
    next_at: datetime, hint: datetime | None, interval: timedelta, expected: datetime | None
) -> None:
    got = rescheduled(last_polled_at=NOW, next_at=next_at, hint_until=hint, interval=interval)
    assert got == expected
