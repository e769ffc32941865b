"""Sent messages written in group commits: the answers that came in during a write, in the next.

At the paid rate a thousand answers a second come in; a transaction each would keep SQLite busy.
`GroupCommit.record` returns once the message's rows are written, so a send keeps its place in
flight until then, and a crash re-sends at most the sends in flight.
"""

from __future__ import annotations

import asyncio

from bot.adapters.store import Store
from bot.adapters.store.outbox import SentMessage


class GroupCommit:
    """Writes sent messages through `store.record_sent_many`, batched while a write runs."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Answered sends waiting for their rows to be written, and the task writing them.
        self._answered: list[tuple[SentMessage, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, message: SentMessage) -> None:
        """Mark the message's rows sent; returns once they are written (with others, maybe)."""
        done = asyncio.get_running_loop().create_future()
        self._answered.append((message, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name="record-sent")
        await done

    async def flush(self) -> None:
        """Wait for the write under way, if any: Telegram took these, so they are written."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)

    async def _write(self) -> None:
        """Write the answered sends, all that came in since the last write in one transaction."""
        try:
            while self._answered:
                batch, self._answered = self._answered, []
                try:
                    await self.store.record_sent_many([message for message, _ in batch])
                except Exception as error:
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._writer = None
