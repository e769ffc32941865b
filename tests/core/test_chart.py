"""What the /stats chart shows: local days, stacking, top topics and "other", kept days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.chart import (
    CHART_DAYS,
    MAX_TOPICS_SHOWN,
    Band,
    FeedState,
    HealthPart,
    StatsChart,
    ThrottleHour,
    TopicHour,
    chart_start,
    fits_caption,
    shape_stats_chart,
)
from bot.locales import load_translators

TRANSLATORS = load_translators()
EN, JA = TRANSLATORS["en"], TRANSLATORS["ja"]
# Sunday 6 December 2026, 12:05 in London, 21:05 in Tokyo.
NOW = datetime(2026, 12, 6, 12, 5, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
DAY = timedelta(days=1)
KEEP_ALL = timedelta(days=30)
TOPICS = {1: "Tech", 2: "World", 3: "Science"}


def hour(days_ago: int, at: int = 10) -> datetime:
    """A UTC hour `days_ago` days before today (UTC), at `at` o'clock."""
    return datetime(2026, 12, 6, at, tzinfo=UTC) - days_ago * DAY


def shape(
    pushes: list[TopicHour],
    *,
    tr: object = EN,
    tz: ZoneInfo = LONDON,
    throttles: tuple[ThrottleHour, ...] = (),
    health: tuple[int, int, int] = (1, 0, 0),
    kept: timedelta = KEEP_ALL,
    topics: dict[int, str] = TOPICS,
) -> StatsChart | None:
    return shape_stats_chart(
        tr,  # type: ignore[arg-type]
        now=NOW,
        tz=tz,
        topics=topics,
        pushes=pushes,
        throttles=throttles,
        health=health,
        kept=kept,
    )


def shaped(pushes: list[TopicHour], **kwargs: object) -> StatsChart:
    chart = shape(pushes, **kwargs)  # type: ignore[arg-type]
    assert chart is not None
    return chart


def zeros_but(**days: int) -> tuple[int, ...]:
    """Fourteen counts, zero but at the given indexes (d0 is the first, d13 today)."""
    counts = [0] * CHART_DAYS
    for name, count in days.items():
        counts[int(name.removeprefix("d"))] = count
    return tuple(counts)


def test_fourteen_days_ending_today_labelled_in_english() -> None:
    chart = shaped([TopicHour(hour(0), 1, 1, 0)])
    assert len(chart.days) == CHART_DAYS
    assert chart.days[0] == "Nov 23\nMon"
    assert chart.days[-1] == "Dec 6\nSun"
    assert chart.title == "Pushes per day over the last 14 days (Europe/London)"


def test_days_and_every_label_in_japanese() -> None:
    chart = shaped([TopicHour(hour(0), 1, 1, 0)], tr=JA, tz=TOKYO, health=(3, 2, 1), kept=7 * DAY)
    # "11月23日" side by side fourteen times would touch: the month as a number.
    assert chart.days[0] == "11/23\n月"
    assert chart.days[-1] == "12/6\n日"
    assert chart.title == "1日ごとの配信数（直近14日、Asia/Tokyo）"
    assert chart.pushes_label == "配信数"
    assert chart.kept_note == "配信記録は7日間保存されます。灰色の日はデータがありません。"
    assert chart.waits_label == "429による待機（計0秒）"
    assert [part.label for part in chart.health] == ["正常：3", "失敗中：2", "無効：1"]


def test_days_without_pushes_are_zeros() -> None:
    chart = shaped(
        [
            TopicHour(hour(13), 1, 2, 0),
            TopicHour(hour(5, at=1), 1, 3, 1),
            TopicHour(hour(5, at=22), 1, 4, 0),
            TopicHour(hour(0), 1, 1, 0),
        ]
    )
    assert chart.bands == (Band("Tech", zeros_but(d0=2, d8=7, d13=1)),)
    assert chart.failures == zeros_but(d8=1)
    assert chart.empty_note == ""


def test_hours_fall_on_the_readers_local_day() -> None:
    # 16:00 UTC on 5 December is 01:00 on the 6th in Tokyo, still the 5th in London.
    late = [TopicHour(datetime(2026, 12, 5, 16, tzinfo=UTC), 1, 1, 0)]
    assert shaped(late, tz=LONDON).bands[0].counts == zeros_but(d12=1)
    assert shaped(late, tz=TOKYO).bands[0].counts == zeros_but(d13=1)


def test_hours_before_the_first_day_or_after_now_are_left_out() -> None:
    pushes = [TopicHour(hour(14), 1, 5, 0), TopicHour(hour(-1), 1, 5, 0)]
    chart = shaped(pushes)
    assert chart.bands == ()
    assert chart.empty_note == "Nothing sent yet."


def test_the_busiest_topic_stacks_at_the_bottom_ties_by_name() -> None:
    chart = shaped(
        [
            TopicHour(hour(1), 3, 5, 0),  # Science
            TopicHour(hour(1), 2, 9, 0),  # World
            TopicHour(hour(2), 1, 5, 0),  # Tech
        ]
    )
    assert [band.label for band in chart.bands] == ["World", "Science", "Tech"]
    assert not any(band.other for band in chart.bands)


