"""The shared services every handler and job reaches through a typed context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings

if TYPE_CHECKING:
    from bot.adapters.dispatch import Dispatcher
    from bot.adapters.http import Fetcher
    from bot.adapters.store import Store
    from bot.core.i18n import Translators
    from bot.pipeline import Poller


@dataclass
class Services:
    """Built empty by PTB, filled in at start-up by `app.start_services`."""

    settings: Settings = field(default_factory=Settings)
    store: Store | None = None
    fetcher: Fetcher | None = None
    poller: Poller | None = None
    translators: Translators | None = None
    dispatcher: Dispatcher | None = None  # drains the outbox; wake() it after writing rows
    # Jobs read the time here, so tests can run daily digests and quiet hours on a fake clock.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], Services]):
    """CallbackContext with typed access to digestbot's services."""

    @property
    def services(self) -> Services:
        """Everything start-up built."""
        return self.bot_data

    @property
    def settings(self) -> Settings:
        """The validated settings."""
        return self.bot_data.settings

    def now(self) -> datetime:
        """The current time, from the services' clock."""
        return self.bot_data.clock()

    @property
    def store(self) -> Store:
        """The database."""
        assert self.bot_data.store is not None, "services are started in post_init"
        return self.bot_data.store

    @property
    def poller(self) -> Poller:
        """Polls feeds and stores what is new."""
        assert self.bot_data.poller is not None, "services are started in post_init"
        return self.bot_data.poller

    @property
    def translators(self) -> Translators:
        """A Translator per language."""
        assert self.bot_data.translators is not None, "services are started in post_init"
        return self.bot_data.translators
