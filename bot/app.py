"""The only wiring: settings in, a running Application out."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes, Defaults, ExtBot, JobQueue

from bot.adapters.dispatch import Dispatcher, claim_owner
from bot.adapters.http import Fetcher
from bot.adapters.metrics import Metrics, TimedFetcher
from bot.adapters.monitor import Health, MonitorServer
from bot.adapters.outage import Outage
from bot.adapters.store import Store
from bot.adapters.telegram.menus import set_menus
from bot.adapters.telegram.transport import AiohttpRequest
from bot.chat import (
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
from bot.chat.context import BotContext
from bot.chat.error_handler import on_error
from bot.chat.jobs import clean_up, poll_due_feeds, queue_daily_digests
from bot.chat.ordering import PerChatOrder
from bot.config import Settings
from bot.core.conflicts import ConflictStep, ConflictWatch
from bot.core.pacing import connection_limit, send_rate
from bot.errors import ConfigError
from bot.locales import load_translators
from bot.operations.seeding import read_seed, seed_new_database
from bot.operations.services import Services, wall_clock
from bot.pipeline import Fetcher as Fetching
from bot.pipeline import Poller

log = logging.getLogger(__name__)

MAX_POLL_TICK: Final = 60.0
# Replies, menus and admin messages: a connection for each of the 256 updates PTB handles at
# once (its own default pool size); the dispatcher's pushes have a pool of their own.
REPLY_POOL_SIZE: Final = 256
DAILY_TICK: Final = 60.0
CLEANUP_EVERY: Final = timedelta(days=1)
CLEANUP_FIRST: Final = timedelta(minutes=10)

STARTUP_RETRY_MAX: Final = 10.0  # seconds between tries of an unreachable Bot API at start

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
        # up anyone else's /next. One chat's updates keep their order.
        .concurrent_updates(PerChatOrder())
        .context_types(ContextTypes(context=BotContext, bot_data=Services))
        .build()
    )
    application.bot_data.settings = settings
    application.bot_data.metrics = metrics = Metrics()
    # Read here, not in start_services: a missing catalog is one line before Telegram is reached.
    application.bot_data.translators = load_translators(settings.default_language)
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

    async def count_error(update: object, context: BotContext) -> None:
        metrics.update_errors.labels("job" if update is None else "update").inc()

    application.add_error_handler(count_error)
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


def make_poller(settings: Settings, store: Store, fetcher: Fetching) -> Poller:
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


@dataclass(frozen=True)
class Opened:
    """The services one command line run needs, all of them open."""

    store: Store
    poller: Poller
    fetcher: Fetcher
    clock: Callable[[], datetime] = wall_clock


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Opened]:
    """The store, fetcher and poller for one command line run, closed at the end."""
    async with (
        await Store.open(settings.database, clock=wall_clock) as store,
        make_fetcher(settings) as fetcher,
    ):
        yield Opened(store, make_poller(settings, store, fetcher), fetcher)


async def start_services(application: BotApplication) -> None:
    """Open the database and the HTTP client, set the menus, before the first update or job."""
    services = application.bot_data
    settings = services.settings
    # Read on each use: tests swap the clock after start-up.
    services.store = await Store.open(settings.database, clock=lambda: services.clock())
    if settings.seed_file is not None:
        seeded = await seed_new_database(services.store, settings.seed_file)
        if seeded is not None:
            log.info(
                "seeded from %s: %d topics, %d feeds",
                settings.seed_file,
                len(seeded.topics),
                len(seeded.feeds),
            )
    # The instance lock makes this the database's only bot: a claim not its own is a dead
    # process's (mid-send), and its row is due again.
    owner = claim_owner()
    await services.store.release_claims(owner)
    # A shortened DIGESTBOT_POLL_INTERVAL reaches every feed now, not at its old next poll.
    moved = await services.store.apply_poll_interval(timedelta(seconds=settings.poll_interval))
    if moved:
        log.info("poll interval %d s: %d feeds due sooner", settings.poll_interval, moved)
    services.fetcher = make_fetcher(settings)
    metrics = services.metrics
    fetcher = services.fetcher if metrics is None else TimedFetcher(services.fetcher, metrics)
    services.poller = make_poller(settings, services.store, fetcher)
    translators = services.translators
    assert translators is not None, "loaded by build_application"
    await set_menus(application.bot, translators, settings.admin_ids)
    rate = send_rate(settings.max_rate, paid=settings.paid_broadcast)
    services.dispatcher = Dispatcher(
        application.bot,
        services.store,
        translators,
        # Pushes have a connection pool of their own, closed when the dispatcher stops.
        transport=AiohttpRequest(connection_pool_size=connection_limit(rate)),
        # Read on each use: tests swap the clock after start-up.
        clock=lambda: services.clock(),
        rate=rate,
        paid=settings.paid_broadcast,
        link_preview=settings.link_preview,
        worker=owner,
        events=metrics,
    )
    services.dispatcher.start()
    if isinstance(replies := application.bot.request, AiohttpRequest):
        # Replies share Telegram's limits with the pushes: the dispatcher counts them.
        replies.on_message = services.dispatcher.sent_elsewhere
    if settings.metrics_port and metrics is not None:
        await start_monitor(services.store, metrics, application)


async def start_monitor(store: Store, metrics: Metrics, application: BotApplication) -> None:
    """Serve /metrics and /healthz on DIGESTBOT_METRICS_LISTEN:DIGESTBOT_METRICS_PORT."""
    services = application.bot_data
    settings = services.settings

    def outage() -> Outage | None:
        return services.dispatcher.outage if services.dispatcher is not None else None

    health = Health(store, outage, lambda: services.clock(), settings.health_api_minutes * 60)
    services.monitor = MonitorServer(
        metrics, health, settings.metrics_listen, settings.metrics_port
    )
    await services.monitor.start()


async def stop_dispatcher(application: BotApplication) -> None:
    """Let the sends in flight finish and hand back the rows still waiting."""
    dispatcher = application.bot_data.dispatcher
    if dispatcher is not None:
        await dispatcher.stop()


async def stop_services(application: BotApplication) -> None:
    """Close what start_services opened."""
    services = application.bot_data
    if services.monitor is not None:
        await services.monitor.stop()
        services.monitor = None
    await stop_dispatcher(application)
    if services.fetcher is not None:
        await services.fetcher.aclose()
    if services.store is not None:
        await services.store.close()


async def preflight(settings: Settings) -> None:
    """Everything start-up can check before the bot runs, each failure one line (ConfigError
    or StoreError): the catalogs, the seed file, the database, and the Bot API with the token.
    """
    load_translators(settings.default_language)
    if settings.seed_file is not None:
        await read_seed(settings.seed_file)
    async with await Store.open(settings.database):
        pass  # opened and migrated: damaged, empty or unwritable files stop here
    await check_bot_api(settings)


async def check_bot_api(settings: Settings) -> None:
    """getMe with the token; a refused token stops at once, an unreachable API is tried
    again for DIGESTBOT_STARTUP_WAIT seconds, then stops with one line."""
    deadline = time.monotonic() + settings.startup_wait
    pause = 1.0
    while True:
        bot = Bot(
            settings.token, base_url=settings.api_base_url, base_file_url=settings.api_file_url
        )
        try:
            async with bot:  # initialize() calls getMe
                return
        except InvalidToken:
            raise ConfigError(
                f"the Bot API at {settings.bot_api_url} refused DIGESTBOT_TOKEN: copy the token "
                "from @BotFather again"
            ) from None
        except NetworkError as error:
            if time.monotonic() + pause > deadline:
                raise ConfigError(
                    f"cannot reach the Bot API at {settings.bot_api_url} ({error.message}), "
                    f"tried for {settings.startup_wait:g} s: check the network, or "
                    "DIGESTBOT_BOT_API_URL"
                ) from None
            log.warning(
                "cannot reach the Bot API at %s (%s); trying again in %g s",
                settings.bot_api_url,
                error.message,
                pause,
            )
        await asyncio.sleep(pause)
        pause = min(pause * 2, STARTUP_RETRY_MAX)


def run_bot(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM, then stop cleanly: long polling, or a webhook if set.

    Returns the exit status: 0, or 1 after DIGESTBOT_CONFLICT_EXIT minutes of 409 Conflicts.
    """
    application = build_application(settings)
    # Everything built so far (modules, handlers, the application) lives as long as the bot:
    # keep it out of the collector's full passes, which otherwise stall a fast fan-out every
    # second (bench/fanout.py). Only here, in the process that runs the bot.
    gc.freeze()
    return asyncio.run(serve(application, settings))


