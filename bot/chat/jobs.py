"""JobQueue callbacks: the scheduled work of a running bot, each a thin call into operations."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.adapters.logs import feed_ids
from bot.chat.alerts import report_feed_health
from bot.chat.context import BotContext
from bot.core.polls import Outcome
from bot.operations import daily, maintenance

log = logging.getLogger(__name__)


async def poll_due_feeds(context: BotContext) -> None:
    """Poll every feed that is due; one broken feed never stops the others."""
    dispatcher = context.services.dispatcher
    if dispatcher is not None and dispatcher.records_waiting:
        return  # the disk is full: polls wait (the dispatcher logs it once a minute)
    polling = asyncio.ensure_future(context.poller.poll_due(context.now()))
    polls = context.services.polls
    polls.add(polling)
    try:
        reports = await polling
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        log.info("feed polls cancelled at shutdown; their feeds stay due")
        return
    finally:
        polls.discard(polling)
    if (metrics := context.services.metrics) is not None:
        metrics.count_polls(reports)
    for report in reports:
        if report.outcome is Outcome.NEW and report.new_entries:
            log.info(
                "feed %s: %d new entries",
                report.feed.url,
                report.new_entries,
                extra=feed_ids(report.feed),
            )
    await report_feed_health(context, reports)
    if any(report.pushed and report.digests for report in reports):
        # Wake it, do not wait: a big fan-out takes minutes, and polls must go on meanwhile.
        _wake(context)


async def queue_daily_digests(context: BotContext) -> None:
    """Queue the digest of every daily reader whose time has come (run each minute)."""
    if await daily.queue_daily_digests(context.store, context.now()):
        _wake(context)


async def clean_up(context: BotContext) -> None:
    """Keep the database bounded (run daily)."""
    retention = timedelta(days=context.settings.retention_days)
    await maintenance.clean_up(context.store, context.now(), retention)


async def drain_outbox(context: BotContext) -> None:
    """Have the dispatcher send every due row now, and return once each is settled.

    Each ends sent, rescheduled, cancelled or failed; the dispatcher drains on its own too,
    so this is for callers that must wait for it (tests, an admin's "send now").
    """
    dispatcher = context.services.dispatcher
    if dispatcher is not None:
        await dispatcher.drain()


def _wake(context: BotContext) -> None:
    dispatcher = context.services.dispatcher
    if dispatcher is not None:
        dispatcher.wake()
