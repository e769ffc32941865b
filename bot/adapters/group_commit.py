"""Sent messages written in group commits: the answers that came in during a write, in the next.

At the paid rate a thousand answers a second come in; a transaction each would keep SQLite busy.
`GroupCommit.record` returns once the message's rows are written, so a send keeps its place in
flight until then, and a crash re-sends at most the sends in flight.

When the disk is full (`StoreFullError`), the messages Telegram took are kept in memory
(`unwritten`) rather than lost or left claimed for a restart to re-send: `record` returns, and
`recover()` writes them once the disk allows, trying every RETRY_SECONDS and saying so in the
log once a minute. The dispatcher claims and starts nothing meanwhile, and polls wait.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Final

from bot.adapters.store import Store
from bot.adapters.store.outbox import SentMessage
from bot.errors import StoreFullError

log = logging.getLogger(__name__)

RETRY_SECONDS: Final = 1.0  # between two tries to record the sent messages kept in memory
LOG_EVERY: Final = 60.0  # seconds between two log lines while the disk stays full


class GroupCommit:
    """Writes sent messages through `store.record_sent_many`, batched while a write runs."""

    def __init__(self, store: Store, *, retry_seconds: float = RETRY_SECONDS) -> None:
        self.store = store
        self.retry_seconds = retry_seconds
        # Answered sends waiting for their rows to be written, and the task writing them.
        self._answered: list[tuple[SentMessage, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        # Sent messages the full disk would not take: recorded by recover().
        self.unwritten: list[SentMessage] = []
        self._logged_at = -math.inf  # event-loop time of the last "disk full" line

    @property
    def failing(self) -> bool:
        """Whether sent messages wait in memory for the disk to take their record."""
        return bool(self.unwritten)

    async def record(self, message: SentMessage) -> None:
        """Mark the message's rows sent; returns once they are written (with others, maybe).

        On a full disk it returns too, the message kept in `unwritten`.
        """
        done = asyncio.get_running_loop().create_future()
        self._answered.append((message, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name="record-sent")
        await done

    async def flush(self) -> None:
        """Wait for the write under way, if any: Telegram took these, so they are written."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)

    async def recover(self) -> None:
        """Try, RETRY_SECONDS apart, to record the messages kept in memory, until they are."""
        while self.unwritten:
            await asyncio.sleep(self.retry_seconds)
            await self.write_unwritten()

    async def write_unwritten(self) -> bool:
        """Try once to record the messages kept in memory; whether none is left."""
        if not self.unwritten:
            return True
        waiting, self.unwritten = self.unwritten, []
        try:
            await self.store.record_sent_many(waiting)
        except StoreFullError as error:
            self.unwritten = waiting + self.unwritten
            self._say_full(error)
            return False
        log.warning("the disk takes writes again: %d sent messages recorded", len(waiting))
        self._logged_at = -math.inf
        return not self.unwritten

    async def _write(self) -> None:
        """Write the answered sends, all that came in since the last write in one transaction."""
        try:
            while self._answered:
                batch, self._answered = self._answered, []
                messages = [message for message, _ in batch]
                try:
                    await self.store.record_sent_many(messages)
                except StoreFullError as error:
                    # Telegram took them: keep them to record later, never to send again.
                    self.unwritten.extend(messages)
                    self._say_full(error)
                    self._settle(batch, None)
                except Exception as error:
                    self._settle(batch, error)
                else:
                    self._settle(batch, None)
        finally:
            self._writer = None

    def _say_full(self, error: StoreFullError) -> None:
        """One log line a minute while the disk stays full."""
        now = asyncio.get_running_loop().time()
        if now - self._logged_at >= LOG_EVERY:
            self._logged_at = now
            log.error(
                "%s: %d sent messages wait in memory to be recorded; sends and polls pause",
                error,
                len(self.unwritten),
            )

    @staticmethod
    def _settle(
        batch: list[tuple[SentMessage, asyncio.Future[None]]], error: Exception | None
    ) -> None:
        for _, done in batch:
            if not done.done():
                if error is None:
                    done.set_result(None)
                else:
                    done.set_exception(error)
