from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core import outcomes
from bot.core.discovery import FoundFeed
from bot.core.models import BotStats, Feed, Topic
from bot.core.polls import Outcome, PollReport
from bot.core.render import MAX_MESSAGE_CHARS, utf16_len
from bot.core.render_feeds import (
    render_add_feed,
    render_checking,
    render_feed_enabled,
    render_feed_removed,
    render_health,
    render_health_event,
    render_not_one_feed,
    render_poll_summary,
    render_polling,
    render_stats,
)
from bot.core.schedule import Alert, Disable
from bot.locales import load_translators

TRANSLATORS = load_translators()
EN, JA = TRANSLATORS["en"], TRANSLATORS["ja"]
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
TECH = Topic(1, "tech", "Tech")
WORLD = Topic(2, "world", "World")
LABEL = "<b>Tech</b> (<code>tech</code>)"
FLAKY = Feed(7, 1, "https://example.com/flaky.xml?a=1&b=2", "Flaky <news>")


def test_health_in_japanese_uses_babel_relative_times() -> None:
    feed = Feed(1, 1, "https://example.com/a.xml", "A", last_polled_at=NOW - timedelta(hours=3))
    assert "3 時間前" in render_health(JA, [feed], {1: TECH}, NOW)


def test_health_lists_are_cut_to_one_message() -> None:
    feeds = [Feed(n, 1, f"https://example.com/{'p/' * 60}{n}", "T" * 200) for n in range(60)]
    text = render_health(EN, feeds, {1: TECH}, NOW)
    shown = text.count(" · tech")
    assert 0 < shown < 60
    assert text.endswith(f"…and {60 - shown} more feeds.")
    assert utf16_len(text) <= MAX_MESSAGE_CHARS


def test_a_feed_of_an_unknown_topic_shows_no_slug() -> None:
    text = render_health(EN, [FLAKY], {}, NOW)
    assert text.splitlines()[2] == "<b>Flaky &lt;news&gt;</b> #7"


def test_add_feed() -> None:
    report = PollReport(FLAKY, Outcome.NEW, new_entries=1, title="T<1>", problem="bad & odd")
    assert render_checking(EN, FLAKY.url) == (
        "⏳ Checking <code>https://example.com/flaky.xml?a=1&amp;b=2</code>…"
    )
    assert render_add_feed(EN, outcomes.FeedAdded(TECH, report)).html == (
        f"✅ Added <b>T&lt;1&gt;</b> to {LABEL}: 1 entry.\n"
        "The feed is ill-formed but usable: bad &amp; odd"
    )
    assert render_add_feed(EN, outcomes.FeedAlreadyThere(TECH, "https://e.x/f")).html == (
        f"<code>https://e.x/f</code> is already in {LABEL}."
    )
    refused = outcomes.FeedRefused("https://e.x/" + "u" * 200, "<" * 200)
    assert render_add_feed(EN, refused).html == (
        f"❌ Could not add <code>https://e.x/{'u' * 107}…</code>: {'&lt;' * 159}…"
    )


def test_a_feed_found_on_a_page_and_a_choice_of_feeds() -> None:
    report = PollReport(FLAKY, Outcome.NEW, new_entries=2, title="Posts")
    found = outcomes.FeedAdded(TECH, report, found_on="https://e.x/?a=1&b=2")
    assert render_add_feed(EN, found).html == (
        f"✅ Added <b>Posts</b> to {LABEL}: 2 entries.\n"
        "The page <code>https://e.x/?a=1&amp;b=2</code> names this feed."
    )
    choices = outcomes.FeedChoices(
        TECH,
        "https://e.x/",
        (
            FoundFeed("https://e.x/rss", "Posts <all>", "RSS"),
            FoundFeed("https://e.x/atom", "", "Atom"),
        ),
    )
    rendered = render_add_feed(JA, choices)
    assert rendered.html == (
        "🔎 <code>https://e.x/</code> はウェブページで、2件のフィードが載っています。"
        f"{LABEL} にどれを追加しますか？"
    )
    assert [[(b.text, b.data) for b in row] for row in rendered.buttons] == [
        [("Posts <all> · e.x/rss", f"af:{TECH.id}:0")],
        [("Atom · e.x/atom", f"af:{TECH.id}:1")],
    ]


def test_a_refusal_is_in_the_readers_language() -> None:
    refused = outcomes.FeedRefused("https://gihyo.jp/feed", "cannot resolve host gihyo.jp")
    assert render_add_feed(JA, refused).html == (
        "❌ <code>https://gihyo.jp/feed</code> を追加できませんでした："
        "ホスト gihyo.jp が見つかりません"
    )
    assert render_add_feed(EN, refused).html == (
        "❌ Could not add <code>https://gihyo.jp/feed</code>: cannot resolve host gihyo.jp"
    )


