"""Which send goes next: the dispatcher's line of chats, its pace and its claims; time passed in.

The dispatcher claims due rows from the outbox and queues them here per chat, in order: each
claim is one message's rows (one row, or a batch's), and claims sharing a batch key join one
combined `Send`. `SendQueue.next_step(now)` then says what to do: claim more rows, start one
chat's next send, pause, or nothing (idle). The dispatcher acts on that and reports back
(`claimed`, `finished`, `requeue`, `flood` …).

A claim takes about two seconds' worth of rows. Each row it picks brings the rest of its batch
along, so it picks as many times fewer rows as the last claim's sends had (`pick_size`): a burst
of 20 articles to many chats is claimed 100 chats at a time at 1,000/s, not 2,000 (40,000 rows
that would hold the database, and the sends waiting to be recorded, for most of a second).
What waits here is counted in sends (`held`, at most MAX_HELD), a combined one once.

Each chat has at most one send in flight, so its messages keep their order. Chats wait in line
by the time their own limit allows their next message, then in the order they came: every chat
waiting has its turn before any chat has its next, and a chat waiting out its interval (or a
429) never holds up the chats behind it. `Pacer` keeps the overall rate, one message per second
per private chat and 20 per minute per group; replies sent elsewhere count too. The overall
pace leaves room for its burst (`pacing.pace`), so no one-second window carries over the limit.

A few sends in flight keep the pace (`in_flight_limit`); a send that has waited for its answer
for STALLED_SECONDS (a slow chat) no longer counts against them, so slow chats never hold the
others up, and all sends in flight stay within `connection_limit`.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Generic, Protocol, TypeVar

from bot.core.pacing import (
    GROUP_INTERVAL,
    PRIVATE_INTERVAL,
    STALLED_SECONDS,
    Pacer,
    chat_interval,
    connection_limit,
    in_flight_limit,
    pace,
)

TICK: Final = 2.0  # seconds between looks at the outbox for rows that came due
MIN_CLAIM: Final = 100  # rows claimed at a time, at least
CLAIM_SECONDS: Final = 2.0  # rows claimed at a time: two seconds' worth at the rate
MIN_PICK: Final = 10  # rows a claim picks at least, however large their batches
MAX_HELD: Final = 20_000  # sends waiting here, at most (a combined one counts once)


class Recipient(Protocol):
    """The chat a send goes to."""

    @property
    def id(self) -> int: ...

    @property
    def kind(self) -> str: ...


class Row(Protocol):
    """Outbox rows claimed to go out together: one row, or a batch's rows."""

    @property
    def ids(self) -> tuple[int, ...]: ...

    @property
    def batch_key(self) -> str | None: ...


C = TypeVar("C", bound=Recipient)
R = TypeVar("R", bound=Row)


@dataclass(eq=False)
class Send(Generic[C, R]):
    """One message to go out: a single row, or the rows of one batch combined."""

    chat: C
    rows: list[R]
    plain: bool = False  # Telegram refused the HTML: plain text this time
    moved: bool = False  # this goes to the new id of a migrated group already

    @property
    def batch_key(self) -> str | None:
        """The rows' shared batch key; None for a single push."""
        return self.rows[0].batch_key


@dataclass(frozen=True)
class Claim:
    """Claim up to `size` due rows from the outbox, queue them, then report `claimed()`."""

    size: int


@dataclass(frozen=True)
class Start(Generic[C, R]):
    """Start this send now: it is counted against the pace, and in flight until `finished()`."""

    send: Send[C, R]


@dataclass(frozen=True)
class Pause:
    """Nothing to start for `seconds`, unless something changes meanwhile."""

    seconds: float


@dataclass(frozen=True)
class Idle:
    """Nothing waits, nothing is in flight, nothing is to be claimed: look again in a tick."""


