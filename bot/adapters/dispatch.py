"""The dispatcher: drains the outbox through PTB within Telegram's limits, losing no row.

A row is claimed before its send and marked sent with Telegram's message id after, in one
transaction with the chat's reading state. A claim carries its owner (`claim_owner`: a random
id of the process, then its pid); since the instance lock makes a bot the only one on its
database, every claim it finds at start-up that is not its own is a dead process's, and is
handed back then. So a crash loses nothing, and re-sends at most the sends that were in flight. The
answers that come in while one such transaction runs are recorded together in the next
(`group_commit.GroupCommit`); a send keeps its place in flight until its rows are written.

What to do next is decided by the pure `core.sendqueue.SendQueue`: when to claim due rows, which
chat's send starts when (an overall rate, one message per second per private chat, 20 per
minute per group, holds after a 429), and how many sends are in flight (a slow chat's send
holds its slot for a second at most). This module is the async
shell that acts on its decisions: one task loops over `next_step`, claims run in a task beside
it (so that sends go on while a claim waits for the database), and each send runs in a task of
its own. Replies to commands go straight through PTB and never queue here, but each is counted
against the same limits (`sent_elsewhere`). The dispatcher's sends go through a transport of
their own (an `AiohttpRequest` it is given, and initializes and shuts down as PTB's `Bot` does), so
a fan-out never holds a reply up.

When Telegram cannot be reached at all (`outage.Outage`), nothing is claimed or started until it
answers again, and the sends that failed meanwhile wait in memory without counting an attempt.
When the disk is full, the sent messages whose record it refused wait in memory
(`GroupCommit.unwritten`), and nothing is claimed or started until they are written.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from typing import Final

from telegram import Bot

from bot.adapters.delivery_events import DeliveryEvents, NoEvents, Reason
from bot.adapters.group_commit import GroupCommit
from bot.adapters.logs import chat_ids
from bot.adapters.outage import Outage
from bot.adapters.pushes import Pushes, link_preview_options
from bot.adapters.store import Chat, ChatKind, Claimed, Store, claimed_ids, without_articles
from bot.adapters.store.outbox import SentMessage
from bot.adapters.telegram.sender import post_message
from bot.adapters.telegram.transport import AiohttpRequest
from bot.core.delivery import (
    ChatGone,
    Failed,
    FailureKind,
    Hold,
    MoveChat,
    Resend,
    Retry,
    SendFailure,
    SendPlain,
    Unconfirmed,
    Wait,
    backoff,
    next_step,
)
from bot.core.i18n import Translators
from bot.core.models import LinkPreview
from bot.core.pacing import quiet_until
from bot.core.sendqueue import TICK, Claim, Idle, Pause, SendQueue, Start
from bot.core.sendqueue import Send as QueuedSend
from bot.core.text import html_to_text

log = logging.getLogger(__name__)

STOP_GRACE: Final = 10.0  # seconds a stop waits for the sends in flight to finish

Send = QueuedSend[Chat, Claimed]


def claim_owner() -> str:
    """This process's name on the rows it claims: a random instance id, then its pid."""
    # The pid alone repeats: in a container every bot is pid 1.
    return f"{secrets.token_hex(6)}-{os.getpid()}"


