"""Subscriber commands against the fake Bot API, the bot running in-process."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.store import ChatKind, NewArticle
from bot.core.models import Digest, Entry
from tests.conftest import ADMIN, USER, RunningBot

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def buttons(call_params: dict[str, object]) -> list[tuple[str, str]]:
    markup = call_params.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [
        (b["text"], b.get("callback_data", "")) for row in markup["inline_keyboard"] for b in row
    ]


async def test_start_greets_in_japanese_with_topic_buttons(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("tech", "テクノロジー")
    call = await running_bot.command(USER, "/start", language_code="ja")
    assert call.params["text"].startswith("👋 こんにちは！")
    assert buttons(call.params) == [("➕ テクノロジー (0)", "t:1")]


async def test_start_greets_in_english_by_default(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/start", language_code="fr")
    assert call.params["text"].startswith("👋 Hello!")


async def test_topic_button_toggles_and_counts(running_bot: RunningBot) -> None:
    topic = await running_bot.store.add_topic("tech", "Tech")
    call = await running_bot.command(USER, "/topics", language_code="en")
    message_id = call.result["message_id"]
    answer = await running_bot.press(USER, f"t:{topic.id}", message_id)
    assert answer.params.get("text") == "Subscribed to Tech."
    assert [t.slug for t in await running_bot.store.subscriptions(USER)] == ["tech"]
    edit = await running_bot.api.wait_for_call_async("editMessageReplyMarkup")
    assert buttons(edit.params) == [("✅ Tech (1)", f"t:{topic.id}")]
    await running_bot.press(USER, f"t:{topic.id}", message_id)
    assert await running_bot.store.subscriptions(USER) == []


async def test_subscribe_suggests_the_closest_slug(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("science", "Science")
    call = await running_bot.command(USER, "/subscribe sceince")
    assert call.params["text"] == "There is no topic “sceince”. Did you mean <code>science</code>?"
    assert await running_bot.store.subscriptions(USER) == []


async def test_subscribe_and_unsubscribe_by_command(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("world", "World")
    assert (await running_bot.command(USER, "/subscribe world")).params["text"] == (
        "Subscribed to <b>World</b>."
    )
    assert "already" in (await running_bot.command(USER, "/subscribe world")).params["text"]
    mine = await running_bot.command(USER, "/mytopics")
    assert "<b>World</b> (world)" in mine.params["text"]
    await running_bot.command(USER, "/unsubscribe world")
    assert await running_bot.store.subscriptions(USER) == []


async def test_subscribe_without_argument_shows_usage(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/subscribe")
    assert "Usage: /subscribe &lt;topic&gt;" in call.params["text"]


async def test_help_lists_admin_commands_only_for_admins(running_bot: RunningBot) -> None:
    user_help = (await running_bot.command(USER, "/help")).params["text"]
    admin_help = (await running_bot.command(ADMIN, "/help")).params["text"]
    assert "/latest" in user_help
    assert "/addtopic" not in user_help
    assert "/addtopic" in admin_help


async def test_unknown_command_points_to_help(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/frobnicate now")
    assert call.params["text"] == "I don't know /frobnicate. Send /help for the list of commands."


async def test_latest_and_reading_an_article(running_bot: RunningBot) -> None:
    store = running_bot.store
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    digest = Digest(
        title="Rust 2.0 released",
        url="https://example.com/rust",
        source_name="Example",
        published=NOW,
        lang="en",
        lede="A new Rust.",
        key_points=("Faster.", "Safer."),
    )
    entry = Entry("k1", digest.title, digest.url, "", NOW, "en")
    (article_id,) = await store.save_poll(
        feed.id,
        [NewArticle(entry, digest)],
        polled_at=NOW,
        next_poll_at=NOW,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=False,
    )
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    await store.subscribe(USER, topic.id)
    listing = await running_bot.command(USER, "/latest tech")
    assert buttons(listing.params) == [("1. Rust 2.0 released", f"o:{article_id}")]
    await running_bot.press(USER, f"o:{article_id}", listing.result["message_id"])
    push = await running_bot.api.wait_for_call_async(
        "sendMessage", lambda c: "💡 Faster." in c.params["text"]
    )
    assert [d for _, d in buttons(push.params)] == [
        f"s:{article_id}",
        f"n:{article_id}:0",
    ]
    sources = await running_bot.command(USER, "/sources")
    assert 'href="https://example.com/rust"' in sources.params["text"]
    caught_up = await running_bot.command(USER, "/next")
    assert caught_up.params["text"] == (
        "No more pages in “Rust 2.0 released”, and no unread articles left. 🎉"
    )
