from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.core import outcomes
from bot.core.models import Digest, Topic
from bot.core.render import MAX_MESSAGE_CHARS, utf16_len
from bot.core.render_reader import (
    render_help,
    render_latest,
    render_my_topics,
    render_no_such_topic,
    render_settings,
    render_start,
    render_subscription,
    render_subscription_usage,
    render_toggled,
    render_topics_prompt,
    render_unknown_command,
)
from bot.locales import load_translators

TRANSLATORS = load_translators()
EN, JA = TRANSLATORS["en"], TRANSLATORS["ja"]
WORLD = Topic(1, "world", "World & <Co>")
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def digest(title: str) -> Digest:
    return Digest(title, "https://example.com/a", "Example", NOW, "en", "Lede.", ("Point.",))


def test_start_greets_then_asks_for_topics() -> None:
    assert render_start(EN, any_topics=True).split("\n\n") == [
        "👋 Hello! I turn news feeds into short digests.",
        "Each article comes with a lede, three 💡 key points and its sources. "
        "Tap ▶ Next page to read on.",
        "Choose your topics:",
    ]
    assert render_start(JA, any_topics=True).split("\n\n") == [
        "👋 こんにちは！ニュースフィードを短いダイジェストにしてお届けします。",
        "各記事にはリード文、3つの💡要点、出典が付きます。"
        "続きは「▶ 次のページ」をタップしてください。",
        "読みたいトピックを選んでください。",
    ]


def test_start_without_topics_does_not_ask_to_choose() -> None:
    assert render_start(EN, any_topics=False).endswith(
        "\n\nThere are no topics yet: come back soon, or send /help."
    )
    assert render_start(JA, any_topics=False).endswith(
        "\n\nトピックはまだありません。"
        "しばらくしてからもう一度お越しいただくか、/help をご覧ください。"
    )


def test_help_is_escaped_and_lists_admin_commands_for_admins_only() -> None:
    user = render_help(EN, admin=False)
    assert user.startswith("Commands:\n/start – ")
    assert "/subscribe – Subscribe to a topic: /subscribe &lt;topic&gt;" in user
    assert "/addtopic" not in user
    assert "/addtopic – Add a topic: /addtopic &lt;slug&gt; &lt;name&gt;" in render_help(
        EN, admin=True
    )


def test_topics_prompt() -> None:
    assert render_topics_prompt(EN, any_topics=True) == "Tap a topic to subscribe or unsubscribe:"
    assert render_topics_prompt(EN, any_topics=False) == "There are no topics yet."


def test_my_topics() -> None:
    assert render_my_topics(EN, []) == "You have no topics yet. Choose some with /topics."
    assert render_my_topics(EN, [WORLD, Topic(2, "tech", "Tech")]) == (
        "Your topics:\n• <b>World &amp; &lt;Co&gt;</b> (world)\n• <b>Tech</b> (tech)"
    )


def test_many_topics_are_cut_to_one_message() -> None:
    many = [Topic(n, f"topic-{n}", "名" * 64) for n in range(100)]
    text = render_my_topics(EN, many)
    shown = text.count("• ")
    assert 0 < shown < 100
    assert text.endswith(f"\n…and {100 - shown} more.")
    assert utf16_len(text) <= MAX_MESSAGE_CHARS


def test_latest_lists_titles_with_open_buttons() -> None:
    rendered = render_latest(EN, [(7, digest("Rust & <Go>")), (9, digest("x" * 70))])
    assert rendered.html == (f"The newest digests:\n1. Rust &amp; &lt;Go&gt;\n2. {'x' * 70}")
    assert [(b.text, b.data) for row in rendered.buttons for b in row] == [
        ("1. Rust & <Go>", "o:7"),
        (f"2. {'x' * 59}…", "o:9"),
    ]
    assert render_latest(EN, []).html == "Nothing to read yet."
    assert render_latest(EN, []).buttons == ()


@pytest.mark.parametrize(
    ("subscribed", "changed", "expected"),
    [
        (True, True, "Subscribed to <b>World &amp; &lt;Co&gt;</b>."),
        (True, False, "You already receive <b>World &amp; &lt;Co&gt;</b>."),
        (False, True, "Unsubscribed from <b>World &amp; &lt;Co&gt;</b>."),
        (False, False, "You were not subscribed to <b>World &amp; &lt;Co&gt;</b>."),
    ],
)
def test_subscription(subscribed: bool, changed: bool, expected: str) -> None:
    outcome = outcomes.SubscriptionChanged(WORLD, subscribed, changed)
    assert render_subscription(EN, outcome) == expected


def test_a_topic_buttons_answer_is_plain_text() -> None:
    on = outcomes.SubscriptionChanged(WORLD, subscribed=True, changed=True)
    off = outcomes.SubscriptionChanged(WORLD, subscribed=False, changed=True)
    assert render_toggled(EN, on) == "Subscribed to World & <Co>."
    assert render_toggled(EN, off) == "Unsubscribed from World & <Co>."


def test_subscription_usage() -> None:
    assert render_subscription_usage(EN, on=True) == "Usage: /subscribe &lt;topic&gt;"
    assert render_subscription_usage(EN, on=False) == "Usage: /unsubscribe &lt;topic&gt;"


@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        pytest.param(
            outcomes.NoSuchTopic("sceince", "science", True),
            "There is no topic “sceince”. Did you mean <code>science</code>?",
            id="guess",
        ),
        pytest.param(
            outcomes.NoSuchTopic("nope", None, True),
            "There is no topic “nope”. See /topics.",
            id="see-topics",
        ),
        pytest.param(
            outcomes.NoSuchTopic("<b>" + "x" * 50, None, False),
            f"There is no topic “&lt;b&gt;{'x' * 36}…”.",
            id="no-topics-escaped-and-cut",
        ),
    ],
)
def test_no_such_topic(missing: outcomes.NoSuchTopic, expected: str) -> None:
    assert render_no_such_topic(EN, missing) == expected


def test_unknown_command() -> None:
    assert render_unknown_command(EN, "/frob<x>") == (
        "I don't know /frob&lt;x&gt;. Send /help for the list of commands."
    )


def test_latest_shows_the_first_five() -> None:
    rendered = render_latest(EN, [(n, digest(f"T{n}")) for n in range(1, 8)])
    assert rendered.html.splitlines()[1:] == [f"{n}. T{n}" for n in range(1, 6)]
    assert len(rendered.buttons) == 5


def test_settings() -> None:
    instant = render_settings(EN, daily_at=None, timezone="UTC", quiet=None, paused=False)
    assert instant == (
        "⚙️ <b>Settings</b>\n"
        "Delivery: instant: each article as it arrives\n"
        "Timezone: UTC\n"
        "Quiet hours: none\n"
        "Pushes: active\n"
        "\n"
        "Another timezone: /settings tz Area/City\n"
        "Any time for the daily digest: /settings HH:MM"
    )
    daily = render_settings(
        EN, daily_at=time(7), timezone="Asia/Tokyo", quiet=(time(22), time(7)), paused=True
    )
    assert daily.splitlines()[1:5] == [
        "Delivery: one daily digest at 07:00",
        "Timezone: Asia/Tokyo",
        "Quiet hours: 22:00–07:00",
        "Pushes: paused",
    ]
