from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.daily import (
    Candidate,
    catch_up_batch_key,
    catch_up_since,
    daily_batch_key,
    daily_due,
    daily_since,
    digest_text,
    pick_bundle,
)
from bot.core.models import Digest, Page

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
EIGHT = time(8, 0)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("now", "zone", "clock", "last", "due"),
    [
        pytest.param("2026-05-01T07:59+00:00", UTC, EIGHT, None, None, id="before-the-time"),
        pytest.param(
            "2026-05-01T08:00+00:00", UTC, EIGHT, None, date(2026, 5, 1), id="at-the-time"
        ),
        pytest.param(
            "2026-05-01T15:00+00:00", UTC, EIGHT, None, date(2026, 5, 1), id="first-ever-late"
        ),
        pytest.param(
            "2026-05-01T08:01+00:00",
            UTC,
            EIGHT,
            "2026-04-30T08:00+00:00",
            date(2026, 5, 1),
            id="sent-yesterday",
        ),
        pytest.param(
            "2026-05-01T20:00+00:00",
            UTC,
            EIGHT,
            "2026-05-01T08:00+00:00",
            None,
            id="sent-today-already",
        ),
        pytest.param(
            "2026-05-01T20:00+00:00",
            UTC,
            time(18, 0),
            "2026-05-01T08:00+00:00",
            None,
            id="time-moved-later-same-day",
        ),
        pytest.param(
            "2026-05-04T09:00+00:00",
            UTC,
            EIGHT,
            "2026-04-28T08:00+00:00",
            date(2026, 5, 4),
            id="days-missed-one-digest",
        ),
        pytest.param(
            "2026-04-30T23:00+00:00", TOKYO, EIGHT, None, date(2026, 5, 1), id="tokyo-ahead"
        ),
        pytest.param("2026-04-30T22:59+00:00", TOKYO, EIGHT, None, None, id="tokyo-not-yet"),
        pytest.param(
            "2026-04-30T23:00+00:00",
            TOKYO,
            EIGHT,
            "2026-04-30T00:00+00:00",
            date(2026, 5, 1),
            id="tokyo-yesterday-in-utc-is-today-there",
        ),
        # 2026-03-08 02:30 does not exist in New York; it is read with the offset before
        # the jump (EST), which is 03:30 EDT.
        pytest.param(
            "2026-03-08T07:29+00:00", NEW_YORK, time(2, 30), None, None, id="dst-gap-before"
        ),
        pytest.param(
            "2026-03-08T07:30+00:00",
            NEW_YORK,
            time(2, 30),
            None,
            date(2026, 3, 8),
            id="dst-gap-at",
        ),
        # 2026-11-01 01:30 happens twice in New York: the first (EDT) counts, once.
        pytest.param(
            "2026-11-01T05:30+00:00",
            NEW_YORK,
            time(1, 30),
            None,
            date(2026, 11, 1),
            id="dst-repeat-first",
        ),
        pytest.param(
            "2026-11-01T06:30+00:00",
            NEW_YORK,
            time(1, 30),
            "2026-11-01T05:30+00:00",
            None,
            id="dst-repeat-second-skipped",
        ),
    ],
)
def test_daily_due(
    now: str, zone: ZoneInfo, clock: time, last: str | None, due: date | None
) -> None:
    last_at = None if last is None else at(last)
    assert daily_due(at(now), zone=zone, at=clock, last_digest_at=last_at) == due


@given(
    now=st.datetimes(
        # Hypothesis wants naive bounds; `timezones` makes the values aware.
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    zone=st.sampled_from([UTC, TOKYO, NEW_YORK, ZoneInfo("Australia/Lord_Howe")]),
    clock=st.times(),
)
def test_a_digest_sent_now_is_not_due_again_today(
    now: datetime, zone: ZoneInfo, clock: time
) -> None:
    day = daily_due(now, zone=zone, at=clock, last_digest_at=None)
    if day is None:
        return
    assert day == now.astimezone(zone).date()
    later = now + timedelta(minutes=1)
    if later.astimezone(zone).date() == day:
        assert daily_due(later, zone=zone, at=clock, last_digest_at=now) is None


def test_windows_reach_back_an_hour_or_a_day() -> None:
    now = at("2026-05-01T08:00+00:00")
    assert daily_since(now, None) == at("2026-04-30T08:00+00:00")
    assert daily_since(now, at("2026-04-30T08:00+00:00")) == at("2026-04-30T07:00+00:00")
    assert catch_up_since(at("2026-04-29T12:00+00:00")) == at("2026-04-29T11:00+00:00")


def test_batch_keys() -> None:
    assert daily_batch_key(-100123, date(2026, 5, 1)) == "daily:-100123:2026-05-01"
    resumed = at("2026-05-01T09:30:15.250000+00:00")
    assert catch_up_batch_key(42, resumed) == "catchup:42:2026-05-01T09:30:15.250000+00:00"


def digest(key: str, title: str = "", url: str = "") -> Digest:
    return Digest(
        title or f"Story {key}",
        url or f"https://example.com/{key}",
        "Example",
        None,
        "en",
        f"Lede {key}.",
        (f"Point {key}.",),
        pages=(Page("", (f"Bullet {key}.",)),),
    )


def test_pick_bundle_follows_filters_drops_repeats_and_caps() -> None:
    candidates = [
        Candidate(9, digest("9", "Rust 2.0 released"), include=("rust",)),
        Candidate(8, digest("8", "Gardening tips"), include=("rust",)),
        Candidate(7, digest("7", "Rust and crypto"), include=("rust",), exclude=("crypto",)),
        Candidate(6, digest("6", url="https://example.com/9")),
        Candidate(5, digest("5")),
        Candidate(4, digest("4")),
        Candidate(3, digest("3")),
    ]
    assert pick_bundle(candidates) == [9, 5, 4, 3]
    assert pick_bundle(candidates, limit=2) == [9, 5]
    assert pick_bundle([], limit=2) == []


def test_filters_look_at_every_part_of_a_digest() -> None:
    text = digest_text(digest("x"))
    assert text == "Story x\nLede x.\nPoint x.\nBullet x."
    assert pick_bundle([Candidate(1, digest("x"), include=("bullet",))]) == [1]
