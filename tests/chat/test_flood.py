"""The flood gate in the running bot: one notice then silence, others unaffected, long input."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.core.flood import COOLDOWN, MAX_COMMAND_CHARS
from tests.conftest import ADMIN, USER, RunningBot

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
OTHER = 3003
RATE = 30  # the default DIGESTBOT_USER_RATE, which running_bot uses
NOTICE = "You are sending commands too fast. Please wait a minute."
TOO_LONG = (
    f"That command is too long: at most {MAX_COMMAND_CHARS} characters. Nothing was changed."
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(running_bot: RunningBot) -> Clock:
    clock = Clock(T0)
    running_bot.app.bot_data.clock = clock
    return clock


async def drained(bot: RunningBot) -> None:
    """Wait until every injected update was fetched and fully handled."""
    await bot.api.wait_for_async(lambda: bot.api.pending_updates() == 0, what="updates fetched")
    async with asyncio.timeout(10):
        await bot.app.update_queue.join()


def texts_to(bot: RunningBot, chat_id: int) -> list[str]:
    return [
        c.params["text"]
        for c in bot.api.calls("sendMessage")
        if c.params.get("chat_id") == chat_id
    ]


async def test_a_flood_gets_one_notice_then_silence(running_bot: RunningBot, clock: Clock) -> None:
    for n in range(RATE + 10):
        running_bot.api.inject_command(USER, "/help")
        if n == RATE + 5:
            running_bot.api.inject_command(OTHER, "/start")
    await drained(running_bot)
    answers = texts_to(running_bot, USER)
    assert len(answers) == RATE + 1
    assert answers.count(NOTICE) == 1
    assert len(texts_to(running_bot, OTHER)) == 1

    clock.now += COOLDOWN
    call = await running_bot.command(USER, "/help")
    assert call.params["text"].startswith("Commands:")


async def test_the_notice_is_in_the_users_language(running_bot: RunningBot, clock: Clock) -> None:
    for _ in range(RATE + 3):
        running_bot.api.inject_command(USER, "/help", language_code="ja")
    await drained(running_bot)
    answers = texts_to(running_bot, USER)
    assert len(answers) == RATE + 1
    japanese = running_bot.app.bot_data.translators
    assert japanese is not None
    assert answers.count(japanese["ja"].gettext(NOTICE)) == 1


async def test_button_presses_count_and_the_notice_is_a_callback_answer(
    running_bot: RunningBot, clock: Clock
) -> None:
    topic = await running_bot.store.add_topic("tech", "Tech")
    call = await running_bot.command(USER, "/topics")
    message_id = call.result["message_id"]
    since = len(running_bot.api.calls())
    for _ in range(RATE + 5):
        running_bot.api.inject_callback(USER, f"t:{topic.id}", message_id=message_id)
    await drained(running_bot)
    answers = [
        c.params.get("text")
        for c in running_bot.api.calls()[since:]
        if c.method == "answerCallbackQuery"
    ]
    # /topics was one of the RATE: RATE - 1 presses are answered, the next one is told.
    assert len(answers) == RATE
    assert answers.count(NOTICE) == 1


async def test_admins_are_not_limited(running_bot: RunningBot, clock: Clock) -> None:
    for _ in range(RATE + 5):
        running_bot.api.inject_command(ADMIN, "/help")
    await drained(running_bot)
    assert len(texts_to(running_bot, ADMIN)) == RATE + 5


async def test_a_command_for_another_bot_is_not_counted(
    running_bot: RunningBot, clock: Clock
) -> None:
    group = -100123
    running_bot.api.add_chat(group, "supergroup", title="Readers")
    for _ in range(RATE + 5):
        running_bot.api.inject_command(group, "/start@other_bot", user_id=USER)
    await drained(running_bot)
    call = await running_bot.command(group, "/help", user_id=USER)
    assert call.params["text"].startswith("Commands:")


LONG = "x" * 4000


@pytest.mark.parametrize(
    ("chat", "text"),
    [
        (USER, f"/subscribe {LONG}"),
        (USER, f"/unsubscribe {LONG}"),
        (USER, f"/latest {LONG}"),
        (USER, f"/settings tz {LONG}"),
        (USER, f"/start {LONG}"),
        (USER, f"/{LONG}"),
        (ADMIN, f"/addtopic news {LONG}"),
        (ADMIN, f"/renametopic tech {LONG}"),
        (ADMIN, f"/deltopic {LONG}"),
        (ADMIN, f"/addfeed tech https://news.example/{LONG}"),
        (ADMIN, f"/delfeed {LONG}"),
        (ADMIN, f"/filter tech +{LONG}"),
        (ADMIN, f"/bindchannel tech @{LONG}"),
    ],
    ids=lambda value: str(value)[:16],
)
async def test_an_over_long_command_is_refused_and_changes_nothing(
    running_bot: RunningBot, chat: int, text: str
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    await running_bot.command(chat, "/mytopics")  # the chat is known before the snapshot
    before = snapshot(running_bot)
    call = await running_bot.command(chat, text)
    assert call.params["text"] == TOO_LONG
    await drained(running_bot)
    assert snapshot(running_bot) == before


@pytest.mark.parametrize(
    ("chat", "text", "answer"),
    [
        (USER, "/subscribe " + "x" * 2000, "There is no topic “"),
        (USER, "/settings tz " + "x" * 2000, "Unknown timezone."),
        (ADMIN, "/addtopic news " + "x" * 2000, "A topic name has 1 to 64 characters."),
        (ADMIN, "/filter tech +" + "x" * 2000, "At most 30 keywords, each at most 40"),
    ],
    ids=["subscribe", "settings", "addtopic", "filter"],
)
async def test_long_arguments_under_the_cap_get_the_commands_own_answer(
    running_bot: RunningBot, chat: int, text: str, answer: str
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    await running_bot.command(chat, "/mytopics")
    before = snapshot(running_bot)
    call = await running_bot.command(chat, text)
    assert call.params["text"].startswith(answer)
    assert len(call.params["text"]) < 500
    await drained(running_bot)
    assert snapshot(running_bot) == before


def snapshot(bot: RunningBot) -> list[str]:
    """Every row of the bot's database, through a connection of its own."""
    connection = sqlite3.connect(bot.settings.database)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()
