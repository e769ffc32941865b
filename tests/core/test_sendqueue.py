"""The dispatcher's decisions at fixed times: claims, the line of chats, the pace, the 429s."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.pacing import CATCH_UP, FREE_RATE, PACE_SHARE, PAID_RATE, STALLED_SECONDS
from bot.core.sendqueue import (
    MAX_HELD,
    TICK,
    Claim,
    Idle,
    Pause,
    Send,
    SendQueue,
    Start,
)


@dataclass(frozen=True)
class Chat:
    id: int
    kind: str = "private"


@dataclass(frozen=True)
class Row:
    """Rows claimed together: `size` of them from `id` on (a batch's are claimed as one)."""

    id: int
    batch_key: str | None = None
    size: int = 1

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(range(self.id, self.id + self.size))


Queue = SendQueue[Chat, Row]


def paced(rate: float, n: int) -> float:
    """When the pace lets the n-th send of a fan-out go (the first is n = 0)."""
    return max(0.0, n / (rate * PACE_SHARE) - CATCH_UP)


Claimed = list[tuple[Chat, list[Row]]]  # what one claim from the outbox brings


def rows(count: int, *, first: int = 1, batch_key: str | None = None) -> list[Row]:
    return [Row(n, batch_key) for n in range(first, first + count)]


def privates(ids: Iterable[int]) -> Claimed:
    """One push each to these private chats: a fan-out."""
    return [(Chat(chat_id), [Row(chat_id)]) for chat_id in ids]


def queue_with(rate: float, claimed: Claimed) -> Queue:
    """A queue at `rate` that has claimed these rows at time 0, and nothing more is due."""
    queue: Queue = SendQueue(rate)
    assert queue.next_step(0.0) == Claim(queue.claim_size)
    for chat, chat_rows in claimed:
        queue.enqueue(chat, chat_rows)
    queue.claimed(full=False)
    return queue


def start(queue: Queue, now: float) -> Send[Chat, Row]:
    step = queue.next_step(now)
    assert isinstance(step, Start), step
    return step.send


def decide(queue: Queue, now: float) -> Start[Chat, Row] | Pause | Idle:
    """The queue's next decision that is not a claim; each claim brings nothing."""
    while isinstance(step := queue.next_step(now), Claim):
        queue.claimed(full=False)
    return step


def run(
    queue: Queue, now: float = 0.0, *, later_claims: Iterable[Claimed] = ()
) -> list[tuple[float, int]]:
    """Act on every decision as the dispatcher does, each send answered at once, until idle.

    Each claim brings the next of `later_claims` (nothing once they are used up). Returns
    (time, chat id) of every send started, in order.
    """
    claims = iter(later_claims)
    started: list[tuple[float, int]] = []
    while True:
        match queue.next_step(now):
            case Claim():
                claimed = next(claims, [])
                for chat, chat_rows in claimed:
                    queue.enqueue(chat, chat_rows)
                queue.claimed(full=bool(claimed))
            case Start(send=send):
                started.append((now, send.chat.id))
                queue.finished(send.chat.id, send)
            case Pause(seconds=seconds):
                now += seconds
            case Idle():
                return started


def approx(started: list[tuple[float, int]]) -> list[tuple[object, int]]:
    return [(pytest.approx(at, abs=1e-9), chat) for at, chat in started]


# the pace


@pytest.mark.parametrize(
    ("rate", "busiest"), [(FREE_RATE, 30), (PAID_RATE, 985)], ids=["free", "paid"]
)
def test_the_pace_is_98_percent_of_the_rate_5_ms_ahead_so_no_second_carries_more(
    rate: float, busiest: int
) -> None:
    queue = queue_with(rate, privates(range(1, 3001)))
    started = run(queue)
    assert started == approx([(paced(rate, n), n + 1) for n in range(3000)])
    assert busiest_second(started) == busiest


@settings(max_examples=40, deadline=None)
@given(
    rate=st.sampled_from([FREE_RATE, PAID_RATE]),
    chats=st.lists(st.tuples(st.integers(-30, 60), st.integers(1, 25)), min_size=1, max_size=60),
    replies=st.lists(st.tuples(st.integers(-30, 60), st.floats(0, 30)), max_size=10),
)
def test_no_window_carries_more_than_a_limit_overall_per_chat_or_per_group(
    rate: float, chats: list[tuple[int, int]], replies: list[tuple[int, float]]
) -> None:
    claimed: dict[int, list[Row]] = {}
    for n, (chat_id, count) in enumerate(chats):
        claimed.setdefault(chat_id or 1, []).extend(rows(count, first=n * 100))
    queue = queue_with(
        rate, [(Chat(c, "private" if c > 0 else "group"), r) for c, r in claimed.items()]
    )
    started = run(queue)
    assert len(started) == sum(len(r) for r in claimed.values())
    assert busiest_second(started) <= rate
    for chat_id in claimed:
        times = [at for at, chat in started if chat == chat_id]
        window, most = (1.0, 1) if chat_id > 0 else (60.0, 20)
        for i, first in enumerate(times):
            assert sum(1 for at in times[i:] if at < first + window - 1e-9) <= most


def busiest_second(started: list[tuple[float, int]]) -> int:
    """The most sends started in any one-second window [t, t + 1)."""
    return max(sum(1 for at, _ in started if t <= at < t + 1 - 1e-9) for t, _ in started)


def test_a_private_chat_gets_one_message_a_second() -> None:
    queue = queue_with(FREE_RATE, [(Chat(7), rows(3))])
    first = start(queue, 0.0)
    queue.finished(7, first)
    assert queue.next_step(0.0) == Pause(1.0)
    assert run(queue, 0.0) == [(1.0, 7), (2.0, 7)]


@pytest.mark.parametrize("kind", ["group", "supergroup", "channel"])
def test_a_group_gets_twenty_messages_a_minute(kind: str) -> None:
    queue = queue_with(FREE_RATE, [(Chat(-5, kind), rows(4))])
    assert run(queue) == [(0.0, -5), (3.0, -5), (6.0, -5), (9.0, -5)]


@pytest.mark.parametrize(
    ("rate", "limit", "connections"),
    [(FREE_RATE, 8, 30), (PAID_RATE, 250, 512)],
    ids=["free", "paid"],
)
def test_sends_in_flight_are_bounded_and_a_finished_or_stalled_one_frees_its_slot(
    rate: float, limit: int, connections: int
) -> None:
    queue = queue_with(rate, privates(range(1, 1001)))
    now = 0.0
    sends = []
    # Nothing more to claim, no send answered: starts, and pauses for the pace, until the
    # in-flight slots are full; the pause then lasts until the first send stalls.
    while queue.in_flight < limit:
        step = decide(queue, now)
        if isinstance(step, Pause):
            now += step.seconds
        else:
            assert isinstance(step, Start)
            sends.append(step.send)
    assert len(sends) == limit
    now += 0.5  # the pace allows the next send by now; the slots do not
    assert decide(queue, now) == Pause(pytest.approx(STALLED_SECONDS - now))
    queue.finished(1, sends[0])
    assert start(queue, now).chat.id == limit + 1
    # A send unanswered for STALLED_SECONDS (a slow chat) holds no slot: the others go on,
    # up to `connections` sends in flight in all.
    now += 100.0
    while (step := decide(queue, now)) != Pause(TICK):
        if isinstance(step, Pause):
            now += step.seconds
        else:
            assert isinstance(step, Start)
    assert queue.in_flight == connections


# a 429


def test_a_429_holds_its_chat_for_retry_after_while_the_others_go_on() -> None:
    queue = queue_with(FREE_RATE, privates([1, 2, 3]))
    send = start(queue, 0.0)
    # Telegram answers 429, retry after 5 s: the send goes back to the head of its chat's line.
    queue.flood(1, 5.0, 0.0)
    queue.requeue(send)
    queue.finished(1, send)
    started = run(queue)
    # The others go on (at half the rate for a while, after a 429); chat 1 waits 5 s.
    assert [chat for _, chat in started] == [2, 3, 1]
    assert started[1][0] < 1.0
    assert started[2] == (5.0, 1)
    assert queue.held == 0


def test_429s_for_two_chats_within_a_second_hold_every_chat() -> None:
    queue = queue_with(FREE_RATE, privates([1, 2, 3, 4]))
    first, second = start(queue, 0.0), start(queue, paced(FREE_RATE, 1))
    queue.flood(1, 5.0, 0.0)
    queue.flood(2, 5.0, 0.5)  # the overall limit: every chat waits until 5.5 s
    for send in (first, second):
        queue.requeue(send)
        queue.finished(send.chat.id, send)
    started = run(queue, 0.5)
    # Every chat is in line from 5.5 s: the two held first, then the others in their order.
    assert [chat for _, chat in started] == [1, 2, 3, 4]
    assert started[0] == (5.5, 1)
    assert min(at for at, _ in started) == 5.5


# replies, counted against the same limits


def test_a_reply_holds_its_chats_next_push_by_the_chats_interval() -> None:
    queue = queue_with(FREE_RATE, [(Chat(7), rows(1)), (Chat(-7, "group"), rows(1, first=2))])
    queue.sent_elsewhere(7, 0.0)
    queue.sent_elsewhere(-7, 0.0)
    assert run(queue) == [(1.0, 7), (3.0, -7)]


def test_a_reply_counts_against_the_overall_rate() -> None:
    queue = queue_with(1.0, privates([6]))
    queue.sent_elsewhere(5, 0.0)
    assert run(queue) == approx([(paced(1.0, 1), 6)])


def test_a_reply_to_a_chat_in_line_sends_it_to_the_back_and_the_others_do_not_wait() -> None:
    queue = queue_with(PAID_RATE, privates([1, 2]))
    queue.sent_elsewhere(1, 0.0)
    assert run(queue) == [(0.0, 2), (1.0, 1)]


# fairness


def test_every_chat_in_line_has_its_turn_before_any_has_its_next() -> None:
    queue = queue_with(PAID_RATE, [(Chat(1), rows(3)), *privates([2, 3])])
    assert run(queue) == [(0.0, 1), (0.0, 2), (0.0, 3), (1.0, 1), (2.0, 1)]


def test_a_chat_in_line_is_not_overtaken_by_the_rest_of_a_big_fan_out() -> None:
    # A fan-out to 1,000 chats comes in claims of 100 (the claim size at 30/s); chat 7's push
    # was claimed with the first, behind 50 of them.
    fan_out = privates(range(1000, 2000))
    first = [*fan_out[:50], (Chat(7), [Row(7)]), *fan_out[50:99]]
    queue = queue_with(FREE_RATE, first)
    assert queue.claim_size == 100
    later = [fan_out[n : n + 100] for n in range(99, 1000, 100)]
    started = run(queue, later_claims=later)
    assert len(started) == 1001
    assert [chat for _, chat in started].index(7) == 50
    assert started[50][0] == pytest.approx(paced(FREE_RATE, 50))


def test_a_slow_send_holds_only_its_own_chat() -> None:
    queue = queue_with(PAID_RATE, [(Chat(1), rows(2)), *privates([2, 3])])
    slow = start(queue, 0.0)  # never answered during this test
    assert [start(queue, 0.0).chat.id for _ in range(2)] == [2, 3]
    assert queue.next_step(1.0) == Pause(TICK)  # chat 1's next waits for its send in flight
    queue.finished(1, slow)
    assert start(queue, 1.0).chat.id == 1


# claims


def test_claims_go_on_while_full_and_otherwise_wait_a_tick_or_a_wake() -> None:
    queue: Queue = SendQueue(FREE_RATE)
    assert queue.next_step(0.0) == Claim(100)
    assert queue.next_step(0.0) == Pause(TICK)  # one claim at a time
    queue.claimed(full=True)
    assert queue.next_step(0.1) == Claim(100)
    queue.claimed(full=False)
    assert queue.next_step(0.2) == Idle()
    assert queue.next_step(0.1 + TICK) == Claim(100)
    queue.claimed(full=False)
    queue.wake()
    assert queue.next_step(0.2 + TICK) == Claim(100)


def test_the_claim_size_is_two_seconds_of_sends_and_at_least_a_hundred() -> None:
    assert [SendQueue[Chat, Row](rate).claim_size for rate in (1.0, 30.0, 1000.0)] == [
        100,
        100,
        2000,
    ]


def test_no_claim_while_a_claims_worth_of_chats_or_max_held_sends_wait() -> None:
    queue = queue_with(FREE_RATE, privates(range(1, 101)))
    queue.wake()
    assert isinstance(queue.next_step(0.0), Start)  # 100 chats wait: no claim
    assert queue.next_step(1.0) == Claim(100)  # 99 wait
    queue = queue_with(FREE_RATE, [(Chat(1), rows(MAX_HELD))])
    assert queue.held == MAX_HELD
    queue.wake()
    assert isinstance(queue.next_step(0.0), Start)
    assert queue.next_step(0.5) == Claim(100)  # MAX_HELD - 1 sends held


def test_the_queue_counts_sends_however_many_rows_each_combines() -> None:
    # A burst: 20 articles to each chat, one combined send per chat.
    burst = [
        (Chat(chat_id), rows(20, first=chat_id * 100, batch_key="burst:1"))
        for chat_id in range(1, 51)
    ]
    queue = queue_with(PAID_RATE, burst)
    assert (queue.held, queue.chats_waiting) == (50, 50)
    send = start(queue, 0.0)
    assert (len(send.rows), queue.held) == (20, 49)
    queue.requeue(send)
    assert queue.held == 50
    assert len(queue.take(2)) == 1
    assert queue.held == 49


def test_max_held_counts_sends_not_rows() -> None:
    # MAX_HELD sends wait, each of two rows: no claim until one of them starts.
    pairs = [row for n in range(MAX_HELD) for row in (Row(n, f"k{n}"), Row(-n, f"k{n}"))]
    queue = queue_with(FREE_RATE, [(Chat(1), pairs)])
    assert queue.held == MAX_HELD
    queue.wake()
    assert isinstance(queue.next_step(0.0), Start)
    assert queue.next_step(0.5) == Claim(50)  # MAX_HELD - 1 sends held, of two rows each


def test_a_claim_picks_as_many_times_fewer_rows_as_its_batches_bring_along() -> None:
    queue: Queue = SendQueue(PAID_RATE)
    assert queue.next_step(0.0) == Claim(2000)
    # A burst of 20 articles: each row picked brings its chat's 19 others along, claimed as one.
    for chat_id in range(1, 101):
        queue.enqueue(Chat(chat_id), [Row(chat_id * 100, batch_key="burst:1", size=20)])
    queue.claimed(full=True)
    assert queue.next_step(0.0) == Claim(100)  # about 2,000 rows again
    queue.enqueue(Chat(500), rows(1, first=500))  # single pushes again
    queue.claimed(full=True)
    assert queue.next_step(0.0) == Claim(2000)


def test_idle_only_when_nothing_waits_is_in_flight_or_due() -> None:
    queue = queue_with(FREE_RATE, privates([1]))
    send = start(queue, 0.0)
    assert queue.next_step(0.0) == Pause(TICK)  # a send in flight
    queue.finished(1, send)
    assert queue.next_step(0.0) == Idle()


# what is queued


def test_rows_of_one_batch_are_one_send_even_across_claims() -> None:
    queue = queue_with(FREE_RATE, [(Chat(1), [Row(1, "burst:1"), Row(2), Row(3, "burst:1")])])
    queue.enqueue(Chat(1), [Row(4, "burst:1")])
    sends = []
    now = 0.0
    while len(sends) < 2:
        sends.append(start(queue, now))
        queue.finished(1, sends[-1])
        now += 1.0
    assert [[row.id for row in send.rows] for send in sends] == [[1, 3, 4], [2]]
    assert queue.held == 0


def test_taken_sends_are_not_started() -> None:
    queue = queue_with(FREE_RATE, [(Chat(1), rows(3)), *privates([2])])
    taken = queue.take(1)
    assert [[row.id for row in send.rows] for send in taken] == [[1], [2], [3]]
    assert queue.held == 1
    assert run(queue) == [(0.0, 2)]


def test_taking_all_empties_the_queue() -> None:
    queue = queue_with(FREE_RATE, [(Chat(1), rows(2)), *privates([5])])
    assert sorted(row.id for send in queue.take_all() for row in send.rows) == [1, 2, 5]
    assert (queue.held, queue.chats_waiting) == (0, 0)
    assert run(queue) == []


def test_a_moved_groups_sends_go_to_the_supergroup_at_its_pace() -> None:
    queue = queue_with(FREE_RATE, [(Chat(-5, "group"), rows(3))])
    send = start(queue, 0.0)
    # Telegram answers that the group is now supergroup -100: everything goes there.
    supergroup = Chat(-100, "supergroup")
    queue.move(-5, supergroup)
    send.chat = supergroup
    queue.requeue(send)
    queue.finished(-5, send)
    first = paced(FREE_RATE, 1)
    assert run(queue) == approx([(first, -100), (first + 3.0, -100), (first + 6.0, -100)])
