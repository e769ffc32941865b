"""Telling a Bot API outage from one message's bad luck, and waiting the outage out.

A send that fails without Telegram's verdict (connection refused or reset, a timeout, a 5xx)
may be that message's bad luck, or Telegram being unreachable as a whole. `reachable()` asks
with one getMe: when the probe fails too, the API is down. The dispatcher then holds that send
(its attempt not counted: an outage of an hour must not fail rows that allow five tries), claims
and starts nothing more, and `recover()` probes with a growing pause until the API answers.
Sends failing together share one probe.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import timedelta
from typing import Final

from telegram import Bot
from telegram.error import NetworkError, TelegramError

from bot.core.delivery import FIRST_PROBE, MAX_PROBE, probe_delay

log = logging.getLogger(__name__)

PROBE_TIMEOUT: Final = 5.0  # seconds a probe waits to connect, then for its answer


class Outage:
    """Whether the Bot API is down; `first_probe` and `max_probe` bound the probes' pace."""

    def __init__(
        self,
        bot: Bot,
        *,
        first_probe: timedelta = FIRST_PROBE,
        max_probe: timedelta = MAX_PROBE,
        probe_timeout: float = PROBE_TIMEOUT,
    ) -> None:
        """Probe through `bot`: after `first_probe`, then twice as long each time, at most max."""
        self.bot = bot
        self.first_probe = first_probe
        self.max_probe = max_probe
        self.probe_timeout = probe_timeout
        self.down = False
        self.outages = 0  # how many times the API was found down
        self._lock = asyncio.Lock()  # one probe at a time
        self._answered_at = -math.inf  # event-loop time the last answered probe began

    async def reachable(self) -> bool:
        """After a send failed without Telegram's verdict: does the Bot API answer a probe?"""
        failed_at = asyncio.get_running_loop().time()
        async with self._lock:
            if self.down:
                return False
            if self._answered_at >= failed_at:
                # A probe begun since this send failed got through: the failure was its own.
                return True
            if await self._probe():
                return True
            self.down = True
            self.outages += 1
            log.warning("the Bot API cannot be reached: deliveries wait until it answers")
            return False

    async def recover(self) -> None:
        """Probe, a growing pause apart, until the Bot API answers; then it is up again."""
        probes = 0
        while self.down:
            pause = probe_delay(probes, first=self.first_probe, most=self.max_probe)
            await asyncio.sleep(pause.total_seconds())
            probes += 1
            async with self._lock:
                if await self._probe():
                    self.down = False
        log.warning("the Bot API answers again (after %d probes): deliveries resume", probes)

    async def _probe(self) -> bool:
        """One getMe: True when Telegram answered, whatever the answer."""
        began = asyncio.get_running_loop().time()
        try:
            await self.bot.get_me(
                connect_timeout=self.probe_timeout,
                read_timeout=self.probe_timeout,
                pool_timeout=self.probe_timeout,
            )
        except NetworkError as error:
            # TimedOut is a NetworkError, and PTB reports a 5xx answer as one too.
            log.info("the Bot API probe failed: %s", error)
            return False
        except TelegramError:
            pass  # a refusal (401, 429 …) is an answer: the API is there
        self._answered_at = began
        return True
