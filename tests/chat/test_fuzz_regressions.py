"""What the fuzz test found, pinned one by one: each once reached the error handler."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.store import ChatKind
from tests.chat.test_fuzz import inject_forged_callback
from tests.conftest import ADMIN, USER, RunningBot

HUGE = "99999999999999999999"  # over SQLite's largest integer


@pytest.fixture
async def bot(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[RunningBot]:
    """The running bot; the test fails if anything was logged as an error."""
    caplog.set_level(logging.WARNING)
    yield running_bot
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def forged_press(bot: RunningBot, chat: int, message: dict[str, Any], data: str) -> str:
    """Press with any data on `message`; the text the bot answered the press with."""
    since = len(bot.api.calls())
    inject_forged_callback(bot.api, message, chat, data)
    call = await bot.api.wait_for_call_async("answerCallbackQuery", since=since)
    return str(call.params.get("text", ""))


async def sent_message(bot: RunningBot, chat: int, command: str) -> dict[str, Any]:
    call = await bot.command(chat, command)
    message = bot.api.message(chat, call.result["message_id"])
    assert message is not None
    return message


@pytest.mark.parametrize("data", ["l:en", "st:mode:i", "st:tz:UTC"])
async def test_choosing_the_current_option_again_is_no_error(bot: RunningBot, data: str) -> None:
    command = "/language" if data.startswith("l:") else "/settings"
    message = await sent_message(bot, USER, command)
    for _ in range(2):
        assert await forged_press(bot, USER, message, data)


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ("t", "That topic no longer exists."),
        (f"t:{HUGE}", "That topic no longer exists."),
        ("t:²", "That topic no longer exists."),
        ("o", "This button is no longer valid."),
        (f"o:{HUGE}", "This button is no longer valid."),
        ("k:²", "This button is no longer valid."),
    ],
)
async def test_forged_ids_are_refused_politely(bot: RunningBot, data: str, answer: str) -> None:
    await bot.store.add_topic("tech", "Tech")
    message = await sent_message(bot, USER, "/topics")
    assert await forged_press(bot, USER, message, data) == answer


async def test_a_forged_delete_button_is_refused_politely(bot: RunningBot) -> None:
    await bot.store.add_topic("tech", "Tech")
    message = await sent_message(bot, ADMIN, "/deltopic tech")
    assert await forged_press(bot, ADMIN, message, "dt:²") == "That topic no longer exists."
    assert await bot.store.get_topic("tech") is not None


async def test_a_press_on_a_message_too_old_to_show_is_answered_in_the_chat(
    bot: RunningBot,
) -> None:
    topic = await bot.store.add_topic("tech", "Tech")
    message = await sent_message(bot, USER, "/topics")
    inaccessible = {"chat": message["chat"], "message_id": message["message_id"], "date": 0}
    assert await forged_press(bot, USER, inaccessible, f"t:{topic.id}") == "Subscribed to Tech."
    assert [t.slug for t in await bot.store.subscriptions(USER)] == ["tech"]
    since = len(bot.api.calls())
    await forged_press(bot, USER, inaccessible, "o:1")
    reply = await bot.api.wait_for_call_async("sendMessage", since=since)
    assert reply.params["chat_id"] == USER


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (f"/delfeed {HUGE}", "There is no feed"),
        (f"/delfeed #{HUGE}", "There is no feed"),
        ("/delfeed ²", "There is no feed"),
        (f"/enablefeed {HUGE}", "Usage: /enablefeed"),
        ("/unbindchannel tech -1009999999999999999", "Usage: /unbindchannel"),
        ("/unbindchannel tech -100١٢٣٤٥٦", "Usage: /unbindchannel"),
    ],
)
async def test_out_of_range_ids_in_commands(bot: RunningBot, command: str, answer: str) -> None:
    await bot.store.add_topic("tech", "Tech")
    call = await bot.command(ADMIN, command)
    assert call.params["text"].startswith(answer)


async def test_a_topic_deleted_meanwhile_is_not_subscribed_to(bot: RunningBot) -> None:
    store = bot.store
    topic = await store.add_topic("tech", "Tech")
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    await store.remove_topic("tech")
    assert await store.subscribe(USER, topic.id) is False
    await store.set_reading(USER, 12345)
    await store.mark_read(USER, 12345)
    assert await store.get_reading(USER) is None
