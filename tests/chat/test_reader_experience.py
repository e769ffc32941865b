"""What a reader sees, in English and Japanese: topics by name, pushes, reading, settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.adapters.store import ChatKind, NewArticle
from bot.core.models import Digest, Entry, Page
from tests.conftest import USER, RunningBot
from tests.fakes.botapi import Call

NOW = datetime(2026, 5, 1, tzinfo=UTC)
OTHER = 3003


def buttons(call: Call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [
        (b["text"], b.get("callback_data", "")) for row in markup["inline_keyboard"] for b in row
    ]


async def publish(
    running_bot: RunningBot,
    slug: str,
    name: str,
    *digests: Digest,
) -> list[int]:
    """A topic with one feed that brought these digests, newest first; their article ids."""
    store = running_bot.store
    topic = await store.get_topic(slug) or await store.add_topic(slug, name)
    feed = await store.add_feed(topic.id, f"https://example.com/{slug}.xml")
    articles = [
        NewArticle(Entry(d.url, d.title, d.url, "", d.published, d.lang), d) for d in digests
    ]
    return await store.save_poll(
        feed.id,
        articles,
        polled_at=NOW,
        next_poll_at=NOW,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=False,
    )


def digest(title: str, day: int, points: int = 1, pages: int = 0) -> Digest:
    return Digest(
        title=title,
        url=f"https://example.com/{day}",
        source_name="Example",
        published=datetime(2026, 5, day, tzinfo=UTC),
        lang="en",
        lede="",
        key_points=tuple(f"Point {n}." for n in range(1, points + 1)),
        pages=tuple(Page(f"Part {n}", (f"Bullet {n}.",)) for n in range(1, pages + 1)),
    )


async def next_message(running_bot: RunningBot, since: int, chat_id: int = USER) -> Call:
    return await running_bot.api.wait_for_call_async(
        "sendMessage", lambda c: c.params.get("chat_id") == chat_id, since=since
    )


async def press(running_bot: RunningBot, data: str, message_id: int) -> Call:
    """Press a button and wait for the message the bot sends after it."""
    since = len(running_bot.api.calls())
    await running_bot.press(USER, data, message_id)
    return await next_message(running_bot, since)


# Topics by name


async def test_subscribe_by_a_japanese_topic_name(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("japan", "日本のニュース")
    call = await running_bot.command(USER, "/subscribe 日本のニュース", language_code="ja")
    assert call.params["text"] == "<b>日本のニュース</b> を購読しました。"
    call = await running_bot.command(USER, "/unsubscribe 日本のニュース")
    assert call.params["text"] == "<b>日本のニュース</b> の購読を解除しました。"
    assert await running_bot.store.subscriptions(USER) == []


async def test_subscribe_by_name_in_any_case_and_width(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("tech", "Tech News")
    call = await running_bot.command(USER, "/subscribe ｔｅｃｈ　ＮＥＷＳ", language_code="en")
    assert call.params["text"] == "Subscribed to <b>Tech News</b>."
    call = await running_bot.command(USER, "/unsubscribe tech news")
    assert call.params["text"] == "Unsubscribed from <b>Tech News</b>."


async def test_a_mistyped_name_suggests_the_topics_slug(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("japan", "日本のニュース")
    call = await running_bot.command(USER, "/subscribe 日本のニュー", language_code="ja")
    assert call.params["text"] == (
        "「日本のニュー」というトピックはありません。<code>japan</code> のことですか？"
    )


# Pushes


async def test_an_opened_article_says_its_topic(running_bot: RunningBot) -> None:
    (article_id,) = await publish(running_bot, "city", "City", digest("A bridge", 1))
    listing = await running_bot.command(USER, "/latest", language_code="en")
    push = await press(running_bot, f"o:{article_id}", listing.result["message_id"])
    assert push.params["text"].endswith("\n<i>Topic: City</i>")


async def test_key_points_button_only_when_it_shows_more(running_bot: RunningBot) -> None:
    long_id, short_id = await publish(
        running_bot, "city", "City", digest("Long", 2, points=5), digest("Short", 1, points=3)
    )
    listing = await running_bot.command(USER, "/latest", language_code="en")
    push = await press(running_bot, f"o:{short_id}", listing.result["message_id"])
    assert [text for text, _ in buttons(push)] == ["🔗 Sources", "▶ Next page"]
    push = await press(running_bot, f"o:{long_id}", listing.result["message_id"])
    assert "Point 3." in push.params["text"]
    assert "Point 4." not in push.params["text"]
    assert [text for text, _ in buttons(push)] == ["💡 Key points", "🔗 Sources", "▶ Next page"]
    points = await press(running_bot, f"k:{long_id}", push.result["message_id"])
    assert points.params["text"].endswith(
        "<b>📘 What you'll learn</b>\n💡 Point 1.\n💡 Point 2.\n💡 Point 3.\n💡 Point 4.\n"
        "💡 Point 5."
    )


# Reading


@pytest.mark.parametrize(
    ("lang", "notice"),
    [
        ("en", "No more pages in “Pageless”. Next article: Older"),
        ("ja", "「Pageless」にこれ以上ページはありません。次の記事：Older"),
    ],
)
async def test_next_page_of_an_article_without_pages_says_so_first(
    running_bot: RunningBot, lang: str, notice: str
) -> None:
    pageless, _ = await publish(
        running_bot, "city", "City", digest("Pageless", 2), digest("Older", 1)
    )
    listing = await running_bot.command(USER, "/latest", language_code=lang)
    push = await press(running_bot, f"o:{pageless}", listing.result["message_id"])
    since = len(running_bot.api.calls())
    await running_bot.press(USER, f"n:{pageless}:0", push.result["message_id"])
    said = await next_message(running_bot, since)
    assert said.params["text"] == notice
    following = await running_bot.api.wait_for_call_async(
        "sendMessage", lambda c: c.params["text"].startswith("<b><a"), since=since
    )
    assert following.params["text"].startswith('<b><a href="https://example.com/1">Older</a>')


async def test_next_without_subscriptions_reads_what_latest_lists(
    running_bot: RunningBot,
) -> None:
    await publish(running_bot, "city", "City", digest("Newest", 2), digest("Older", 1))
    latest = await running_bot.command(USER, "/latest", language_code="en")
    assert latest.params["text"] == "The newest digests:\n1. Newest\n2. Older"
    first = await running_bot.command(USER, "/next")
    assert first.params["text"].startswith('<b><a href="https://example.com/2">Newest</a>')
    since = len(running_bot.api.calls())
    notice = await running_bot.command(USER, "/next")
    assert notice.params["text"] == "No more pages in “Newest”. Next article: Older"
    second = await running_bot.api.wait_for_call_async(
        "sendMessage", lambda c: "Older</a>" in c.params["text"], since=since
    )
    assert second.params["text"].startswith('<b><a href="https://example.com/1">')
    done = await running_bot.command(USER, "/next")
    assert done.params["text"] == "No more pages in “Older”, and no unread articles left. 🎉"


async def test_latest_and_next_keep_to_a_readers_topics(running_bot: RunningBot) -> None:
    await publish(running_bot, "city", "City", digest("City news", 2))
    await publish(running_bot, "farm", "Farm", digest("Farm news", 1))
    topic = await running_bot.store.get_topic("farm")
    assert topic is not None
    await running_bot.store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    await running_bot.store.subscribe(USER, topic.id)
    latest = await running_bot.command(USER, "/latest", language_code="en")
    assert latest.params["text"] == "The newest digests:\n1. Farm news"
    first = await running_bot.command(USER, "/next")
    assert ">Farm news</a>" in first.params["text"]
    done = await running_bot.command(USER, "/next")
    assert done.params["text"] == "No more pages in “Farm news”, and no unread articles left. 🎉"


async def test_summary_keeps_the_page_being_read(running_bot: RunningBot) -> None:
    (article_id,) = await publish(running_bot, "city", "City", digest("Paged", 1, pages=2))
    listing = await running_bot.command(USER, "/latest", language_code="en")
    push = await press(running_bot, f"o:{article_id}", listing.result["message_id"])
    page = await press(running_bot, f"n:{article_id}:0", push.result["message_id"])
    assert "<i>Page 1 of 2</i>" in page.params["text"]
    summary = await running_bot.command(USER, "/summary")
    assert "💡 Point 1." in summary.params["text"]
    following = await running_bot.command(USER, "/next")
    assert "<i>Page 2 of 2</i>" in following.params["text"]


@pytest.mark.parametrize(
    ("lang", "hint"),
    [
        ("en", "I read commands only. Send /help to see them."),
        ("ja", "コマンドだけを受け付けています。/help でコマンド一覧を表示できます。"),
    ],
)
async def test_plain_text_gets_a_hint_to_help(
    running_bot: RunningBot, lang: str, hint: str
) -> None:
    since = len(running_bot.api.calls())
    running_bot.api.inject_message(USER, "hello?", language_code=lang)
    answer = await next_message(running_bot, since)
    assert answer.params["text"] == hint


@pytest.mark.parametrize(
    ("lang", "last"),
    [
        ("en", "There are no topics yet: come back soon, or send /help."),
        (
            "ja",
            "トピックはまだありません。"
            "しばらくしてからもう一度お越しいただくか、/help をご覧ください。",
        ),
    ],
)
async def test_start_without_topics_does_not_ask_to_choose(
    running_bot: RunningBot, lang: str, last: str
) -> None:
    call = await running_bot.command(USER, "/start", language_code=lang)
    assert call.params["text"].split("\n\n")[-1] == last
    assert "reply_markup" not in call.params


# One reader's updates in order


async def test_mytopics_right_after_a_subscribe_tap_has_the_topic(
    running_bot: RunningBot,
) -> None:
    topic = await running_bot.store.add_topic("tech", "Tech")
    listing = await running_bot.command(USER, "/topics", language_code="en")
    since = len(running_bot.api.calls())
    running_bot.api.inject_callback(USER, f"t:{topic.id}", message_id=listing.result["message_id"])
    running_bot.api.inject_command(USER, "/mytopics")
    mine = await next_message(running_bot, since)
    assert mine.params["text"] == "Your topics:\n• <b>Tech</b> (tech)"


# Settings


async def test_settings_takes_any_daily_time(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/settings 07:45", language_code="en")
    assert call.params["text"].splitlines()[1] == "Delivery: one daily digest at 07:45"
    assert ("● 07:45", "st:at:0745") in buttons(call)
    bad = await running_bot.command(USER, "/settings 25:00")
    assert bad.params["text"] == (
        "Send /settings 07:30 for a daily digest at that time, or /settings tz Area/City."
    )


async def test_settings_timezone_in_any_case(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/settings tz asia/tokyo", language_code="en")
    assert call.params["text"] == "Timezone: Asia/Tokyo"
    chat = await running_bot.store.get_chat(USER)
    assert chat is not None
    assert chat.timezone == "Asia/Tokyo"


async def test_a_japanese_reader_starts_on_tokyo_time(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/settings", language_code="ja")
    assert call.params["text"].splitlines()[2] == "タイムゾーン：Asia/Tokyo"


@pytest.mark.parametrize("bot_settings", [{"default_timezone": "Europe/Paris"}])
async def test_an_english_reader_starts_on_the_default_timezone(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/settings", language_code="en")
    assert call.params["text"].splitlines()[2] == "Timezone: Europe/Paris"
    ja = await running_bot.command(OTHER, "/settings", language_code="ja")
    assert ja.params["text"].splitlines()[2] == "タイムゾーン：Asia/Tokyo"