def test_topics_past_the_busiest_are_one_other_band() -> None:
    topics = {i: f"Topic {i:02}" for i in range(1, 41)}
    # Topic i sends i pushes a day on day i % 14: topic 40 is the busiest.
    pushes = [TopicHour(hour(i % CHART_DAYS), i, i, 0) for i in topics]
    chart = shaped(pushes, topics=topics)
    assert len(chart.bands) == MAX_TOPICS_SHOWN
    shown = [band.label for band in chart.bands[:-1]]
    assert shown == ["Topic 40", "Topic 39", "Topic 38", "Topic 37", "Topic 36"]
    other = chart.bands[-1]
    assert (other.label, other.other) == ("35 other topics", True)
    totals = [sum(band.counts) for band in chart.bands]
    assert totals[-1] == sum(range(1, 36))
    # Every push is in exactly one band, on its day.
    columns = [sum(day) for day in zip(*(band.counts for band in chart.bands), strict=True)]
    expected = [sum(i for i in topics if CHART_DAYS - 1 - i % CHART_DAYS == d) for d in range(14)]
    assert columns == expected


def test_as_many_topics_as_bands_need_no_other() -> None:
    topics = {i: f"T{i}" for i in range(1, MAX_TOPICS_SHOWN + 1)}
    chart = shaped([TopicHour(hour(0), i, 1, 0) for i in topics], topics=topics)
    assert [band.label for band in chart.bands] == [f"T{i}" for i in topics]


def test_long_and_unknown_topic_names_are_cut_or_numbered() -> None:
    topics = {1: "経済・ビジネス" * 5, 2: "Technology and the web, daily", 3: "Tech 経済"}
    pushes = [TopicHour(hour(0), topic_id, 5 - topic_id, 0) for topic_id in (1, 2, 3, 9)]
    chart = shaped(pushes, topics=topics)
    # 24 columns, a Japanese character taking two: 11 of them and "…".
    assert [band.label for band in chart.bands] == [
        "経済・ビジネス経済・ビ…",
        "Technology and the web,…",
        "Tech 経済",
        "#9",
    ]


def test_days_before_what_the_database_keeps_are_marked_and_empty() -> None:
    # Kept 7 days from 12:05 on the 6th: the 29th is partly gone, the 30th (index 7) whole.
    pushes = [TopicHour(hour(d, at=13), 1, 1, d == 7) for d in range(CHART_DAYS)]
    chart = shaped(pushes, kept=7 * DAY)
    assert chart.kept_from == 7
    assert chart.kept_note == "Sends are kept 7 days: the grey days have no data."
    assert chart.bands[0].counts == (0,) * 7 + (1,) * 7
    assert chart.failures == zeros_but()
    one_day = shaped(pushes, kept=DAY)
    assert (one_day.kept_from, one_day.bands[0].counts) == (13, zeros_but(d13=1))
    assert one_day.kept_note == "Sends are kept 1 day: the grey days have no data."


def test_a_long_enough_retention_marks_nothing() -> None:
    chart = shaped([TopicHour(hour(0), 1, 1, 0)], kept=14 * DAY)
    assert (chart.kept_from, chart.kept_note) == (0, "")


def test_failures_and_429s_per_day() -> None:
    throttles = (
        ThrottleHour(hour(2), 2, 30.0),
        ThrottleHour(hour(2, at=11), 1, 4.6),
        ThrottleHour(hour(0), 1, 1.0),
    )
    chart = shaped([TopicHour(hour(3), 2, 0, 4)], throttles=throttles)
    assert chart.failures == zeros_but(d10=4)
    assert chart.waits == zeros_but(d11=3, d13=1)
    assert chart.waits_label == "429 waits (36 s in all)"
    # A topic whose pushes all failed has no band: the bar panel says nothing was sent.
    assert (chart.bands, chart.empty_note) == ((), "Nothing sent yet.")


def test_feed_health_parts() -> None:
    chart = shaped([], health=(12, 2, 0))
    assert chart.health == (
        HealthPart(FeedState.OK, "OK: 12", 12),
        HealthPart(FeedState.FAILING, "Failing: 2", 2),
        HealthPart(FeedState.DISABLED, "Disabled: 0", 0),
    )
    assert chart.health_label == "Feeds"


def test_a_bot_with_no_feeds_and_nothing_sent_gets_no_chart() -> None:
    assert shape([], health=(0, 0, 0)) is None
    # Something only before the first day is still nothing.
    assert shape([TopicHour(hour(20), 1, 1, 0)], health=(0, 0, 0)) is None


def test_feeds_without_pushes_get_a_chart_that_says_so() -> None:
    chart = shaped([], health=(2, 0, 0))
    assert chart.bands == ()
    assert chart.empty_note == "Nothing sent yet."


def test_texts_lists_every_label_drawn() -> None:
    chart = shaped([TopicHour(hour(0), 1, 1, 0)], kept=7 * DAY)
    texts = chart.texts()
    assert chart.title in texts
    assert chart.kept_note in texts
    assert set(chart.days) <= set(texts)
    assert "Tech" in texts
    assert "Disabled: 0" in texts


@pytest.mark.parametrize(
    ("tz", "start"),
    [
        (LONDON, datetime(2026, 11, 23, tzinfo=UTC)),
        (TOKYO, datetime(2026, 11, 22, 15, tzinfo=UTC)),
    ],
    ids=["london", "tokyo"],
)
def test_chart_start_is_the_first_local_midnight(tz: ZoneInfo, start: datetime) -> None:
    assert chart_start(NOW, tz) == start


def test_fits_caption_counts_what_telegram_shows() -> None:
    assert fits_caption("<b>" + "x" * 1024 + "</b>")
    assert not fits_caption("x" * 1025)
    assert fits_caption("&amp;" * 1024)
    # An emoji outside the BMP is two UTF-16 units.
    assert not fits_caption("📊" * 513)
