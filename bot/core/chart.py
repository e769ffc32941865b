"""What the /stats chart shows: pushes per day per topic, failed sends, 429s and feed health.

Pure: the store counts by UTC hour (`TopicHour`, `ThrottleHour`); `shape_stats_chart` sorts the
counts into the reader's local days, keeps the busiest topics (the rest stacked as one "other"
band, so that a bot with 40 topics stays readable) and labels everything in the reader's
language. `adapters.chart_png` draws the result; it decides nothing.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from babel.dates import format_skeleton

from bot.core.guard import visible_units
from bot.core.i18n import Translator

CHART_DAYS: Final = 14
MAX_TOPICS_SHOWN: Final = 6  # busiest topics with a band of their own; the rest are "other"
# A topic's name in the legend, cut with "…": columns, a Japanese character taking two.
MAX_LEGEND_COLUMNS: Final = 24
MAX_DAY_COLUMNS: Final = 6  # a day's date under its bar: "Dec 6" fits, "12月6日" gives "12/6"
MAX_CAPTION_UNITS: Final = 1024  # a photo's caption, UTF-16 units after parsing the HTML


@dataclass(frozen=True)
class TopicHour:
    """One topic's pushes in one UTC hour: sent (or maybe sent) and failed for good."""

    hour: datetime
    topic_id: int
    sent: int
    failed: int


@dataclass(frozen=True)
class ThrottleHour:
    """Telegram's 429 answers in one UTC hour, and the seconds they asked to wait."""

    hour: datetime
    waits: int
    seconds: float


class FeedState(StrEnum):
    """A feed's health, as the chart colours it."""

    OK = "ok"
    FAILING = "failing"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Band:
    """One band of the stacked bars: a topic (or the other topics), a count per day."""

    label: str
    counts: tuple[int, ...]
    other: bool = False


@dataclass(frozen=True)
class HealthPart:
    """How many feeds are in one state."""

    state: FeedState
    label: str
    count: int


@dataclass(frozen=True)
class StatsChart:
    """Everything the chart draws, labelled in the reader's language.

    `bands` stack from the bottom: the busiest topic first, "other" last. Days before
    `kept_from` are no longer in the database: they are drawn empty, with `kept_note`.
    """

    title: str
    days: tuple[str, ...]
    bands: tuple[Band, ...]
    failures: tuple[int, ...]
    waits: tuple[int, ...]
    kept_from: int
    kept_note: str
    empty_note: str
    pushes_label: str
    problems_label: str
    failures_label: str
    waits_label: str
    health_label: str
    health: tuple[HealthPart, ...]

    def texts(self) -> list[str]:
        """Every label the chart draws (the font must cover each character)."""
        fixed = [self.title, self.kept_note, self.empty_note, self.pushes_label]
        fixed += [self.problems_label, self.failures_label, self.waits_label, self.health_label]
        return [
            *fixed,
            *self.days,
            *(band.label for band in self.bands),
            *(part.label for part in self.health),
        ]


def chart_start(now: datetime, tz: tzinfo, days: int = CHART_DAYS) -> datetime:
    """The start of the chart's first local day, `days` days back with today the last one."""
    first = now.astimezone(tz).date() - timedelta(days=days - 1)
    return _day_start(first, tz)


def fits_caption(html: str) -> bool:
    """Whether Telegram HTML fits a photo's caption."""
    return visible_units(html) <= MAX_CAPTION_UNITS


