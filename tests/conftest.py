"""Fixtures shared by every test: the local feed server, the fake Bot API, a running bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.adapters.store import Store
from bot.app import BotApplication, build_application, start_services, stop_services
from bot.chat.context import BotContext
from bot.config import Settings
from tests.fakes.botapi import BotApiServer, Call
from tests.fakes.feedserver import FeedServer

# PTB reports retry_after as a timedelta when this is set, and warns otherwise.
os.environ["PTB_TIMEDELTA"] = "true"

ADMIN = 1001
USER = 2002


async def claim_rows(store: Store, now: datetime, limit: int) -> list[int]:
    """Claim due outbox rows as the dispatcher would; their ids, in the order claimed."""
    return [row for claim in await store.claim_deliveries(now, limit, "test") for row in claim.ids]


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    """One local feed server for the whole session, serving tests/data/ and scripted routes."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def botapi() -> Iterator[BotApiServer]:
    """A fresh fake Telegram Bot API for one test."""
    with BotApiServer(bot_username="digest_test_bot") as server:
        yield server


@dataclass
class RunningBot:
    """The bot running in this test's event loop against the fake Bot API."""

    api: BotApiServer
    app: BotApplication
    settings: Settings

    @property
    def store(self) -> Store:
        """The bot's own database."""
        store = self.app.bot_data.store
        assert store is not None
        return store

    def context(self) -> BotContext:
        """A context like the one jobs get, to run a job callback directly."""
        return BotContext(self.app)  # type: ignore[arg-type]

    async def command(self, chat_id: int, text: str, **kwargs: object) -> Call:
        """Send a command and wait for the bot's first message to that chat after it."""
        since = len(self.api.calls())
        self.api.inject_command(chat_id, text, **kwargs)  # type: ignore[arg-type]
        return await self.api.wait_for_call_async(
            "sendMessage", lambda c: c.params.get("chat_id") == chat_id, since=since
        )

    async def press(self, chat_id: int, data: str, message_id: int, **kwargs: object) -> Call:
        """Press a button and wait for the bot to answer the callback query."""
        since = len(self.api.calls())
        self.api.inject_callback(chat_id, data, message_id=message_id, **kwargs)  # type: ignore[arg-type]
        return await self.api.wait_for_call_async("answerCallbackQuery", since=since)


def settings_for(api: BotApiServer, database: Path, **overrides: object) -> Settings:
    """Settings that point the bot at the fake Bot API and a temporary database."""
    values: dict[str, object] = {
        "token": api.token,
        "bot_api_url": api.url,
        "database": database,
        "admin_ids": frozenset({ADMIN}),
        "poll_interval": 3600,
        "allow_private_urls": True,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
def bot_settings() -> dict[str, object]:
    """Settings of running_bot beyond settings_for's; parametrize this name to change them."""
    return {}


@pytest.fixture
async def running_bot(
    botapi: BotApiServer, tmp_path: Path, bot_settings: dict[str, object]
) -> AsyncIterator[RunningBot]:
    """The real Application, wired as in production, polling the fake Bot API."""
    settings = settings_for(botapi, tmp_path / "bot.sqlite3", **bot_settings)
    app = build_application(settings)
    await app.initialize()
    await start_services(app)  # app.serve starts them before handling updates; here by hand
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()
    try:
        yield RunningBot(botapi, app, settings)
    finally:
        await app.updater.stop()
        await app.stop()
        await stop_services(app)
        await app.shutdown()