class Dispatcher:
    """Drains the outbox in its own task: `start()`, `wake()` when rows were written, `stop()`."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        translators: Translators,
        *,
        transport: AiohttpRequest,
        clock: Callable[[], datetime],
        rate: float,
        paid: bool = False,
        worker: str | None = None,
        link_preview: LinkPreview = LinkPreview.IMAGE,
        events: DeliveryEvents | None = None,
    ) -> None:
        """Send through `transport` at `rate` messages/s; `paid` sends with allow_paid_broadcast.

        `transport` wants a connection for each send in flight (`pacing.connection_limit`).
        """
        self.bot = bot
        self.store = store
        self.transport = transport
        self.clock = clock
        self.paid = paid
        self.events: DeliveryEvents = events or NoEvents()  # each push's outcome, for metrics
        self.send_timeout: float | None = None  # read timeout of a send; None: PTB's default
        self.outage = Outage(bot)  # while Telegram is unreachable, sends wait and count nothing
        self.queue: SendQueue[Chat, Claimed] = SendQueue(rate)
        self._pushes = Pushes(store, translators, link_preview)
        self._sent = GroupCommit(store)
        self.owner = worker or claim_owner()  # claimed_by of the rows it claims
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._claim: asyncio.Task[bool] | None = None
        self._sends: set[asyncio.Task[None]] = set()
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
            self.queue.sent_elsewhere(chat, asyncio.get_running_loop().time())

    @property
    def records_waiting(self) -> bool:
        """Whether sent messages wait in memory for a full disk to take their record."""
        return self._sent.failing

    def wake(self) -> None:
        """Rows were written: look at the outbox now rather than at the next tick."""
        self.queue.wake()
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
        if (claim := self._claim) is not None:
            # Let a claim under way queue its rows, so that they are handed back below.
            await asyncio.wait([claim], timeout=STOP_GRACE)
            claim.cancel()
            await asyncio.gather(claim, return_exceptions=True)
        if self._sends:
            await asyncio.wait(self._sends, timeout=STOP_GRACE)
        for task in list(self._sends):
            # Still waiting for Telegram: its rows stay claimed, and start-up releases them.
            task.cancel()
        await asyncio.gather(*self._sends, return_exceptions=True)
        await self._sent.flush()
        if not await self._sent.write_unwritten():
            log.error(
                "%d sent messages could not be recorded (the disk is full): "
                "their rows stay claimed, and the next start sends them again",
                len(self._sent.unwritten),
            )
        waiting = [row for send in self.queue.take_all() for row in claimed_ids(send.rows)]
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
        """One turn: act on the queue's decision (claim, start a send, pause or idle)."""
        self._changed.clear()
        if self.outage.down:
            # Claim and start nothing until Telegram answers; sends failing meanwhile are held.
            await self.outage.recover()
            return
        if self._sent.failing:
            # The disk is full: claim and start nothing until the sent messages are recorded.
            await self._sent.recover()
            return
        match self.queue.next_step(asyncio.get_running_loop().time()):
            case Claim(size=size):
                self._claim = asyncio.create_task(self._refill(size), name="dispatcher-claim")
                self._claim.add_done_callback(self._claimed)
            case Start(send=send):
                task = asyncio.create_task(self._deliver(send), name=f"send-{send.chat.id}")
                self._sends.add(task)
                task.add_done_callback(self._sends.discard)
            case Pause(seconds=seconds):
                await self._wait(seconds)
            case Idle():
                self._idle_epoch = self._looked
                self._idle.set()
                await self._wait(TICK)

    async def _wait(self, seconds: float) -> None:
        with suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._changed.wait()

    def _claimed(self, task: asyncio.Task[bool]) -> None:
        """A claim is done: the loop looks again (it may be idle now)."""
        self._claim = None
        failed = not task.cancelled() and task.exception() is not None
        # A claim that got all it asked for leaves more: claim on. One that failed waits a tick.
        self.queue.claimed(full=not task.cancelled() and not failed and task.result())
        self._changed.set()
        if failed:
            error = task.exception()
            log.error("claiming deliveries failed; trying again in %g s", TICK, exc_info=error)

    async def _refill(self, size: int) -> bool:
        """Claim due rows, queue them per chat (paused, gone and quiet chats aside); full?"""
        epoch = self._epoch
        now = self.clock()
        claims = await self.store.claim_deliveries(now, size, self.owner)
        rows = sum(len(claim.ids) for claim in claims)
        if rows < size:
            self._looked = epoch
        by_chat: dict[int, list[Claimed]] = {}
        for claim in claims:
            by_chat.setdefault(claim.chat_id, []).append(claim)
        chats = await self.store.delivery_chats(by_chat.keys())
        queued: list[tuple[Chat, list[Claimed]]] = []
        for chat_id, chat_claims in by_chat.items():
            chat = chats.get(chat_id)
            if chat is None:
                ids = claimed_ids(chat_claims)
                for row in ids:
                    await self.store.fail_delivery(row, "the chat no longer exists")
                self.events.failed(Reason.CHAT_GONE, len(ids))
            elif not chat.active:
                cancelled = await self._cancel(chat_id, "the chat is inactive")
                self.events.cancelled(Reason.INACTIVE, cancelled)
            elif chat.paused:
                self.events.cancelled(Reason.PAUSED, await self._cancel(chat_id, "paused"))
            elif until := quiet_until(now, chat.timezone, chat.quiet_start, chat.quiet_end):
                ids = claimed_ids(chat_claims)
                await self.store.defer_deliveries(ids, "quiet hours", until)
                self.events.deferred(Reason.QUIET_HOURS, len(ids))
            else:
                queued.append((chat, chat_claims))
        # Their messages are rendered before they are queued, so that each send goes out the
        # moment the pace lets it, never held up by the reads of its rendering. Should that
        # fail, each send renders its own message, and fails as a send would.
        with suppress(Exception):
            await self._pushes.warm(queued)
        for chat, chat_claims in queued:
            self.queue.enqueue(chat, chat_claims)
        if queued:
            self._changed.set()
        return rows >= size

    async def _cancel(self, chat_id: int, reason: str) -> int:
        """Cancel every pending or claimed row of the chat; returns how many."""
        self.queue.take(chat_id)
        return await self.store.cancel_chat_deliveries(chat_id, reason)

    # one send

    async def _deliver(self, send: Send) -> None:
        """Send one message and settle its rows; never raises."""
        launched = send.chat.id
        try:
            await self._attempt(send)
        except Exception as error:
            log.exception(
                "sending to chat %s failed unexpectedly",
                send.chat.id,
                extra=chat_ids(send.chat.id),
            )
            now = self.clock()
            self.events.retried(Reason.ERROR, len(claimed_ids(send.rows)))
            with suppress(Exception):
                for claim in send.rows:
                    for row in claim.ids:
                        await self.store.retry_delivery(
                            row, repr(error), now + backoff(claim.attempts)
                        )
        finally:
            self.queue.finished(launched, send)
            self._changed.set()

    async def _attempt(self, send: Send) -> None:
        chat = send.chat
        now = self.clock()
        if until := quiet_until(now, chat.timezone, chat.quiet_start, chat.quiet_end):
            # Quiet hours began while the rows waited here.
            ids = [row for s in (send, *self.queue.take(chat.id)) for row in claimed_ids(s.rows)]
            await self.store.defer_deliveries(ids, "quiet hours", until)
            self.events.deferred(Reason.QUIET_HOURS, len(ids))
            return
        rendered, gone = await self._pushes.render(chat, send.rows, send.batch_key)
        send.rows, missing = without_articles(send.rows, gone)
        for row in missing:
            await self.store.fail_delivery(row, "the article no longer exists")
        self.events.failed(Reason.ARTICLE_GONE, len(missing))
        if rendered is None or not send.rows:
            return
        result = await post_message(
            self.transport,
            self.bot.base_url,
            chat.id,
            None if send.plain else rendered.html,
            plain=html_to_text(rendered.html) if send.plain else None,
            keyboard=self._pushes.keyboard(rendered.buttons),
            thread_id=send.rows[0].thread_id,
            paid=self.paid,
            read_timeout=self.send_timeout,
            preview=link_preview_options(rendered.preview),
        )
        if isinstance(result, SendFailure):
            await self._settle(send, result)
            return
        reading = send.rows[0].article_ids[0] if send.batch_key is None else None
        await self._sent.record(SentMessage(send.rows, chat.id, result, self.clock(), reading))
        self.events.sent(send.rows, self.clock())

    async def _settle(self, send: Send, failure: SendFailure) -> None:
        """Act on a failed send: wait, hold, resend, move, reschedule, drop the chat or give up."""
        chat_id = send.chat.id
        ids = claimed_ids(send.rows)
        attempts = max(claim.attempts for claim in send.rows)
        timeouts = max(claim.timeouts for claim in send.rows)
        if failure.kind is FailureKind.TIMED_OUT and not timeouts:
            if not await self.outage.reachable():
                # Held until the API answers; the send may have been posted all the same.
                await self.store.count_timeout(ids)
                send.rows = [replace(claim, timeouts=claim.timeouts + 1) for claim in send.rows]
                failure = replace(failure, kind=FailureKind.UNREACHABLE)
        elif failure.kind is FailureKind.TRANSIENT and not await self.outage.reachable():
            failure = replace(failure, kind=FailureKind.UNREACHABLE)
        step = next_step(
            failure,
            attempts,
            self.clock(),
            plain_tried=send.plain,
            moved=send.moved,
            timeouts=timeouts,
        )
        log.info(
            "send to chat %s failed (%s): %s",
            chat_id,
            failure.kind,
            failure.message,
            extra=chat_ids(chat_id),
        )
        match step:
            case Wait(delay=delay):
                self.events.flood_wait(delay.total_seconds(), len(ids))
                await self.store.count_throttled(self.clock(), delay.total_seconds())
                now = asyncio.get_running_loop().time()
                self.queue.flood(chat_id, delay.total_seconds(), now)
                self.queue.requeue(send)
            case Hold():
                self.events.retried(failure.kind, len(ids))
                self.queue.requeue(send)
            case SendPlain():
                self.events.retried(failure.kind, len(ids))
                send.plain = True
                self.queue.requeue(send)
            case MoveChat(new_chat_id=new_id):
                self.events.retried(failure.kind, len(ids))
                await self.store.move_chat(chat_id, new_id)
                # Its waiting sends follow the new id, a chat of its own.
                send.chat = replace(send.chat, id=new_id, kind=ChatKind.SUPERGROUP)
                send.moved = True
                self.queue.move(chat_id, send.chat)
                self.queue.requeue(send)
            case Retry(at=at):
                self.events.retried(failure.kind, len(ids))
                for row in ids:
                    await self.store.retry_delivery(row, failure.message, at)
            case Resend(at=at):
                self.events.retried(failure.kind, len(ids))
                for row in ids:
                    await self.store.retry_delivery(row, failure.message, at, timed_out=True)
            case Unconfirmed():
                await self.store.mark_unconfirmed(ids, failure.message, self.clock())
                self.events.unconfirmed(failure.kind, len(ids))
                log.warning(
                    "send to chat %s timed out twice: maybe delivered",
                    chat_id,
                    extra=chat_ids(chat_id),
                )
            case ChatGone():
                await self.store.set_chat_active(chat_id, False)
                cancelled = await self._cancel(chat_id, failure.message)
                self.events.cancelled(Reason.CHAT_GONE, cancelled)
                log.info(
                    "chat %s is gone: %d deliveries cancelled",
                    chat_id,
                    cancelled,
                    extra=chat_ids(chat_id),
                )
            case Failed():
                self.events.failed(failure.kind, len(ids))
                for row in ids:
                    await self.store.fail_delivery(row, failure.message)
