"""The dispatcher: drains the outbox through PTB within Telegram's limits, losing no row.

A row is claimed before its send and marked sent with Telegram's message id after, in one
transaction with the chat's reading state; a row claimed by a process that died is handed back
at start-up. So a crash loses nothing, and re-sends at most the sends that were in flight. The
answers that come in while one such transaction runs are recorded together in the next (a group
commit); a send keeps its place in flight until its rows are written, so that bound holds.

One asyncio task schedules: it claims due rows (in a task beside it, so that sends go on while
a claim waits for the database), groups them per chat (rows sharing a batch key become one
combined message), and starts each send when `Pacer` allows it: an overall rate, one message
per second per private chat, 20 per minute per group. Each chat has at most one
send in flight, so its messages keep their order. Replies to commands go straight through PTB
and never queue here, but each is counted against the same limits (`sent_elsewhere`). The
dispatcher's sends have a connection pool of their own, so a fan-out never holds a reply up.

When Telegram cannot be reached at all (`outage.Outage`), nothing is claimed or started until it
answers again, and the sends that failed meanwhile wait in memory without counting an attempt.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import os
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from telegram import Bot

from bot.adapters.outage import Outage
from bot.adapters.pushes import Pushes
from bot.adapters.store import Chat, ChatKind, Delivery, Store
from bot.adapters.store.outbox import SentMessage
from bot.adapters.telegram.keyboards import markup
from bot.adapters.telegram.sender import encode_keyboard, post_message
from bot.adapters.telegram.transport import AiohttpRequest
from bot.core.delivery import (
    ChatGone,
    Failed,
    FailureKind,
    Hold,
    MoveChat,
    Retry,
    SendFailure,
    SendPlain,
    Wait,
    backoff,
    next_step,
)
from bot.core.i18n import Translators
from bot.core.pacing import Pacer, chat_interval, in_flight_limit, quiet_until
from bot.core.render import Button, Rendered
from bot.core.text import html_to_text

log = logging.getLogger(__name__)

TICK: Final = 2.0  # seconds between looks at the outbox for rows that came due
STOP_GRACE: Final = 10.0  # seconds a stop waits for the sends in flight to finish
MIN_CLAIM: Final = 100  # rows claimed at a time, at least
MAX_HELD: Final = 20_000  # claimed rows waiting in memory, at most
MAX_KEYBOARDS: Final = 256  # inline keyboards kept built

Buttons = tuple[tuple[Button, ...], ...]


@dataclass
class Send:
    """One message to go out: a single row, or the rows of one batch combined."""

    chat: Chat
    rows: list[Delivery]
    plain: bool = False  # Telegram refused the HTML: plain text this time
    moved: bool = False  # this goes to the new id of a migrated group already

    @property
    def batch_key(self) -> str | None:
        """The rows' shared batch key; None for a single push."""
        return self.rows[0].batch_key


