"""JobQueue callbacks: the scheduled work of a running bot."""

from __future__ import annotations

import logging

from bot.adapters.maintenance import report_feed_health
from bot.adapters.telegram.context import BotContext
from bot.pipeline import Outcome

log = logging.getLogger(__name__)


async def poll_due_feeds(context: BotContext) -> None:
    """Poll every feed that is due; one broken feed never stops the others."""
    reports = await context.poller.poll_due(context.now())
    for report in reports:
        if report.outcome is Outcome.NEW and report.new_entries:
            log.info("feed %s: %d new entries", report.feed.url, report.new_entries)
    await report_feed_health(context, reports)
    dispatcher = context.services.dispatcher
    if dispatcher is not None and any(report.pushed and report.digests for report in reports):
        # Wake it, do not wait: a big fan-out takes minutes, and polls must go on meanwhile.
        dispatcher.wake()


async def drain_outbox(context: BotContext) -> None:
    """Have the dispatcher send every due row now, and return once each is settled.

    Each ends sent, rescheduled, cancelled or failed; the dispatcher drains on its own too,
    so this is for callers that must wait for it (tests, an admin's "send now").
    """
    dispatcher = context.services.dispatcher
    if dispatcher is not None:
        await dispatcher.drain()
