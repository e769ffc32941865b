"""Pushes and their link preview, sent by the dispatcher in-process to the fake Bot API."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.dispatch import Dispatcher
from bot.adapters.pushes import MODE_SECONDS, Pushes
from bot.adapters.store import Chat, ChatKind, Claimed, NewArticle, Store, without_articles
from bot.core.models import Digest, Entry, LinkPreview
from bot.locales import load_translators
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


# rendered once for every send of a message


class CountingStore:
    """The store, counting the reads a rendering makes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reads: Counter[str] = Counter()

    async def get_digest(self, article_id: int) -> Digest | None:
        self.reads["digest"] += 1
        return await self.store.get_digest(article_id)

    async def article_topic(self, article_id: int) -> str | None:
        self.reads["topic"] += 1
        return await self.store.article_topic(article_id)

    async def article_link_preview(self, article_id: int) -> LinkPreview | None:
        self.reads["mode"] += 1
        return await self.store.article_link_preview(article_id)


async def burst_rows(store: Store, chats: int, articles: int) -> dict[int, list[Claimed]]:
    """`articles` new articles in one poll of a topic `chats` private chats read: their rows."""
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    for chat_id in range(1, chats + 1):
        await store.upsert_chat(chat_id, kind=ChatKind.PRIVATE)
        await store.subscribe(chat_id, topic.id)
    news = []
    for n in range(articles):
        url = f"https://example.com/{n}"
        digest = Digest(f"Title {n}", url, "Example", NOW, "en", "", ("A point.",), image=IMAGE)
        news.append(NewArticle(Entry(str(n), digest.title, url, "", NOW, "en"), digest))
    await store.save_poll(
        feed.id,
        news,
        polled_at=NOW,
        next_poll_at=NOW,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=True,
    )
    by_chat: dict[int, list[Claimed]] = {}
    for claim in await store.claim_deliveries(NOW, chats * articles, "w"):
        by_chat.setdefault(claim.chat_id, []).append(claim)
    return by_chat


async def test_sends_of_one_message_started_together_read_and_render_it_once(
    store: Store,
) -> None:
    by_chat = await burst_rows(store, 50, 20)
    counting = CountingStore(store)
    pushes = Pushes(counting, load_translators())  # type: ignore[arg-type]
    results = await asyncio.gather(
        *(
            pushes.render(Chat(chat_id, ChatKind.PRIVATE), rows, rows[0].batch_key)
            for chat_id, rows in by_chat.items()
        )
    )
    assert counting.reads == {"digest": 20, "topic": 1, "mode": 1}
    alone, _ = await Pushes(store, load_translators()).render(
        Chat(1, ChatKind.PRIVATE), by_chat[1], by_chat[1][0].batch_key
    )
    assert alone is not None
    assert results == [(alone, frozenset())] * 50
    assert alone.preview == IMAGE


async def test_each_send_of_a_cached_message_has_its_gone_articles(store: Store) -> None:
    by_chat = await burst_rows(store, 2, 4)
    pushes = Pushes(store, load_translators())
    for chat_id, (claim,) in by_chat.items():
        # One more row, for an article no longer there.
        more = replace(
            claim, ids=(*claim.ids, 1000 + chat_id), article_ids=(*claim.article_ids, 999)
        )
        rendered, gone = await pushes.render(
            Chat(chat_id, ChatKind.PRIVATE), [more], claim.batch_key
        )
        assert rendered is not None
        assert "Title 3" in rendered.html
        assert gone == {999}
        assert without_articles([more], gone) == ([claim], [1000 + chat_id])
    lost = replace(by_chat[1][0], ids=(1,), article_ids=(999,), batch_key=None)
    assert await pushes.render(Chat(1, ChatKind.PRIVATE), [lost], None) == (None, {999})
    assert without_articles([lost], {999}) == ([], [1])


async def test_claims_of_one_batch_are_rendered_as_one_message(store: Store) -> None:
    by_chat = await burst_rows(store, 1, 4)
    (claim,) = by_chat[1]
    first = replace(claim, ids=claim.ids[:2], article_ids=claim.article_ids[:2])
    rest = replace(claim, ids=claim.ids[2:], article_ids=claim.article_ids[2:])
    pushes = Pushes(store, load_translators())
    whole = await pushes.render(Chat(1, ChatKind.PRIVATE), [claim], claim.batch_key)
    assert whole[0] is not None
    assert "Title 3" in whole[0].html
    assert await pushes.render(Chat(1, ChatKind.PRIVATE), [first, rest], claim.batch_key) == whole


async def test_warm_renders_each_distinct_message_so_the_sends_read_nothing(
    store: Store,
) -> None:
    by_chat = await burst_rows(store, 6, 4)
    counting = CountingStore(store)
    pushes = Pushes(counting, load_translators())  # type: ignore[arg-type]
    chats = {
        chat_id: Chat(chat_id, ChatKind.PRIVATE, language="ja" if chat_id % 2 else "en")
        for chat_id in by_chat
    }
    # Chats 1 to 5 get the four articles as one message (in Japanese or English), chat 6 as
    # four single pushes.
    (claim,) = by_chat[6]
    singles = [
        replace(claim, ids=(row,), article_ids=(article,), batch_key=None)
        for row, article in zip(claim.ids, claim.article_ids, strict=True)
    ]
    queued = [(chats[c], rows) for c, rows in by_chat.items() if c != 6]
    await pushes.warm([*queued, (chats[6], singles)])
    # Each digest, and the topic and preview setting of each message's first article, once.
    assert counting.reads == {"digest": 4, "topic": 4, "mode": 4}
    counting.reads.clear()
    for chat, rows in queued:
        rendered, _ = await pushes.render(chat, rows, rows[0].batch_key)
        assert rendered is not None
    for single in singles:
        assert (await pushes.render(chats[6], [single], None))[0] is not None
    assert counting.reads == {}


async def test_a_changed_preview_setting_reaches_later_pushes_without_holding_any(
    store: Store,
) -> None:
    by_chat = await burst_rows(store, 3, 1)
    counting = CountingStore(store)
    now = [0.0]
    pushes = Pushes(counting, load_translators(), clock=lambda: now[0])  # type: ignore[arg-type]
    chat, rows = Chat(1, ChatKind.PRIVATE), by_chat[1]
    rendered, _ = await pushes.render(chat, rows, None)
    assert rendered is not None
    assert rendered.preview == IMAGE
    (topic,) = await store.list_topics()
    await store.set_link_preview(topic.id, LinkPreview.OFF)
    now[0] = MODE_SECONDS + 1
    # The first push after MODE_SECONDS goes with the setting read before; its read runs
    # meanwhile, and the pushes after it have the new one.
    rendered, _ = await pushes.render(chat, rows, None)
    assert rendered is not None
    assert rendered.preview == IMAGE
    await asyncio.sleep(0.1)
    rendered, _ = await pushes.render(Chat(2, ChatKind.PRIVATE), by_chat[2], None)
    assert rendered is not None
    assert rendered.preview == ""
    assert counting.reads["mode"] == 2