class Dispatcher:
    """Drains the outbox in its own task: `start()`, `wake()` when rows were written, `stop()`."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        translators: Translators,
        *,
        clock: Callable[[], datetime],
        rate: float,
        paid: bool = False,
        worker: str | None = None,
    ) -> None:
        """Pace at `rate` messages/s; `paid` sends with allow_paid_broadcast."""
        self.bot = bot
        self.store = store
        self.clock = clock
        self.paid = paid
        self.send_timeout: float | None = None  # read timeout of a send; None: PTB's default
        self.outage = Outage(bot)  # while Telegram is unreachable, sends wait and count nothing
        self.in_flight = in_flight_limit(rate)
        self.transport = AiohttpRequest(connection_pool_size=self.in_flight)
        self._pushes = Pushes(store, translators)
        # A fan-out sends one keyboard thousands of times: encoded once.
        self._keyboards: dict[Buttons, str | None] = {}
        self._pacer = Pacer(rate)
        self._claim = max(MIN_CLAIM, math.ceil(rate * 2))
        self._worker = worker or f"pid-{os.getpid()}"
        self._queues: dict[int, deque[Send]] = {}  # claimed, waiting, per chat in order
        self._ready: list[tuple[float, int, int]] = []  # heap of (when, seq, chat id)
        self._scheduled: set[int] = set()  # chats in _ready
        self._busy: set[int] = set()  # chats with a send in flight
        self._held = 0  # rows in _queues
        self._seq = itertools.count()
        self._tasks: set[asyncio.Task[None]] = set()
        # Answered sends waiting for their rows to be written, and the task writing them.
        self._answered: list[tuple[SentMessage, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._more = True  # the outbox may hold due rows not claimed yet
        self._last_claim = -math.inf
        self._task: asyncio.Task[None] | None = None
        self._refilling: asyncio.Task[None] | None = None
        # drain(): each call takes an epoch; the loop reports the epoch of its last empty look.
        self._epoch = 0
        self._looked = 0
        self._idle_epoch = -1
        self._idle = asyncio.Event()

    # lifecycle

    def start(self) -> None:
        """Start draining in a task of the running event loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="dispatcher")

    def sent_elsewhere(self, chat: int | str) -> None:
        """A message went to the chat outside the dispatcher: count it against the limits."""
        if isinstance(chat, int):
            kind = ChatKind.PRIVATE if chat > 0 else ChatKind.GROUP
            now = asyncio.get_running_loop().time()
            self._pacer.record(chat, now, interval=chat_interval(kind))

    def wake(self) -> None:
        """Rows were written: look at the outbox now rather than at the next tick."""
        self._more = True
        self._changed.set()

    async def drain(self) -> None:
        """Wake, and return once every row due now is sent, rescheduled, cancelled or failed."""
        if self._task is None or self._task.done():
            raise RuntimeError("the dispatcher is not running")
        self._epoch += 1
        target = self._epoch
        self.wake()
        while self._idle_epoch < target:
            self._idle.clear()
            await self._idle.wait()

    async def stop(self) -> None:
        """Stop claiming, let the sends in flight finish, hand back the rows still waiting."""
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        if (claim := self._refilling) is not None:
            # Let a claim under way queue its rows, so that they are handed back below.
            await asyncio.wait([claim], timeout=STOP_GRACE)
            claim.cancel()
            await asyncio.gather(claim, return_exceptions=True)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=STOP_GRACE)
        for task in list(self._tasks):
            # Still waiting for Telegram: its rows stay claimed, and start-up releases them.
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._writer is not None:
            # Telegram took these: their rows are written before the store closes.
            await asyncio.gather(self._writer, return_exceptions=True)
        waiting = [row.id for queue in self._queues.values() for job in queue for row in job.rows]
        self._queues.clear()
        self._held = 0
        try:
            if waiting:
                await self.store.defer_deliveries(waiting, None, None)
        finally:
            await self.transport.shutdown()

    # the scheduling loop

    async def _run(self) -> None:
        await self.transport.initialize()
        while True:
            try:
                await self._step()
            except Exception:
                log.exception("the dispatcher hit an error; it goes on after %g s", TICK)
                await asyncio.sleep(TICK)

    async def _step(self) -> None:
        """One turn: claim more rows, or start the send whose turn it is, or wait."""
        self._changed.clear()
        if self.outage.down:
            # Claim and start nothing until Telegram answers; sends failing meanwhile are held.
            await self.outage.recover()
            return
        now = asyncio.get_running_loop().time()
        if now - self._last_claim >= TICK:
            self._more = True
        if (
            self._more
            and self._refilling is None
            and len(self._queues) < self._claim
            and self._held < MAX_HELD
        ):
            self._refilling = asyncio.create_task(self._refill(), name="dispatcher-claim")
            self._refilling.add_done_callback(self._refilled)
        if not self._ready:
            if not (self._tasks or self._queues or self._more or self._refilling):
                self._idle_epoch = self._looked
                self._idle.set()
            await self._wait(TICK)
            return
        while self._ready and not self._waiting(self._ready[0][2]):
            # Its rows were cancelled or deferred since it was put in line.
            self._scheduled.discard(heapq.heappop(self._ready)[2])
        if not self._ready:
            return
        when, _, chat_id = self._ready[0]
        if (later := self._pacer.chat_ready_at(chat_id)) > when:
            # A reply to the chat since it was put in line: it waits its turn at the back, and
            # the chats behind it do not wait for it.
            heapq.heapreplace(self._ready, (later, next(self._seq), chat_id))
            return
        start = max(when, self._pacer.ready_at(chat_id, now))
        if start > now:
            await self._wait(min(start - now, TICK))
        elif len(self._tasks) >= self.in_flight:
            await self._wait(TICK)  # a finishing send sets _changed
        else:
            heapq.heappop(self._ready)
            self._scheduled.discard(chat_id)
            self._launch(chat_id, now)

    async def _wait(self, seconds: float) -> None:
        with suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._changed.wait()

    def _refilled(self, task: asyncio.Task[None]) -> None:
        """A claim is done: the loop looks again (it may be idle now)."""
        self._refilling = None
        self._changed.set()
        if not task.cancelled() and (error := task.exception()) is not None:
            # _more stays cleared: the next claim waits a tick.
            log.error("claiming deliveries failed; trying again in %g s", TICK, exc_info=error)

    async def _refill(self) -> None:
        """Claim due rows, then queue them per chat: paused, gone and quiet chats aside."""
        epoch = self._epoch
        now = self.clock()
        self._last_claim = asyncio.get_running_loop().time()
        # Cleared before the claim, so that a wake() while it runs is not lost.
        self._more = False
        rows = await self.store.claim_deliveries(now, self._claim, self._worker)
        if len(rows) >= self._claim:
            self._more = True
        else:
            self._looked = epoch
        by_chat: dict[int, list[Delivery]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        chats = await self.store.delivery_chats(by_chat.keys())
        for chat_id, chat_rows in by_chat.items():
            chat = chats.get(chat_id)
            if chat is None:
                for row in chat_rows:
                    await self.store.fail_delivery(row.id, "the chat no longer exists")
            elif not chat.active:
                await self._cancel(chat_id, "the chat is inactive")
            elif chat.paused:
                await self._cancel(chat_id, "paused")
            elif until := quiet_until(now, chat.timezone, chat.quiet_start, chat.quiet_end):
                await self.store.defer_deliveries([r.id for r in chat_rows], "quiet hours", until)
            else:
                self._enqueue(chat, chat_rows)

    def _enqueue(self, chat: Chat, rows: Iterable[Delivery]) -> None:
        """Queue rows for the chat in order; rows of one batch join one Send."""
        queue = self._queues.setdefault(chat.id, deque())
        batches = {job.batch_key: job for job in queue if job.batch_key is not None}
        for row in rows:
            self._held += 1
            batch = batches.get(row.batch_key) if row.batch_key is not None else None
            if batch is not None:
                batch.rows.append(row)
                continue
            job = Send(chat, [row])
            queue.append(job)
            if row.batch_key is not None:
                batches[row.batch_key] = job
        self._schedule(chat.id)

    def _waiting(self, chat_id: int) -> bool:
        """Whether the chat has sends waiting and none in flight."""
        return chat_id in self._queues and chat_id not in self._busy

    def _schedule(self, chat_id: int) -> None:
        """Put the chat in line if it has sends waiting and none in flight."""
        if self._waiting(chat_id):
            if chat_id not in self._scheduled:
                self._scheduled.add(chat_id)
                when = self._pacer.chat_ready_at(chat_id)
                heapq.heappush(self._ready, (when, next(self._seq), chat_id))
            self._changed.set()

    def _launch(self, chat_id: int, now: float) -> None:
        """Start the chat's next send, counting it against the pace now."""
        queue = self._queues.get(chat_id)
        if not queue or chat_id in self._busy:
            return
        job = queue.popleft()
        if not queue:
            del self._queues[chat_id]
        self._held -= len(job.rows)
        self._pacer.record(chat_id, now, interval=chat_interval(job.chat.kind))
        self._busy.add(chat_id)
        task = asyncio.create_task(self._deliver(job), name=f"send-{chat_id}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        """A send is done: its slot is free (and the loop may find itself idle)."""
        self._tasks.discard(task)
        self._changed.set()

    def _requeue(self, job: Send) -> None:
        """Put a send back at the head of its chat's line."""
        self._queues.setdefault(job.chat.id, deque()).appendleft(job)
        self._held += len(job.rows)

    async def _cancel(self, chat_id: int, reason: str) -> int:
        """Cancel every pending or claimed row of the chat; returns how many."""
        dropped = self._queues.pop(chat_id, deque())
        self._held -= sum(len(job.rows) for job in dropped)
        return await self.store.cancel_chat_deliveries(chat_id, reason)

    # one send

    async def _deliver(self, job: Send) -> None:
        """Send one message and settle its rows; never raises."""
        launched = job.chat.id
        try:
            await self._attempt(job)
        except Exception as error:
            log.exception("sending to chat %s failed unexpectedly", job.chat.id)
            now = self.clock()
            with suppress(Exception):
                for row in job.rows:
                    await self.store.retry_delivery(
                        row.id, repr(error), now + backoff(row.attempts)
                    )
        finally:
            self._busy.discard(launched)
            self._schedule(launched)
            self._schedule(job.chat.id)
            self._changed.set()

    async def _attempt(self, job: Send) -> None:
        chat = job.chat
        now = self.clock()
        if until := quiet_until(now, chat.timezone, chat.quiet_start, chat.quiet_end):
            # Quiet hours began while the rows waited here.
            dropped = self._queues.pop(chat.id, deque())
            self._held -= sum(len(j.rows) for j in dropped)
            ids = [row.id for j in (job, *dropped) for row in j.rows]
            await self.store.defer_deliveries(ids, "quiet hours", until)
            return
        rendered, missing = await self._pushes.render(chat, job.rows, job.batch_key)
        for row in missing:
            await self.store.fail_delivery(row.id, "the article no longer exists")
        job.rows = [row for row in job.rows if row not in missing]
        if rendered is None or not job.rows:
            return
        result = await self._send(job, rendered)
        if isinstance(result, SendFailure):
            await self._settle(job, result)
            return
        reading = job.rows[0].article_id if job.batch_key is None else None
        await self._record(SentMessage(job.rows, chat.id, result, self.clock(), reading))

    async def _send(self, job: Send, rendered: Rendered) -> int | SendFailure:
        """Send the job's message: Telegram's message id for it, or the failure."""
        return await post_message(
            self.transport,
            self.bot.base_url,
            job.chat.id,
            None if job.plain else rendered.html,
            plain=html_to_text(rendered.html) if job.plain else None,
            keyboard=self._keyboard(rendered.buttons),
            thread_id=job.rows[0].thread_id,
            paid=self.paid,
            read_timeout=self.send_timeout,
        )

    def _keyboard(self, buttons: Buttons) -> str | None:
        """The encoded markup for rendered buttons, from the cache when it was built before."""
        if buttons not in self._keyboards:
            if len(self._keyboards) >= MAX_KEYBOARDS:
                self._keyboards.clear()
            self._keyboards[buttons] = encode_keyboard(markup(buttons))
        return self._keyboards[buttons]

    async def _record(self, message: SentMessage) -> None:
        """Mark the message's rows sent; returns once they are written (with others, maybe)."""
        done = asyncio.get_running_loop().create_future()
        self._answered.append((message, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_answered(), name="record-sent")
        await done

    async def _write_answered(self) -> None:
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

    async def _settle(self, job: Send, failure: SendFailure) -> None:
        """Act on a failed send: wait, hold, resend, move, reschedule, drop the chat or give up."""
        chat_id = job.chat.id
        attempts = max(row.attempts for row in job.rows)
        if failure.kind is FailureKind.TRANSIENT and not await self.outage.reachable():
            failure = replace(failure, kind=FailureKind.UNREACHABLE)
        step = next_step(failure, attempts, self.clock(), plain_tried=job.plain, moved=job.moved)
        log.info("send to chat %s failed (%s): %s", chat_id, failure.kind, failure.message)
        match step:
            case Wait(delay=delay):
                now = asyncio.get_running_loop().time()
                self._pacer.flood(chat_id, delay.total_seconds(), now)
                self._requeue(job)
            case Hold():
                self._requeue(job)
            case SendPlain():
                job.plain = True
                self._requeue(job)
            case MoveChat(new_chat_id=new_id):
                await self.store.move_chat(chat_id, new_id)
                self._move(chat_id, new_id)
                job.chat = replace(job.chat, id=new_id, kind=ChatKind.SUPERGROUP)
                job.moved = True
                self._requeue(job)
            case Retry(at=at):
                for row in job.rows:
                    await self.store.retry_delivery(row.id, failure.message, at)
            case ChatGone():
                await self.store.set_chat_active(chat_id, False)
                cancelled = await self._cancel(chat_id, failure.message)
                log.info("chat %s is gone: %d deliveries cancelled", chat_id, cancelled)
            case Failed():
                for row in job.rows:
                    await self.store.fail_delivery(row.id, failure.message)

    def _move(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its waiting sends follow the new id, a chat of its own."""
        waiting = self._queues.pop(old_id, deque())
        for job in waiting:
            job.chat = replace(job.chat, id=new_id, kind=ChatKind.SUPERGROUP)
        self._queues.setdefault(new_id, deque()).extend(waiting)
