"""The dispatcher's outcomes counted in the bot's metrics: sent with each row's wait since its
poll, 429s with their seconds, retries, failures, cancellations and deferrals by reason."""

from __future__ import annotations

from datetime import time, timedelta

from bot.adapters.metrics import Metrics
from bot.adapters.store import ChatKind
from tests.adapters.test_dispatch import NOW, OTHER, dispatcher, fixed_clock, publish, topic_with
from tests.conftest import USER, RunningBot

THIRD = 4004


def metrics_of(running_bot: RunningBot) -> Metrics:
    metrics = running_bot.app.bot_data.metrics
    assert metrics is not None
    return metrics


def sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


async def test_sent_pushes_and_their_wait_since_the_poll(running_bot: RunningBot) -> None:
    clock = fixed_clock(running_bot)
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE), (OTHER, ChatKind.PRIVATE))
    await publish(running_bot, feed, "a", polled_at=NOW)
    clock.now = NOW + timedelta(seconds=90)
    await dispatcher(running_bot).drain()

    metrics = metrics_of(running_bot)
    assert sample(metrics, "digestbot_pushes_sent_total") == 2
    assert sample(metrics, "digestbot_messages_sent_total") == 2
    assert sample(metrics, "digestbot_delivery_latency_seconds_count") == 2
    assert sample(metrics, "digestbot_delivery_latency_seconds_sum") == 180
    assert sample(metrics, "digestbot_delivery_latency_seconds_bucket", le="60.0") == 0
    assert sample(metrics, "digestbot_delivery_latency_seconds_bucket", le="120.0") == 2


async def test_a_burst_is_one_message_of_several_pushes(running_bot: RunningBot) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    await publish(running_bot, feed, *"abcde")
    await dispatcher(running_bot).drain()

    metrics = metrics_of(running_bot)
    assert sample(metrics, "digestbot_messages_sent_total") == 1
    assert sample(metrics, "digestbot_pushes_sent_total") == 5
    assert sample(metrics, "digestbot_delivery_latency_seconds_count") == 5


async def test_a_429_counts_its_seconds_and_a_retry(running_bot: RunningBot) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, "flood", retry_after=2)
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    metrics = metrics_of(running_bot)
    assert sample(metrics, "digestbot_flood_waits_total") == 1
    assert sample(metrics, "digestbot_flood_wait_seconds_total") == 2
    assert sample(metrics, "digestbot_pushes_retried_total", reason="flood") == 1
    assert sample(metrics, "digestbot_pushes_sent_total") == 1


async def test_failed_cancelled_and_deferred_pushes_by_reason(running_bot: RunningBot) -> None:
    late = NOW.replace(hour=23)
    fixed_clock(running_bot, late)
    _, feed = await topic_with(
        running_bot,
        (USER, ChatKind.PRIVATE),
        (OTHER, ChatKind.PRIVATE),
        (THIRD, ChatKind.PRIVATE),
        (-77, ChatKind.GROUP),
    )
    running_bot.api.queue_error(USER, "cant_parse", count=2)  # HTML refused, then plain text
    running_bot.api.queue_error(OTHER, "blocked")
    await running_bot.store.set_quiet_hours(THIRD, time(22), time(7))
    await publish(running_bot, feed, "a", "b", polled_at=late)
    await running_bot.store.set_paused(-77, True)
    await dispatcher(running_bot).drain()

    metrics = metrics_of(running_bot)
    assert sample(metrics, "digestbot_pushes_retried_total", reason="bad-markup") == 1
    assert sample(metrics, "digestbot_pushes_failed_total", reason="bad-markup") == 1
    # The blocked chat's two rows: the one sent and the one still waiting.
    assert sample(metrics, "digestbot_pushes_cancelled_total", reason="chat-gone") == 2
    assert sample(metrics, "digestbot_pushes_cancelled_total", reason="paused") == 2
    assert sample(metrics, "digestbot_pushes_deferred_total", reason="quiet-hours") == 2
    assert sample(metrics, "digestbot_pushes_failed_total", reason="gone") == 0
    # USER's second row went through as HTML.
    assert sample(metrics, "digestbot_pushes_sent_total") == 1