async def serve(application: BotApplication, settings: Settings) -> int:
    """What run_polling and run_webhook do, with two differences: a feed poll in flight is
    cancelled at shutdown (its feeds stay due) so that SIGTERM ends within seconds, and
    getUpdates errors are a line each, 409 Conflicts a line a minute until we give up."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    polling = PollingErrors(ConflictWatch(settings.conflict_exit * 60), stop)
    updater = application.updater
    assert updater is not None, "built with an Updater"
    async with application:  # initialize() and, at the end, shutdown()
        await start_services(application)
        try:
            if settings.webhook_url:
                # Telegram posts updates to webhook_url; we listen behind it on listen:port/path.
                await updater.start_webhook(
                    listen=settings.webhook_listen,
                    port=settings.webhook_port,
                    url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
                    webhook_url=settings.webhook_url,
                    secret_token=settings.webhook_secret or None,
                    allowed_updates=Update.ALL_TYPES,
                )
            else:
                await updater.start_polling(
                    allowed_updates=Update.ALL_TYPES, error_callback=polling.on_error
                )
            await application.start()
            await stop.wait()
        finally:
            for task in list(application.bot_data.polls):
                task.cancel()
            if updater.running:
                await updater.stop()
            if application.running:
                await application.stop()
            # The dispatcher stops before PTB closes the bot's HTTP client, so its last sends end.
            await stop_dispatcher(application)
    await stop_services(application)
    return 1 if polling.gave_up else 0


@dataclass
class PollingErrors:
    """getUpdates errors as one log line each; a run of 409s as a line a minute, then a stop."""

    conflicts: ConflictWatch
    stop: asyncio.Event
    gave_up: bool = False

    def on_error(self, error: TelegramError) -> None:
        """PTB's error_callback for getUpdates: it retries on its own after each."""
        if not isinstance(error, Conflict):
            log.warning("getUpdates failed, trying again: %s", error.message)
            return
        now = time.monotonic()
        match self.conflicts.conflict(now):
            case ConflictStep.WARN:
                log.warning(
                    "another process is polling Telegram with this bot's token (409 Conflict, "
                    "for %.0f s): stop it; this bot stops after DIGESTBOT_CONFLICT_EXIT minutes",
                    self.conflicts.seconds(now),
                )
            case ConflictStep.GIVE_UP:
                if not self.gave_up:
                    log.error(
                        "stopping: another process has polled with this bot's token for %.0f s",
                        self.conflicts.seconds(now),
                    )
                self.gave_up = True
                self.stop.set()