def shape_stats_chart(
    tr: Translator,
    *,
    now: datetime,
    tz: tzinfo,
    topics: Mapping[int, str],
    pushes: Sequence[TopicHour],
    throttles: Sequence[ThrottleHour],
    health: tuple[int, int, int],
    kept: timedelta,
    days: int = CHART_DAYS,
) -> StatsChart | None:
    """The chart of the last `days` local days in `tz`, or None when there is nothing to show.

    `topics` names topic ids; `health` is (ok, failing, disabled) feeds; the database keeps
    finished sends for `kept`, so older days are marked as not kept. A bot with no feeds
    and nothing sent gets no chart: the text says as much, and a picture of zeros says less.
    """
    today = now.astimezone(tz).date()
    dates = [today - timedelta(days=days - 1 - i) for i in range(days)]
    index = {day: i for i, day in enumerate(dates)}
    cutoff = now - kept
    kept_from = next((i for i, d in enumerate(dates) if _day_start(d, tz) >= cutoff), days)

    def slot(hour: datetime) -> int | None:
        i = index.get(hour.astimezone(tz).date())
        return i if i is not None and i >= kept_from else None

    sent: dict[int, list[int]] = defaultdict(lambda: [0] * days)
    failures = [0] * days
    for row in pushes:
        if (i := slot(row.hour)) is not None:
            sent[row.topic_id][i] += row.sent
            failures[i] += row.failed
    waits = [0] * days
    seconds = 0.0
    for throttle in throttles:
        if (i := slot(throttle.hour)) is not None:
            waits[i] += throttle.waits
            seconds += throttle.seconds
    if not any(health) and not any(map(any, sent.values())) and not any(failures + waits):
        return None
    ok, failing, disabled = health
    return StatsChart(
        title=tr.gettext("Pushes per day over the last {count} days ({timezone})").format(
            count=days, timezone=str(tz)
        ),
        days=tuple(_day_label(tr, day) for day in dates),
        bands=_bands(tr, sent, topics),
        failures=tuple(failures),
        waits=tuple(waits),
        kept_from=kept_from,
        kept_note=_kept_note(tr, kept) if kept_from else "",
        empty_note="" if any(map(any, sent.values())) else tr.gettext("Nothing sent yet."),
        pushes_label=tr.gettext("Pushes sent"),
        problems_label=tr.gettext("Failed sends and 429s"),
        failures_label=tr.gettext("Failed sends"),
        waits_label=tr.gettext("429 waits ({seconds} s in all)").format(seconds=round(seconds)),
        health_label=tr.gettext("Feeds"),
        health=(
            HealthPart(FeedState.OK, tr.gettext("OK: {count}").format(count=ok), ok),
            HealthPart(
                FeedState.FAILING, tr.gettext("Failing: {count}").format(count=failing), failing
            ),
            HealthPart(
                FeedState.DISABLED,
                tr.gettext("Disabled: {count}").format(count=disabled),
                disabled,
            ),
        ),
    )


def _bands(
    tr: Translator, sent: Mapping[int, list[int]], topics: Mapping[int, str]
) -> tuple[Band, ...]:
    """The busiest topics, one band each from the bottom, then the rest as one band."""
    busy = [topic_id for topic_id, counts in sent.items() if any(counts)]
    busy.sort(key=lambda topic_id: (-sum(sent[topic_id]), topics.get(topic_id, ""), topic_id))
    # A last band of one topic reads better under its own name than as "1 other topic".
    shown = busy if len(busy) <= MAX_TOPICS_SHOWN else busy[: MAX_TOPICS_SHOWN - 1]
    bands = [Band(_topic_label(topics, topic_id), tuple(sent[topic_id])) for topic_id in shown]
    rest = busy[len(shown) :]
    if rest:
        counts = tuple(sum(column) for column in zip(*(sent[t] for t in rest), strict=True))
        label = tr.ngettext("{count} other topic", "{count} other topics", len(rest))
        bands.append(Band(label.format(count=len(rest)), counts, other=True))
    return tuple(bands)


def _topic_label(topics: Mapping[int, str], topic_id: int) -> str:
    return cut_columns(topics.get(topic_id, f"#{topic_id}"), MAX_LEGEND_COLUMNS)


def cut_columns(text: str, columns: int) -> str:
    """`text` within `columns` display columns (wide characters take two), else cut with "…"."""
    widths = [_columns(char) for char in text]
    if sum(widths) <= columns:
        return text
    used = 0
    for end, width in enumerate(widths):
        if used + width > columns - 1:  # room for the "…"
            return text[:end] + "…"
        used += width
    return text


def _columns(text: str) -> int:
    """Display columns: two for a wide (Japanese) character, one for any other."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _kept_note(tr: Translator, kept: timedelta) -> str:
    count = max(1, round(kept / timedelta(days=1)))
    text = tr.ngettext(
        "Sends are kept {count} day: the grey days have no data.",
        "Sends are kept {count} days: the grey days have no data.",
        count,
    )
    return text.format(count=count)


def _day_label(tr: Translator, day: date) -> str:
    """The date over its weekday as the reader's locale writes them: "Dec 6" over "Sun".

    Fourteen dates side by side: a month's name that would not fit under its bar gives way
    to its number ("12/6" over "日" in Japanese).
    """
    month_day = format_skeleton("MMMd", day, locale=tr.lang)
    if _columns(month_day) > MAX_DAY_COLUMNS:
        month_day = format_skeleton("Md", day, locale=tr.lang)
    return f"{month_day}\n{format_skeleton('E', day, locale=tr.lang)}"


def _day_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)
