"""The services a running digestbot shares; built by `app.py` (the bot) and `cli.py` only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.config import Settings

if TYPE_CHECKING:
    from bot.adapters.dispatch import Dispatcher
    from bot.adapters.http import Fetcher
    from bot.adapters.metrics import Metrics
    from bot.adapters.monitor import MonitorServer
    from bot.adapters.store import Store
    from bot.core.i18n import Translators
    from bot.pipeline import Poller


def wall_clock() -> datetime:
    """The current time in UTC: the one place digestbot reads the system clock."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Built empty by PTB; `app.build_application` loads the translators, `app.start_services`
    opens the rest."""

    settings: Settings = field(default_factory=Settings)
    store: Store | None = None
    fetcher: Fetcher | None = None
    poller: Poller | None = None
    translators: Translators | None = None
    dispatcher: Dispatcher | None = None  # drains the outbox; wake() it after writing rows
    # Everything reads the time here, so tests can run daily digests, quiet hours and feed
    # health on a fake clock.
    clock: Callable[[], datetime] = field(default=wall_clock)
    # Feed polls in flight: cancelled at shutdown, so that a hanging fetch cannot hold it up.
    polls: set[asyncio.Task[Any]] = field(default_factory=set)
    metrics: Metrics | None = None  # the digestbot_* counters, moved where things happen
    monitor: MonitorServer | None = None  # /metrics and /healthz, when a port is set
