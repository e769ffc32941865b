"""The operator's HTTP endpoints, served from the bot process: /metrics and /healthz.

/healthz answers 200 "ok" while the event loop turns (it answers at all), the database can be
read, the dispatcher's task runs and the Bot API has not been unreachable for longer than the
allowed minutes; otherwise 503 with one reason a line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.adapters.metrics import Metrics
from bot.adapters.outage import Outage
from bot.adapters.store import Store

log = logging.getLogger(__name__)

DATABASE_TIMEOUT: Final = 5.0  # seconds a health check waits for the database
WATCH_EVERY: Final = 0.5  # seconds between looks at the Bot API's outage state
DISPATCHER_TASK: Final = "dispatcher"  # the name of the dispatcher's asyncio task


@dataclass
class Health:
    """What /healthz looks at; `api_limit` is how many seconds of a Bot API outage are fine."""

    store: Store
    outage: Callable[[], Outage | None]
    clock: Callable[[], datetime]
    api_limit: float
    down_since: float | None = None  # event-loop time the Bot API was first seen down

    def watch(self, now: float) -> None:
        """Note whether the Bot API is down at event-loop time `now`."""
        outage = self.outage()
        if outage is None or not outage.down:
            self.down_since = None
        elif self.down_since is None:
            self.down_since = now

    async def problems(self, now: float) -> list[str]:
        """Why the bot is unhealthy at event-loop time `now`; empty when it is healthy."""
        found = []
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT):
                await self.store.count_deliveries()
        except Exception as error:  # any failure to read is the answer
            found.append(f"database cannot be read: {type(error).__name__}: {error}")
        if not any(
            task.get_name() == DISPATCHER_TASK and not task.done() for task in asyncio.all_tasks()
        ):
            found.append("dispatcher is not running")
        self.watch(now)
        if self.down_since is not None and now - self.down_since > self.api_limit:
            found.append(f"Bot API unreachable for {now - self.down_since:.0f} s")
        return found


class MonitorServer:
    """An aiohttp server for /metrics and /healthz on `listen`:`port`."""

    def __init__(self, metrics: Metrics, health: Health, listen: str, port: int) -> None:
        """Serve `metrics` and `health`; nothing listens before `start()`."""
        self.metrics = metrics
        self.health = health
        self.listen = listen
        self.port = port
        app = web.Application()
        app.router.add_get("/metrics", self.serve_metrics)
        app.router.add_get("/healthz", self.serve_health)
        self._runner = web.AppRunner(app, access_log=None)
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen, and start watching the Bot API's state."""
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()
        self._watcher = asyncio.create_task(self._watch(), name="monitor-watch")
        log.info("metrics and health on http://%s:%d/metrics, /healthz", self.listen, self.port)

    async def stop(self) -> None:
        """Stop listening and watching."""
        if self._watcher is not None:
            self._watcher.cancel()
            with suppress(asyncio.CancelledError):
                await self._watcher
        await self._runner.cleanup()

    async def serve_metrics(self, request: web.Request) -> web.Response:
        """GET /metrics: the counters, and the gauges read now."""
        await self.metrics.read_store(self.health.store, self.health.clock())
        outage = self.health.outage()
        self.metrics.read_outage(
            down=outage is not None and outage.down,
            outages=outage.outages if outage is not None else 0,
        )
        return web.Response(
            body=self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def serve_health(self, request: web.Request) -> web.Response:
        """GET /healthz: 200 "ok", or 503 with the reasons."""
        problems = await self.health.problems(asyncio.get_running_loop().time())
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ok\n")

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self.health.watch(loop.time())
            await asyncio.sleep(WATCH_EVERY)
