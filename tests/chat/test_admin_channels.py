"""Binding a topic to a channel the bot administers, against the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.adapters.store import ChatKind, NewArticle
from bot.chat.admin_channels import channel_ref
from bot.core.models import Digest, Entry
from tests.conftest import ADMIN, RunningBot

CHANNEL = -1001234567890
LABEL = "<b>Tech</b> (<code>tech</code>)"


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        pytest.param("@news_channel", "@news_channel", id="username"),
        pytest.param("https://t.me/news_channel", "@news_channel", id="link"),
        pytest.param("t.me/news_channel/", "@news_channel", id="bare-link"),
        pytest.param("-1001234567890", -1001234567890, id="id"),
        pytest.param("news_channel", None, id="no-at"),
        pytest.param("@abc", None, id="too-short"),
        pytest.param("-42", None, id="group-id"),
        pytest.param("@news channel", None, id="space"),
    ],
)
def test_channel_ref(text: str, ref: int | str | None) -> None:
    assert channel_ref(text) == ref


def add_channel(running_bot: RunningBot, status: str = "administrator") -> None:
    api = running_bot.api
    api.add_chat(CHANNEL, "channel", title="News <daily>", username="news_channel")
    api.set_member(CHANNEL, api.bot_id, status)


@pytest.mark.parametrize("ref", ["@news_channel", str(CHANNEL)])
async def test_bindchannel_subscribes_the_channel(running_bot: RunningBot, ref: str) -> None:
    store = running_bot.store
    topic = await store.add_topic("tech", "Tech")
    add_channel(running_bot)
    call = await running_bot.command(ADMIN, f"/bindchannel tech {ref}", language_code="en")
    assert call.params["text"] == f"📣 <b>News &lt;daily&gt;</b> now receives {LABEL}."
    chat = await store.get_chat(CHANNEL)
    assert chat is not None
    assert (chat.kind, chat.title, chat.language, chat.active) == (
        ChatKind.CHANNEL,
        "News <daily>",
        "en",
        True,
    )
    assert [t.id for t in await store.subscriptions(CHANNEL)] == [topic.id]
    again = await running_bot.command(ADMIN, f"/bindchannel tech {ref}")
    assert again.params["text"] == f"<b>News &lt;daily&gt;</b> receives {LABEL} already."


async def test_a_bound_channel_gets_the_pushes(running_bot: RunningBot) -> None:
    store = running_bot.store
    topic = await store.add_topic("tech", "Tech")
    add_channel(running_bot)
    await running_bot.command(ADMIN, "/bindchannel tech @news_channel")
    feed = await store.add_feed(topic.id, "https://example.com/feed.xml")
    now = datetime.now(UTC)
    digest = Digest(
        title="Channel news",
        url="https://example.com/1",
        source_name="Example",
        published=now,
        lang="en",
        lede="Lede.",
        key_points=("Point one.",),
    )
    await store.save_poll(
        feed.id,
        [NewArticle(Entry("1", digest.title, digest.url, "", now, "en"), digest)],
        polled_at=now,
        next_poll_at=now,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=True,
    )
    push = await running_bot.api.wait_for_call_async(
        "sendMessage", lambda c: c.params["chat_id"] == CHANNEL, timeout=15
    )
    assert "Channel news" in push.params["text"]


NOT_AN_ADMIN = (
    "I am not an admin of <b>News &lt;daily&gt;</b> who may post. Make me one, then retry."
)


@pytest.mark.parametrize("status", ["member", "left", "kicked"])
async def test_bindchannel_needs_the_bot_to_be_an_admin(
    running_bot: RunningBot, status: str
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    add_channel(running_bot, status)
    call = await running_bot.command(ADMIN, "/bindchannel tech @news_channel")
    assert call.params["text"] == NOT_AN_ADMIN
    assert await running_bot.store.get_chat(CHANNEL) is None


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        pytest.param(
            "/bindchannel tech @nobody_here",
            "I can't see the channel <b>@nobody_here</b>. Add me to it as an admin first.",
            id="unknown",
        ),
        pytest.param(
            "/bindchannel tech -100999",
            "<b>Chat -100999</b> is not a channel.",
            id="a-group",
        ),
        pytest.param(
            "/bindchannel tech news",
            "Usage: /bindchannel &lt;slug&gt; &lt;@channel or -100 id&gt;",
            id="not-a-reference",
        ),
        pytest.param(
            "/bindchannel nope @news_channel",
            "There is no topic “nope”. See /topics.",
            id="unknown-topic",
        ),
    ],
)
async def test_bindchannel_errors_clearly(running_bot: RunningBot, text: str, reply: str) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    running_bot.api.add_chat(-100999, "supergroup")
    call = await running_bot.command(ADMIN, text)
    assert call.params["text"] == reply
    assert await running_bot.store.subscriptions(-100999) == []


async def test_unbindchannel(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    add_channel(running_bot)
    await running_bot.command(ADMIN, "/bindchannel tech @news_channel")
    call = await running_bot.command(ADMIN, "/unbindchannel tech @news_channel")
    assert call.params["text"] == f"<b>@news_channel</b> no longer receives {LABEL}."
    assert await running_bot.store.subscriptions(CHANNEL) == []
    again = await running_bot.command(ADMIN, f"/unbindchannel tech {CHANNEL}")
    assert again.params["text"] == f"<b>{CHANNEL}</b> was not receiving {LABEL}."
