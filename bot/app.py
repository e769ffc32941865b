"""The only wiring: settings in, a running Application out."""

from __future__ import annotations

import gc
import logging
import os
from datetime import timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults, ExtBot, JobQueue

from bot.adapters.digests import queue_daily_digests
from bot.adapters.dispatch import Dispatcher
from bot.adapters.http import Fetcher
from bot.adapters.jobs import poll_due_feeds
from bot.adapters.maintenance import clean_up
from bot.adapters.seeding import seed_new_database
from bot.adapters.store import Store
from bot.adapters.telegram import (
    admin,
    admin_channels,
    admin_feeds,
    admin_opml,
    fallback,
    flood,
    preferences,
    reading,
    subscriber,
)
from bot.adapters.telegram.context import BotContext, Services
from bot.adapters.telegram.error_handler import on_error
from bot.adapters.telegram.menus import set_menus
from bot.adapters.telegram.transport import AiohttpRequest
from bot.config import Settings
from bot.core.pacing import in_flight_limit, send_rate
from bot.locales import load_translators
from bot.pipeline import Poller

log = logging.getLogger(__name__)

MAX_POLL_TICK: Final = 60.0
# Replies, menus and admin messages: a connection for each of the 256 updates PTB handles at
# once (its own default pool size); the dispatcher's pushes have a pool of their own.
REPLY_POOL_SIZE: Final = 256
DAILY_TICK: Final = 60.0
CLEANUP_EVERY: Final = timedelta(days=1)
CLEANUP_FIRST: Final = timedelta(minutes=10)

BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], Services, JobQueue[Any]
]


def build_application(settings: Settings) -> BotApplication:
    """An Application talking to the configured Bot API, with every handler and job."""
    # PTB reports retry_after as a timedelta (its coming default) when this is set.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    application: BotApplication = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Calls go through aiohttp: PTB's default httpx transport tops out far below the paid
        # broadcast rate (bench/transport.py). Long polling stays on httpx: one call at a time.
        .request(AiohttpRequest(connection_pool_size=REPLY_POOL_SIZE))
        # Updates are handled concurrently: a minute-long /import or /addfeed must not hold
        # up anyone else's /next.
        .concurrent_updates(True)
        .context_types(ContextTypes(context=BotContext, bot_data=Services))
        .post_init(start_services)
        # The dispatcher stops before PTB closes the bot's HTTP client, so its last sends end.
        .post_stop(stop_dispatcher)
        .post_shutdown(stop_services)
        .build()
    )
    application.bot_data.settings = settings
    # Group -1 runs first: a flooding sender or an over-long command reaches no handler.
    application.add_handler(flood.handler(settings.user_rate), group=-1)
    for module in (
        subscriber,
        reading,
        preferences,
        admin,
        admin_feeds,
        admin_opml,
        admin_channels,
        fallback,
    ):
        application.add_handlers(module.handlers())
    application.add_error_handler(on_error)
    jobs = application.job_queue
    assert jobs is not None, "installed with the job-queue extra"
    # The poll job ticks often; each feed's own next poll time decides whether it is fetched.
    tick = min(float(settings.poll_interval), MAX_POLL_TICK)
    jobs.run_repeating(poll_due_feeds, tick, first=0.0, name="poll", job_kwargs={"coalesce": True})
    # Daily digests are due to the minute in each chat's timezone; the cleanup runs a while
    # after each start, then daily.
    jobs.run_repeating(
        queue_daily_digests,
        DAILY_TICK,
        first=DAILY_TICK,
        name="daily",
        job_kwargs={"coalesce": True},
    )
    jobs.run_repeating(clean_up, CLEANUP_EVERY, first=CLEANUP_FIRST, name="cleanup")
    return application


def make_fetcher(settings: Settings) -> Fetcher:
    """The HTTP fetcher configured from the settings."""
    return Fetcher(
        max_bytes=settings.max_feed_bytes,
        deadline=settings.fetch_timeout,
        allow_private=settings.allow_private_urls,
    )


def make_poller(settings: Settings, store: Store, fetcher: Fetcher) -> Poller:
    """The poller configured from the settings."""
    interval = timedelta(seconds=settings.poll_interval)
    retention = timedelta(days=settings.retention_days)
    return Poller(
        store,
        fetcher,
        interval,
        settings.default_language,
        retention,
        settings.fulltext_min_chars,
    )


async def start_services(application: BotApplication) -> None:
    """Open the database and the HTTP client, set the menus, before the first update or job."""
    services = application.bot_data
    settings = services.settings
    services.store = await Store.open(settings.database)
    if settings.seed_file is not None:
        seeded = await seed_new_database(services.store, settings.seed_file)
        if seeded is not None:
            log.info(
                "seeded from %s: %d topics, %d feeds",
                settings.seed_file,
                len(seeded.topics),
                len(seeded.feeds),
            )
    # Rows claimed by a process that died mid-send are due again.
    await services.store.release_claims()
    services.fetcher = make_fetcher(settings)
    services.poller = make_poller(settings, services.store, services.fetcher)
    services.translators = load_translators(settings.default_language)
    await set_menus(application.bot, services.translators, settings.admin_ids)
    rate = send_rate(settings.max_rate, paid=settings.paid_broadcast)
    services.dispatcher = Dispatcher(
        application.bot,
        services.store,
        services.translators,
        # Pushes have a connection pool of their own, closed when the dispatcher stops.
        transport=AiohttpRequest(connection_pool_size=in_flight_limit(rate)),
        # Read on each use: tests swap the clock after start-up.
        clock=lambda: services.clock(),
        rate=rate,
        paid=settings.paid_broadcast,
    )
    services.dispatcher.start()
    if isinstance(replies := application.bot.request, AiohttpRequest):
        # Replies share Telegram's limits with the pushes: the dispatcher counts them.
        replies.on_message = services.dispatcher.sent_elsewhere


async def stop_dispatcher(application: BotApplication) -> None:
    """Let the sends in flight finish and hand back the rows still waiting."""
    dispatcher = application.bot_data.dispatcher
    if dispatcher is not None:
        await dispatcher.stop()


async def stop_services(application: BotApplication) -> None:
    """Close what start_services opened."""
    services = application.bot_data
    await stop_dispatcher(application)
    if services.fetcher is not None:
        await services.fetcher.aclose()
    if services.store is not None:
        await services.store.close()


def run_bot(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM, then stop cleanly: long polling, or a webhook if set."""
    application = build_application(settings)
    # Everything built so far (modules, handlers, the application) lives as long as the bot:
    # keep it out of the collector's full passes, which otherwise stall a fast fan-out every
    # second (bench/fanout.py). Only here, in the process that runs the bot.
    gc.freeze()
    if not settings.webhook_url:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    # Telegram posts updates to webhook_url; we listen behind it on listen:port/path.
    path = urlsplit(settings.webhook_url).path.lstrip("/")
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=path,
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret or None,
        allowed_updates=Update.ALL_TYPES,
    )
