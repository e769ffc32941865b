"""The typed context through which every handler and job reaches the shared services."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings
from bot.operations.services import Services

if TYPE_CHECKING:
    from bot.adapters.store import Store
    from bot.core.i18n import Translators
    from bot.pipeline import Poller


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
        assert self.bot_data.store is not None, "services start before updates"
        return self.bot_data.store

    @property
    def poller(self) -> Poller:
        """Polls feeds and stores what is new."""
        assert self.bot_data.poller is not None, "services start before updates"
        return self.bot_data.poller

    @property
    def translators(self) -> Translators:
        """A Translator per language."""
        assert self.bot_data.translators is not None, "services start before updates"
        return self.bot_data.translators
