from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.schedule import MAX_BACKOFF, Alert, Disable, HealthEvent, health_event, next_poll_at

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