def test_remove_and_enable() -> None:
    assert render_feed_removed(EN, outcomes.FeedRemoved(FLAKY, TECH)) == (
        f"🗑 Removed <b>Flaky &lt;news&gt;</b> from {LABEL}."
    )
    enabled = outcomes.FeedEnabled(FLAKY, was_disabled=True)
    assert render_feed_enabled(EN, enabled) == (
        "✅ <b>Flaky &lt;news&gt;</b> #7 is enabled again and will be polled shortly."
    )
    not_disabled = outcomes.FeedEnabled(FLAKY, was_disabled=False)
    assert render_feed_enabled(EN, not_disabled) == "<b>Flaky &lt;news&gt;</b> #7 is not disabled."


def test_not_one_feed() -> None:
    assert render_not_one_feed(EN, outcomes.NoSuchFeed("<99>"), {}) == (
        "There is no feed <code>&lt;99&gt;</code>. See /feeds."
    )
    ambiguous = outcomes.AmbiguousFeed((Feed(3, 1, "u"), Feed(4, 2, "u")))
    assert render_not_one_feed(EN, ambiguous, {1: TECH, 2: WORLD}) == (
        "That URL is in several topics. Remove one by its id:\n• #3 (tech)\n• #4 (world)"
    )


def test_poll_summary() -> None:
    reports = [
        PollReport(Feed(1, 1, "https://e.x/1"), Outcome.NEW, new_entries=2),
        PollReport(Feed(2, 1, "https://e.x/2"), Outcome.NOT_MODIFIED),
        PollReport(FLAKY, Outcome.FAILED, error="HTTP 404 Not Found"),
    ]
    assert render_polling(EN, 3) == "⏳ Polling 3 feeds…"
    assert render_poll_summary(EN, reports) == (
        "Polled 3 feeds.\n"
        "🆕 2 new entries\n"
        "💤 1 feed not modified\n"
        "❌ 1 feed failed\n"
        "• <b>Flaky &lt;news&gt;</b> #7: HTTP 404 Not Found"
    )


def test_stats_list_ten_feeds_in_trouble_then_count_the_rest() -> None:
    numbers = BotStats(1, 12, 3, 0, 1, 2, 5, 1, failing_feeds=11, disabled_feeds=1)
    unhealthy = [Feed(n, 1, f"https://e.x/{n}", last_error=f"error {n}") for n in range(10)]
    lines = render_stats(EN, numbers, unhealthy).splitlines()
    assert lines[:3] == ["<b>📊 Stats</b>", "📚 Topics: 1", "📡 Feeds: 12"]
    assert lines[-11:] == [
        *(f"• <b>https://e.x/{n}</b> #{n}: error {n}" for n in range(10)),
        "…and 2 more feeds.",
    ]


def test_stats_show_unconfirmed_sends_after_the_failed_ones_when_there_are_any() -> None:
    numbers = BotStats(1, 1, 3, 0, 0, 2, 5, 1, failing_feeds=0, disabled_feeds=0)
    assert "❔" not in render_stats(EN, numbers, [])
    lines = render_stats(EN, replace(numbers, unconfirmed=4), []).splitlines()
    assert lines[8:10] == [
        "❌ Failed in the last 24 hours: 1",
        "❔ Timed out, maybe delivered, in the last 24 hours: 4",
    ]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param(
            Alert(10),
            "⚠️ The feed <b>Flaky &lt;news&gt;</b> #7 has failed 10 times in a row.\n"
            "<code>https://example.com/flaky.xml?a=1&amp;b=2</code>\n"
            "Last error: HTTP 503",
            id="alert",
        ),
        pytest.param(
            Disable(100),
            "⛔ The feed <b>Flaky &lt;news&gt;</b> #7 was disabled after 100 failures in a row.\n"
            "<code>https://example.com/flaky.xml?a=1&amp;b=2</code>\n"
            "Last error: HTTP 503\n"
            "Re-enable it with /enablefeed 7",
            id="disable",
        ),
    ],
)
def test_health_event(event: Alert | Disable, expected: str) -> None:
    assert render_health_event(EN, FLAKY, event, "HTTP 503") == expected


def test_an_alerts_error_is_cut_to_the_shared_limit() -> None:
    text = render_health_event(EN, FLAKY, Alert(10), "e" * 400)
    assert text.splitlines()[-1] == f"Last error: {'e' * 159}…"
    assert render_health_event(JA, FLAKY, Alert(1), "x").endswith("直近のエラー：x")


def test_a_url_in_very_many_topics_lists_what_fits() -> None:
    topics = {n: Topic(n, f"topic-{n:026}", "T") for n in range(200)}
    ambiguous = outcomes.AmbiguousFeed(tuple(Feed(n, n, "u") for n in range(200)))
    text = render_not_one_feed(EN, ambiguous, topics)
    shown = text.count("• #")
    assert 0 < shown < 200
    assert text.endswith(f"\n…and {200 - shown} more feeds.")
    assert utf16_len(text) <= MAX_MESSAGE_CHARS
