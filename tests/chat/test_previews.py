"""Link previews in chat: replies preview only their own article, and /topic sets a topic's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapters.store import ChatKind, NewArticle
from bot.core.models import Digest, Entry, LinkPreview, Page, Source
from tests.conftest import ADMIN, USER, RunningBot
from tests.fakes.botapi import Call

NOW = datetime(2026, 5, 1, tzinfo=UTC)
IMAGE = "https://img.example/bridge.jpg"
NONE = {"is_disabled": True}
LEAD_IMAGE = {"url": IMAGE, "prefer_large_media": True, "show_above_text": True}


async def article(running_bot: RunningBot) -> int:
    """An article with a lead image, a page and a cited source, in topic "city"."""
    store = running_bot.store
    topic = await store.add_topic("city", "City")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    digest = Digest(
        title="A new bridge",
        url="https://example.com/bridge",
        source_name="Example",
        published=NOW,
        lang="en",
        lede="A bridge is planned.",
        key_points=("It is long.",),
        pages=(Page("The plan", ("A bridge over the river.",)),),
        sources=(Source("The council", "https://council.example/minutes"),),
        image=IMAGE,
    )
    entry = Entry("bridge", digest.title, digest.url, "", NOW, "en")
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
    return article_id


async def after(running_bot: RunningBot, call: Call, data: str) -> Call:
    """Press a button under call's message; the message the bot sends next."""
    since = len(running_bot.api.calls())
    await running_bot.press(USER, data, call.result["message_id"])
    return await running_bot.api.wait_for_call_async("sendMessage", since=since)


def buttons(call: Call) -> list[tuple[str, str]]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


async def test_replies_preview_their_own_article_or_nothing(running_bot: RunningBot) -> None:
    article_id = await article(running_bot)

    listing = await running_bot.command(USER, "/latest")
    opened = await after(running_bot, listing, f"o:{article_id}")
    page = await after(running_bot, opened, f"n:{article_id}:0")
    summary = await running_bot.command(USER, "/summary")
    sources = await running_bot.command(USER, "/sources")
    caught_up = await running_bot.command(USER, "/next")

    assert listing.params["link_preview_options"] == NONE
    assert opened.params["link_preview_options"] == LEAD_IMAGE  # the article, as pushed
    assert "Page 1 of 1" in page.params["text"]
    assert "https://council.example/minutes" in sources.params["text"]
    for reply in (page, summary, sources, caught_up):
        assert reply.params["link_preview_options"] == NONE


async def test_an_opened_article_previews_what_its_topic_says(running_bot: RunningBot) -> None:
    article_id = await article(running_bot)
    topic = await running_bot.store.get_topic("city")
    assert topic is not None
    await running_bot.store.set_link_preview(topic.id, LinkPreview.ARTICLE)

    listing = await running_bot.command(USER, "/latest")
    opened = await after(running_bot, listing, f"o:{article_id}")

    assert opened.params["link_preview_options"] == {
        "url": "https://example.com/bridge",
        "prefer_large_media": True,
        "show_above_text": True,
    }


async def press_as_admin(running_bot: RunningBot, view: Call, label: str) -> tuple[Call, Call]:
    """Press the button with this label under view: (the answer, the edit of view)."""
    data = dict(buttons(view))[label]
    since = len(running_bot.api.calls())
    answer = await running_bot.press(ADMIN, data, view.result["message_id"])
    edit = await running_bot.api.wait_for_call_async("editMessageText", since=since)
    return answer, edit


