"""Pushes and their link preview, sent by the dispatcher in-process to the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.dispatch import Dispatcher
from bot.adapters.store import ChatKind, NewArticle
from bot.core.models import Digest, Entry, LinkPreview
from tests.conftest import USER, RunningBot

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
IMAGE = "https://img.example/lead.jpg?w=1200&h=630"
LARGE_ABOVE = {"prefer_large_media": True, "show_above_text": True}


def dispatcher(running_bot: RunningBot) -> Dispatcher:
    found = running_bot.app.bot_data.dispatcher
    assert found is not None
    return found


async def push(
    running_bot: RunningBot, *images: str, topic_mode: LinkPreview | None = None
) -> int:
    """A topic USER reads gets one article per image ("": none) in one poll; the topic id."""
    store = running_bot.store
    topic = await store.add_topic("tech", "Tech")
    await store.set_link_preview(topic.id, topic_mode)
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    running_bot.api.add_chat(USER, "private")
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    await store.subscribe(USER, topic.id)
    articles = []
    for n, image in enumerate(images):
        url = f"https://example.com/{n}"
        digest = Digest(f"Title {n}", url, "Example", NOW, "en", "", ("A point.",), image=image)
        articles.append(NewArticle(Entry(str(n), digest.title, url, "", NOW, "en"), digest))
    await store.save_poll(
        feed.id,
        articles,
        polled_at=NOW,
        next_poll_at=NOW,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=True,
    )
    await dispatcher(running_bot).drain()
    return topic.id


def previews(running_bot: RunningBot) -> list[Any]:
    """The link_preview_options of every message sent to USER, as the fake recorded them."""
    return [m.get("link_preview_options") for m in running_bot.api.sent_messages(USER)]


async def test_a_push_previews_its_lead_image_large_above_the_text(
    running_bot: RunningBot,
) -> None:
    await push(running_bot, IMAGE)
    assert previews(running_bot) == [{"url": IMAGE, **LARGE_ABOVE}]
    [call] = running_bot.api.calls("sendMessage")
    assert call.params["link_preview_options"] == {"url": IMAGE, **LARGE_ABOVE}


async def test_a_push_without_an_image_previews_no_link_of_its_text(
    running_bot: RunningBot,
) -> None:
    await push(running_bot, "")
    assert previews(running_bot) == [{"is_disabled": True}]


async def test_a_combined_message_previews_its_first_articles_image_or_none(
    running_bot: RunningBot,
) -> None:
    await push(running_bot, IMAGE, "https://img.example/second.jpg", "", "")
    [message] = running_bot.api.sent_messages(USER)
    assert message["text"].startswith("Tech: 4 new articles")
    assert message["link_preview_options"] == {"url": IMAGE, **LARGE_ABOVE}


async def test_a_combined_message_whose_first_article_has_no_image_previews_none(
    running_bot: RunningBot,
) -> None:
    await push(running_bot, "", IMAGE, IMAGE, IMAGE)
    assert previews(running_bot) == [{"is_disabled": True}]


@pytest.mark.parametrize("bot_settings", [{"link_preview": LinkPreview.OFF}])
async def test_link_preview_off_sends_none(running_bot: RunningBot) -> None:
    await push(running_bot, IMAGE)
    assert previews(running_bot) == [{"is_disabled": True}]


@pytest.mark.parametrize("bot_settings", [{"link_preview": LinkPreview.ARTICLE}])
async def test_link_preview_article_previews_the_article_page(running_bot: RunningBot) -> None:
    await push(running_bot, IMAGE)
    assert previews(running_bot) == [{"url": "https://example.com/0", **LARGE_ABOVE}]


@pytest.mark.parametrize(
    ("bot_settings", "topic_mode", "expected"),
    [
        ({"link_preview": LinkPreview.IMAGE}, LinkPreview.OFF, {"is_disabled": True}),
        ({"link_preview": LinkPreview.OFF}, LinkPreview.IMAGE, {"url": IMAGE, **LARGE_ABOVE}),
    ],
    ids=["topic-off", "topic-image"],
)
async def test_a_topics_own_setting_wins_over_the_default(
    running_bot: RunningBot, topic_mode: LinkPreview, expected: dict[str, Any]
) -> None:
    await push(running_bot, IMAGE, topic_mode=topic_mode)
    assert previews(running_bot) == [expected]
