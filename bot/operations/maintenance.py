"""Keeping the database bounded: finished outbox rows and old articles are deleted daily."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.adapters.store import Store

log = logging.getLogger(__name__)

OUTBOX_KEEP: Final = timedelta(days=7)
# How long the /stats chart's hourly counts (pushes per topic, 429s) outlive the outbox rows.
HISTORY_KEEP: Final = timedelta(days=31)


@dataclass(frozen=True)
class Cleaned:
    """How many rows a cleanup deleted."""

    deliveries: int
    articles: int


async def clean_up(store: Store, now: datetime, retention: timedelta) -> Cleaned:
    """Delete outbox rows finished over a week ago (or, with a shorter retention, with their
    articles), articles older than the retention, and chart counts older than HISTORY_KEEP."""
    # Before their articles go (which would take them along uncounted in push_hours).
    deliveries = await store.delete_finished_deliveries(now - min(OUTBOX_KEEP, retention))
    await store.delete_old_throttles(now - HISTORY_KEEP)
    await store.delete_old_push_hours(now - HISTORY_KEEP)
    articles = await store.delete_old_articles(now - retention)
    log.info("cleanup: %d outbox rows and %d articles deleted", deliveries, articles)
    return Cleaned(deliveries, articles)