async def test_an_admin_sets_a_topics_preview_with_buttons(running_bot: RunningBot) -> None:
    topic = await running_bot.store.add_topic("tech", "Tech")
    label = "<b>Tech</b> (<code>tech</code>)"

    view = await running_bot.command(ADMIN, "/topic tech")
    assert view.params["text"] == (
        f"⚙️ Settings of {label}\nLink preview above each push: the lead image (the default)"
    )
    assert buttons(view) == [
        ("🖼 Lead image", f"lp:{topic.id}:image"),
        ("📰 Article page", f"lp:{topic.id}:article"),
        ("🚫 No preview", f"lp:{topic.id}:off"),
        ("✓ ↩️ Default", f"lp:{topic.id}:default"),
    ]
    assert view.params["link_preview_options"] == NONE

    answer, edit = await press_as_admin(running_bot, view, "🚫 No preview")
    assert answer.params["text"] == "Saved."
    assert edit.params["text"] == f"⚙️ Settings of {label}\nLink preview above each push: none"
    assert [text for text, _ in buttons(edit)] == [
        "🖼 Lead image",
        "📰 Article page",
        "✓ 🚫 No preview",
        "↩️ Default",
    ]
    stored = await running_bot.store.get_topic("tech")
    assert stored is not None
    assert stored.link_preview is LinkPreview.OFF

    await press_as_admin(running_bot, edit, "↩️ Default")
    stored = await running_bot.store.get_topic("tech")
    assert stored is not None
    assert stored.link_preview is None


async def test_a_japanese_admin_sees_the_settings_in_japanese(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("tech", "テック")
    label = "<b>テック</b> (<code>tech</code>)"

    view = await running_bot.command(ADMIN, "/topic tech", language_code="ja")
    assert view.params["text"] == (
        f"⚙️ {label} の設定\n各プッシュの上のリンクプレビュー:記事の画像(既定)"
    )
    assert [text for text, _ in buttons(view)] == [
        "🖼 記事の画像",
        "📰 記事のページ",
        "🚫 プレビューなし",
        "✓ ↩️ 既定に戻す",
    ]

    answer, edit = await press_as_admin(running_bot, view, "📰 記事のページ")
    assert answer.params["text"] == "保存しました。"
    assert edit.params["text"] == (
        f"⚙️ {label} の設定\n各プッシュの上のリンクプレビュー:記事のページ"
    )
    assert [text for text, _ in buttons(edit)][1] == "✓ 📰 記事のページ"


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("/topic", "Usage: /topic &lt;slug&gt;"),
        ("/topic tech more", "Usage: /topic &lt;slug&gt;"),
    ],
    ids=["no-slug", "two-words"],
)
async def test_topic_usage(running_bot: RunningBot, text: str, reply: str) -> None:
    call = await running_bot.command(ADMIN, text)
    assert call.params["text"] == reply


async def test_others_cannot_change_a_topics_preview(running_bot: RunningBot) -> None:
    topic = await running_bot.store.add_topic("tech", "Tech")
    view = await running_bot.command(ADMIN, "/topic tech")
    refused = await running_bot.command(USER, "/topic tech")
    data = dict(buttons(view))["🚫 No preview"]

    answer = await running_bot.press(ADMIN, data, view.result["message_id"], user_id=USER)

    assert refused.params["text"] == "Sorry, only the bot's admins can do that."
    assert answer.params["text"] == "Sorry, only the bot's admins can do that."
    assert await running_bot.store.get_topic("tech") == topic


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("lp:999:off", "That topic no longer exists."),
        ("lp:1:photo", "This button is no longer valid."),
        ("lp:x:off", "This button is no longer valid."),
        ("lp:1", "This button is no longer valid."),
    ],
    ids=["no-topic", "no-such-mode", "bad-id", "no-mode"],
)
async def test_forged_preview_buttons_change_nothing(
    running_bot: RunningBot, data: str, expected: str
) -> None:
    topic = await running_bot.store.add_topic("tech", "Tech")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("?", callback_data=data)]])
    message = await running_bot.app.bot.send_message(ADMIN, "…", reply_markup=keyboard)

    answer = await running_bot.press(ADMIN, data, message.message_id)

    assert answer.params["text"] == expected
    assert await running_bot.store.get_topic("tech") == topic