class SendQueue(Generic[C, R]):
    """The sends claimed and waiting per chat, the line of chats, and the pace."""

    def __init__(self, rate: float) -> None:
        """Send at most `rate` messages in any second overall."""
        paced, burst = pace(rate)
        self.pacer = Pacer(paced, burst=burst)
        self.in_flight_limit = in_flight_limit(rate)
        self.connection_limit = connection_limit(rate)
        self.claim_size = max(MIN_CLAIM, math.ceil(rate * CLAIM_SECONDS))
        self.in_flight = 0  # sends started and not finished
        self.held = 0  # sends waiting here
        self._queues: dict[int, deque[Send[C, R]]] = {}  # chat id -> its sends, in order
        self._line: list[tuple[float, int, int]] = []  # heap of (when, seq, chat id)
        self._in_line: set[int] = set()  # chats in _line
        self._busy: dict[int, float] = {}  # chats with a send in flight -> when it started
        self._starts: deque[tuple[float, int]] = deque()  # (when, chat id) not stalled yet
        self._stalled: set[int] = set()  # chats whose send in flight has stalled
        self._seq = itertools.count()
        self._more = True  # the outbox may hold due rows not claimed yet
        self._claiming = False
        self._last_claim = -math.inf
        # Rows per send in the last claim: a claim's pick brings the rest of each batch along
        # (20 rows for each chat in a burst of 20 articles), so it picks that many times fewer.
        self._rows_per_send = 1.0
        self._claimed_rows = 0
        self._claimed_sends = 0

    @property
    def chats_waiting(self) -> int:
        """How many chats have sends waiting here."""
        return len(self._queues)

    @property
    def pick_size(self) -> int:
        """Rows the next claim picks: about `claim_size` rows with the rest of their batches."""
        return max(MIN_PICK, math.ceil(self.claim_size / self._rows_per_send))

    def next_step(self, now: float) -> Claim | Start[C, R] | Pause | Idle:
        """What to do at `now`: claim more rows, start a send, pause, or nothing."""
        if now - self._last_claim >= TICK:
            self._more = True
        if (
            self._more
            and not self._claiming
            and len(self._queues) < self.claim_size
            and self.held < MAX_HELD
        ):
            # Cleared as the claim starts, so that a wake() while it runs is not lost.
            self._more = False
            self._claiming = True
            self._last_claim = now
            return Claim(self.pick_size)
        while self._line:
            when, _, chat_id = self._line[0]
            if not self._waiting(chat_id):
                # Its sends were taken (cancelled, deferred) since it was put in line.
                self._in_line.discard(heapq.heappop(self._line)[2])
                continue
            if (later := self.pacer.chat_ready_at(chat_id)) > when:
                # A reply to the chat since it was put in line: it waits its turn at the back,
                # and the chats behind it do not wait for it.
                heapq.heapreplace(self._line, (later, next(self._seq), chat_id))
                continue
            start = max(when, self.pacer.ready_at(chat_id, now))
            if start > now:
                return Pause(min(start - now, TICK))
            if self.in_flight >= self.connection_limit:
                return Pause(TICK)  # until a send finishes
            if self.in_flight - self._count_stalled(now) >= self.in_flight_limit:
                # Until a send finishes, or the oldest one stalls.
                stalls = self._starts[0][0] + STALLED_SECONDS - now if self._starts else TICK
                return Pause(min(stalls, TICK))
            heapq.heappop(self._line)
            self._in_line.discard(chat_id)
            return Start(self._start(chat_id, now))
        if self.in_flight or self._queues or self._more or self._claiming:
            return Pause(TICK)
        return Idle()

    def wake(self) -> None:
        """Rows were written to the outbox: claim at the next step rather than the next tick."""
        self._more = True

    def claimed(self, *, full: bool) -> None:
        """The claim is over (its rows queued); `full`: it got all it asked for, so claim on."""
        self._claiming = False
        if self._claimed_sends:
            self._rows_per_send = self._claimed_rows / self._claimed_sends
        self._claimed_rows = self._claimed_sends = 0
        if full:
            self._more = True

    def enqueue(self, chat: C, rows: Iterable[R]) -> None:
        """Queue rows for the chat in order; rows of one batch join one send."""
        queue = self._queues.setdefault(chat.id, deque())
        batches = {send.batch_key: send for send in queue if send.batch_key is not None}
        for row in rows:
            self._claimed_rows += len(row.ids)
            batch = batches.get(row.batch_key) if row.batch_key is not None else None
            if batch is not None:
                batch.rows.append(row)
                continue
            send = Send(chat, [row])
            queue.append(send)
            self.held += 1
            self._claimed_sends += 1
            if row.batch_key is not None:
                batches[row.batch_key] = send
        self._put_in_line(chat.id)

    def finished(self, launched: int, send: Send[C, R]) -> None:
        """The send started to chat `launched` is over (its chat has moved if the group did)."""
        self.in_flight -= 1
        self._busy.pop(launched, None)
        self._stalled.discard(launched)
        self._put_in_line(launched)
        self._put_in_line(send.chat.id)

    def requeue(self, send: Send[C, R]) -> None:
        """Put a send back at the head of its chat's line, to go again."""
        self._queues.setdefault(send.chat.id, deque()).appendleft(send)
        self.held += 1

    def take(self, chat_id: int) -> list[Send[C, R]]:
        """Take every send waiting for the chat out of the queue (cancelled, or deferred)."""
        taken = list(self._queues.pop(chat_id, ()))
        self.held -= len(taken)
        return taken

    def take_all(self) -> list[Send[C, R]]:
        """Take every send waiting out of the queue (the dispatcher stops)."""
        taken = [send for queue in self._queues.values() for send in queue]
        self._queues.clear()
        self.held = 0
        return taken

    def move(self, old_id: int, chat: C) -> None:
        """A group became a supergroup: its waiting sends go to `chat`, a chat of its own."""
        waiting = self._queues.pop(old_id, deque())
        for send in waiting:
            send.chat = chat
        self._queues.setdefault(chat.id, deque()).extend(waiting)

    def flood(self, chat_id: int, retry_after: float, now: float) -> None:
        """Telegram answered 429 for the chat at `now`: hold it (maybe all) and slow down."""
        self.pacer.flood(chat_id, retry_after, now)

    def sent_elsewhere(self, chat_id: int, now: float) -> None:
        """A message went to the chat outside the queue (a reply): count it against the limits."""
        # Telegram's private chats have positive ids; groups, supergroups and channels negative.
        interval = PRIVATE_INTERVAL if chat_id > 0 else GROUP_INTERVAL
        self.pacer.record(chat_id, now, interval=interval)

    def _waiting(self, chat_id: int) -> bool:
        """Whether the chat has sends waiting and none in flight."""
        return chat_id in self._queues and chat_id not in self._busy

    def _put_in_line(self, chat_id: int) -> None:
        """Put the chat in line if it has sends waiting and none in flight."""
        if self._waiting(chat_id) and chat_id not in self._in_line:
            self._in_line.add(chat_id)
            when = self.pacer.chat_ready_at(chat_id)
            heapq.heappush(self._line, (when, next(self._seq), chat_id))

    def _start(self, chat_id: int, now: float) -> Send[C, R]:
        """Take the chat's next send, counting it against the pace and in flight."""
        queue = self._queues[chat_id]
        send = queue.popleft()
        if not queue:
            del self._queues[chat_id]
        self.held -= 1
        self.pacer.record(chat_id, now, interval=chat_interval(send.chat.kind))
        self._busy[chat_id] = now
        self._starts.append((now, chat_id))
        self.in_flight += 1
        return send

    def _count_stalled(self, now: float) -> int:
        """How many sends in flight have waited STALLED_SECONDS or more for their answer."""
        starts = self._starts
        while starts and starts[0][0] + STALLED_SECONDS <= now:
            began, chat_id = starts.popleft()
            if self._busy.get(chat_id) == began:
                self._stalled.add(chat_id)
        return len(self._stalled)
