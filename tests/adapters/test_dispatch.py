"""The dispatcher in-process against the fake Bot API: failures, quiet hours, bursts, pacing."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.adapters.dispatch import Dispatcher
from bot.adapters.store import ChatKind, NewArticle
from bot.core.delivery import MAX_ATTEMPTS, RESEND_PAUSE
from bot.core.models import DeliveryStatus, Digest, Entry
from tests.conftest import ADMIN, USER, RunningBot
from tests.fakes.botapi_errors import FloodLimits, supergroup_id

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
OTHER = 3003
GROUP = -555


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def dispatcher(running_bot: RunningBot) -> Dispatcher:
    found = running_bot.app.bot_data.dispatcher
    assert found is not None
    return found


def fixed_clock(running_bot: RunningBot, now: datetime = NOW) -> Clock:
    clock = Clock(now)
    running_bot.app.bot_data.clock = clock
    return clock


async def topic_with(running_bot: RunningBot, *chats: tuple[int, ChatKind]) -> tuple[int, int]:
    """A topic with a feed, and these chats subscribed to it: (topic id, feed id)."""
    store = running_bot.store
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    for chat_id, kind in chats:
        running_bot.api.add_chat(chat_id, kind.value)
        await store.upsert_chat(chat_id, kind=kind)
        await store.subscribe(chat_id, topic.id)
    return topic.id, feed.id


async def publish(
    running_bot: RunningBot, feed_id: int, *keys: str, polled_at: datetime = NOW
) -> list[int]:
    """One poll of the feed bringing these new articles: the outbox fans them out."""
    articles = []
    for key in keys:
        digest = Digest(
            f"Title {key}", f"https://example.com/{key}", "Example", NOW, "en", "", (f"{key}.",)
        )
        articles.append(NewArticle(Entry(key, digest.title, digest.url, "", NOW, "en"), digest))
    return await running_bot.store.save_poll(
        feed_id,
        articles,
        polled_at=polled_at,
        next_poll_at=polled_at,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=True,
    )


def sends_to(running_bot: RunningBot, chat_id: int) -> list[int]:
    """The HTTP status of every sendMessage to the chat, in order."""
    calls = running_bot.api.calls("sendMessage")
    return [c.status for c in calls if c.params.get("chat_id") == chat_id]


async def test_a_429_waits_retry_after_and_delivers_once(running_bot: RunningBot) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, "flood", retry_after=1)
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    assert sends_to(running_bot, USER) == [429, 200]
    assert len(running_bot.api.sent_messages(USER)) == 1
    (row,) = await running_bot.store.list_deliveries()
    # A flood wait is not the row's fault: it is not counted as an attempt of its own.
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 1)


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("blocked", "Forbidden: bot was blocked by the user"),
        ("kicked", "Forbidden: bot was kicked from the group chat"),
        ("chat_not_found", "Chat not found"),
    ],
)
async def test_a_gone_chat_is_made_inactive_and_its_rows_cancelled(
    running_bot: RunningBot, kind: str, error: str
) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE), (OTHER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, kind, count=None)
    await publish(running_bot, feed, "a", "b")
    await dispatcher(running_bot).drain()

    chat = await running_bot.store.get_chat(USER)
    assert chat is not None
    assert not chat.active
    assert sends_to(running_bot, USER) == [400 if kind == "chat_not_found" else 403]
    mine = await running_bot.store.list_deliveries(USER)
    assert [(r.status, r.last_error) for r in mine] == [(DeliveryStatus.CANCELLED, error)] * 2
    assert len(running_bot.api.sent_messages(OTHER)) == 2


async def test_a_migrated_group_gets_the_push_at_its_new_id(running_bot: RunningBot) -> None:
    topic, feed = await topic_with(running_bot, (GROUP, ChatKind.GROUP))
    new_id = supergroup_id(GROUP)
    running_bot.api.queue_error(GROUP, "migrated")
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    (push,) = running_bot.api.sent_messages(new_id)
    assert "Title a" in push["text"]
    store = running_bot.store
    assert await store.get_chat(GROUP) is None
    moved = await store.get_chat(new_id)
    assert moved is not None
    assert moved.kind is ChatKind.SUPERGROUP
    assert [t.id for t in await store.subscriptions(new_id)] == [topic]
    (row,) = await running_bot.store.list_deliveries()
    assert (row.chat_id, row.status, row.message_id) == (
        new_id,
        DeliveryStatus.SENT,
        push["message_id"],
    )


async def test_a_502_is_retried_with_backoff_then_delivered(running_bot: RunningBot) -> None:
    clock = fixed_clock(running_bot)
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, "bad_gateway")
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    (row,) = await running_bot.store.list_deliveries()
    assert (row.status, row.due_at, row.last_error) == (
        DeliveryStatus.PENDING,
        NOW + timedelta(seconds=5),
        "Bad Gateway",
    )
    clock.now += timedelta(seconds=5)
    await dispatcher(running_bot).drain()
    assert sends_to(running_bot, USER) == [502, 200]
    (row,) = await running_bot.store.list_deliveries()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 2, None)


async def test_a_timeout_is_retried_then_delivered(running_bot: RunningBot) -> None:
    clock = fixed_clock(running_bot)
    dispatcher(running_bot).send_timeout = 0.3
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, "timeout", hold=1.0)
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    (row,) = await running_bot.store.list_deliveries()
    assert (row.status, row.last_error) == (DeliveryStatus.PENDING, "Timed out")
    clock.now += timedelta(minutes=1)
    await dispatcher(running_bot).drain()
    assert sends_to(running_bot, USER) == [504, 200]
    assert len(running_bot.api.sent_messages(USER)) == 1


async def test_a_late_answer_is_resent_once_and_counts_as_sent(running_bot: RunningBot) -> None:
    clock = fixed_clock(running_bot)
    dispatcher(running_bot).send_timeout = 0.3
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    # Telegram posts the message, and answers after the bot gave up waiting.
    running_bot.api.delay_answers(USER, 1.0, count=1)
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    (row,) = await running_bot.store.list_deliveries()
    assert (row.status, row.timeouts, row.due_at) == (
        DeliveryStatus.PENDING,
        1,
        NOW + RESEND_PAUSE,
    )
    clock.now += RESEND_PAUSE
    await dispatcher(running_bot).drain()
    # At most one copy too many: the resend.
    assert len(running_bot.api.sent_messages(USER)) == 2
    (row,) = await running_bot.store.list_deliveries()
    assert (row.status, row.attempts, row.timeouts) == (DeliveryStatus.SENT, 2, 1)


async def test_two_late_answers_make_an_unconfirmed_row_never_a_third_send(
    running_bot: RunningBot,
) -> None:
    clock = fixed_clock(running_bot)
    dispatcher(running_bot).send_timeout = 0.3
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.delay_answers(USER, 1.0)
    await publish(running_bot, feed, "a")
    for _ in range(MAX_ATTEMPTS):
        await dispatcher(running_bot).drain()
        clock.now += RESEND_PAUSE

    assert len(running_bot.api.sent_messages(USER)) == 2
    (row,) = await running_bot.store.list_deliveries()
    assert (row.status, row.attempts, row.timeouts, row.sent_at) == (
        DeliveryStatus.UNCONFIRMED,
        2,
        1,
        NOW + RESEND_PAUSE,
    )
    stats = await running_bot.store.bot_stats(NOW)
    assert (stats.unconfirmed, stats.failed, stats.sent, stats.pending) == (1, 0, 0, 0)


async def test_a_timeout_then_a_502_is_unconfirmed(running_bot: RunningBot) -> None:
    clock = fixed_clock(running_bot)
    dispatcher(running_bot).send_timeout = 0.3
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.delay_answers(USER, 1.0, count=1)
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()
    running_bot.api.queue_error(USER, "bad_gateway")
    clock.now += RESEND_PAUSE
    await dispatcher(running_bot).drain()

    assert sends_to(running_bot, USER) == [200, 502]
    (row,) = await running_bot.store.list_deliveries()
    assert (row.status, row.last_error) == (DeliveryStatus.UNCONFIRMED, "Bad Gateway")


async def test_transient_failures_past_the_limit_fail_and_are_counted(
    running_bot: RunningBot,
) -> None:
    clock = fixed_clock(running_bot)
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, "bad_gateway", count=None)
    await publish(running_bot, feed, "a")
    for _ in range(MAX_ATTEMPTS):
        await dispatcher(running_bot).drain()
        clock.now += timedelta(hours=1)

    assert sends_to(running_bot, USER) == [502] * MAX_ATTEMPTS
    (row,) = await running_bot.store.list_deliveries()
    assert (row.status, row.attempts, row.last_error) == (
        DeliveryStatus.FAILED,
        MAX_ATTEMPTS,
        "Bad Gateway",
    )
    stats = await running_bot.store.bot_stats(NOW)
    assert (stats.failed, stats.pending, stats.sent) == (1, 0, 0)


async def test_unparsable_html_is_resent_once_as_plain_text(running_bot: RunningBot) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE), (OTHER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, "cant_parse")
    running_bot.api.queue_error(OTHER, "cant_parse", count=2)
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    first, plain = [c for c in running_bot.api.calls("sendMessage") if c.params["chat_id"] == USER]
    assert (first.status, first.params["parse_mode"]) == (400, "HTML")
    assert plain.ok
    assert "parse_mode" not in plain.params
    assert "<b>" not in plain.params["text"]
    assert "Title a" in plain.params["text"]
    by_chat = {r.chat_id: r for r in await running_bot.store.list_deliveries()}
    assert by_chat[USER].status is DeliveryStatus.SENT
    assert by_chat[OTHER].status is DeliveryStatus.FAILED
    assert "can't parse entities" in (by_chat[OTHER].last_error or "").lower()


async def test_quiet_hours_hold_the_row_until_they_end(running_bot: RunningBot) -> None:
    late = datetime(2026, 5, 1, 23, 0, tzinfo=UTC)
    clock = fixed_clock(running_bot, late)
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE), (OTHER, ChatKind.PRIVATE))
    await running_bot.store.set_quiet_hours(USER, time(22), time(7))
    await publish(running_bot, feed, "a", polled_at=late)
    await dispatcher(running_bot).drain()

    assert running_bot.api.sent_messages(USER) == []
    assert len(running_bot.api.sent_messages(OTHER)) == 1
    morning = datetime(2026, 5, 2, 7, 0, tzinfo=UTC)
    (row,) = await running_bot.store.list_deliveries(USER)
    assert (row.status, row.due_at, row.attempts, row.last_error) == (
        DeliveryStatus.PENDING,
        morning,
        0,
        "quiet hours",
    )
    clock.now = morning - timedelta(seconds=1)
    await dispatcher(running_bot).drain()
    assert running_bot.api.sent_messages(USER) == []
    clock.now = morning
    await dispatcher(running_bot).drain()
    assert len(running_bot.api.sent_messages(USER)) == 1


async def test_a_paused_chat_has_its_rows_cancelled(running_bot: RunningBot) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    await publish(running_bot, feed, "a")
    await running_bot.store.set_paused(USER, True)
    await dispatcher(running_bot).drain()

    assert running_bot.api.sent_messages(USER) == []
    (row,) = await running_bot.store.list_deliveries()
    assert (row.status, row.last_error) == (DeliveryStatus.CANCELLED, "paused")


async def test_a_burst_of_five_articles_is_one_message_per_chat(running_bot: RunningBot) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE), (OTHER, ChatKind.PRIVATE))
    await publish(running_bot, feed, *"abcde")
    await dispatcher(running_bot).drain()

    for chat_id in (USER, OTHER):
        (message,) = running_bot.api.sent_messages(chat_id)
        assert message["text"].startswith("Tech: 5 new articles\n\n1. Title a")
        assert [r[0]["text"] for r in message["reply_markup"]["inline_keyboard"]] == [
            f"{n}. Title {key}" for n, key in enumerate("abcde", 1)
        ]
        mine = await running_bot.store.list_deliveries(chat_id)
        assert {(r.status, r.message_id) for r in mine} == {
            (DeliveryStatus.SENT, message["message_id"])
        }
        assert len({r.batch_key for r in mine}) == 1


async def test_a_burst_refused_with_a_429_goes_out_once_after_the_wait(
    running_bot: RunningBot,
) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.queue_error(USER, "flood", retry_after=1)
    await publish(running_bot, feed, *"abcde")
    await dispatcher(running_bot).drain()

    assert sends_to(running_bot, USER) == [429, 200]
    (message,) = running_bot.api.sent_messages(USER)
    assert message["text"].startswith("Tech: 5 new articles")
    rows = await running_bot.store.list_deliveries(USER)
    assert {(r.status, r.attempts, r.message_id) for r in rows} == {
        (DeliveryStatus.SENT, 1, message["message_id"])
    }
    assert len(rows) == 5


async def test_a_burst_goes_without_an_article_whose_digest_is_gone(
    running_bot: RunningBot,
) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    a, b, c, d, e = await publish(running_bot, feed, *"abcde")
    store = running_bot.store
    await store._db.execute("DELETE FROM digests WHERE article_id = ?", (c,))
    await store._db.commit()
    await dispatcher(running_bot).drain()

    (message,) = running_bot.api.sent_messages(USER)
    assert message["text"].startswith("Tech: 4 new articles\n\n1. Title a")
    assert [r[0]["text"] for r in message["reply_markup"]["inline_keyboard"]] == [
        "1. Title a",
        "2. Title b",
        "3. Title d",
        "4. Title e",
    ]
    rows = {row.article_id: row for row in await store.list_deliveries(USER)}
    assert {(rows[x].status, rows[x].message_id) for x in (a, b, d, e)} == {
        (DeliveryStatus.SENT, message["message_id"])
    }
    assert (rows[c].status, rows[c].last_error) == (
        DeliveryStatus.FAILED,
        "the article no longer exists",
    )


async def test_pacing_at_the_fakes_limits_draws_no_429(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.enforce_limits()  # 30/s overall, 1/s per private chat with a burst of 3
    readers = [10_000 + n for n in range(40)]
    _, feed = await topic_with(running_bot, *[(r, ChatKind.PRIVATE) for r in [*readers, USER]])
    solo = await running_bot.store.add_topic("solo", "Solo")
    solo_feed = await running_bot.store.add_feed(solo.id, "https://example.com/solo")
    await running_bot.store.subscribe(USER, solo.id)
    # A small fan-out to 41 chats, and five more pushes to one of them, from two polls.
    await publish(running_bot, feed, "a")
    await publish(running_bot, solo_feed.id, "b", "c", "d")
    await publish(running_bot, solo_feed.id, "e", "f", polled_at=NOW + timedelta(minutes=1))
    dispatcher(running_bot).wake()

    # A command's reply goes straight out, without waiting behind the fan-out.
    reply = await running_bot.command(ADMIN, "/help")
    assert reply.ok
    calls = api.calls()
    pushes_before_reply = sum(
        1
        for c in calls[: calls.index(reply)]
        if c.method == "sendMessage" and c.params["chat_id"] != ADMIN
    )
    await dispatcher(running_bot).drain()

    assert api.flood_refusals() == 0
    assert pushes_before_reply < len(readers) + 6
    for chat_id in readers:
        assert [m["text"].split("\n")[0] for m in api.sent_messages(chat_id)] == ["Title a"]
    texts = [m["text"].split("\n")[0] for m in api.sent_messages(USER)]
    assert sorted(texts) == [f"Title {k}" for k in "abcdef"]


async def test_slow_chats_do_not_hold_up_the_others(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.enforce_limits()
    slow = [20_000 + n for n in range(20)]  # more than the 8 sends in flight at 30/s
    fast = [30_000 + n for n in range(40)]
    _, feed = await topic_with(running_bot, *[(c, ChatKind.PRIVATE) for c in [*slow, *fast]])
    for chat_id in slow:
        api.delay_answers(chat_id, math.inf)  # posted, and answered when the test says
    await publish(running_bot, feed, "a")
    dispatcher(running_bot).wake()

    # Every other chat gets its push while no slow chat has had its answer.
    await api.wait_for_async(
        lambda: all(api.sent_messages(c) for c in fast), timeout=30, what="the fast chats"
    )
    assert api.held_responses() == len(slow)
    api.release_responses()
    await dispatcher(running_bot).drain()
    assert {c: len(api.sent_messages(c)) for c in [*slow, *fast]} == dict.fromkeys(
        [*slow, *fast], 1
    )
    rows = await running_bot.store.list_deliveries()
    assert {row.status for row in rows} == {DeliveryStatus.SENT}
    assert api.flood_refusals() == 0


async def test_stopping_hands_back_the_rows_still_waiting(running_bot: RunningBot) -> None:
    _, feed = await topic_with(running_bot, (GROUP, ChatKind.SUPERGROUP))
    await publish(running_bot, feed, "a", "b")
    dispatcher(running_bot).wake()
    # The second push waits three seconds behind the first (20 messages a minute per group).
    await running_bot.api.wait_for_call_async("sendMessage", lambda c: c.ok)
    await dispatcher(running_bot).stop()

    first, second = await running_bot.store.list_deliveries(GROUP)
    assert first.status is DeliveryStatus.SENT
    assert (second.status, second.attempts, second.due_at) == (DeliveryStatus.PENDING, 0, NOW)
    assert len(running_bot.api.sent_messages(GROUP)) == 1


async def test_a_paid_push_to_a_forum_thread_keeps_its_thread_and_buttons(
    running_bot: RunningBot,
) -> None:
    topic, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    running_bot.api.add_chat(GROUP, ChatKind.SUPERGROUP.value)
    await running_bot.store.upsert_chat(GROUP, kind=ChatKind.SUPERGROUP)
    await running_bot.store.subscribe(GROUP, topic, thread_id=7)
    dispatcher(running_bot).paid = True
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()

    for chat_id, thread in ((USER, None), (GROUP, 7)):
        (call,) = [
            c for c in running_bot.api.calls("sendMessage") if c.params["chat_id"] == chat_id
        ]
        assert (call.status, call.params["allow_paid_broadcast"]) == (200, True)
        assert call.params.get("message_thread_id") == thread
        (message,) = running_bot.api.sent_messages(chat_id)
        assert message["text"].startswith("Title a")
        buttons = [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
        # A push showing all its key points has no 💡 button: it would add nothing.
        assert len(buttons) == 2
        (row,) = await running_bot.store.list_deliveries(chat_id)
        assert (row.status, row.message_id) == (DeliveryStatus.SENT, message["message_id"])


@pytest.mark.parametrize("bot_settings", [{"max_rate": 10.0}])
async def test_replies_during_a_fan_out_count_against_the_overall_rate(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api
    # Telegram's limits scaled down to the bot's 10/s, with little room for bursts.
    api.enforce_limits(FloodLimits(overall=10.0, overall_burst=3.0))
    readers = [10_000 + n for n in range(20)]
    _, feed = await topic_with(running_bot, *[(r, ChatKind.PRIVATE) for r in readers])
    await publish(running_bot, feed, "a")
    dispatcher(running_bot).wake()
    # Meanwhile 10 people ask for /help, one every 0.2 s: 5 replies/s of the 10/s.
    askers = [20_000 + n for n in range(10)]
    for asker in askers:
        api.inject_command(asker, "/help")
        await asyncio.sleep(0.2)
    await dispatcher(running_bot).drain()

    assert api.flood_refusals() == 0
    for chat_id in readers:
        assert len(api.sent_messages(chat_id)) == 1
    for chat_id in askers:
        assert len(api.sent_messages(chat_id)) == 1


async def all_unsent_claimed(running_bot: RunningBot) -> None:
    """Return once every row not sent yet is claimed: taken into the dispatcher's line."""
    for _ in range(1000):
        rows = await running_bot.store.list_deliveries()
        if {r.status for r in rows if r.sent_at is None} == {DeliveryStatus.CLAIMED}:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the dispatcher did not claim the rows")


@pytest.mark.parametrize("bot_settings", [{"max_rate": 1.0}])
async def test_a_reply_to_a_chat_in_line_does_not_hold_up_the_chats_behind_it(
    running_bot: RunningBot,
) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE), (OTHER, ChatKind.PRIVATE))
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()  # USER at t, OTHER at t + 1 s (1 message/s overall)
    await publish(running_bot, feed, "b", polled_at=NOW + timedelta(minutes=1))
    dispatcher(running_bot).wake()
    await all_unsent_claimed(running_bot)
    # In line: USER first. A reply to USER now puts its next push a second after the reply;
    # OTHER's, due before that, goes first instead of waiting behind USER's.
    assert (await running_bot.command(USER, "/help")).ok
    await dispatcher(running_bot).drain()

    pushes = [
        c.params["chat_id"]
        for c in running_bot.api.calls("sendMessage")
        if "Title b" in str(c.params.get("text"))
    ]
    assert pushes == [OTHER, USER]


async def test_a_push_says_which_topic_it_came_from(running_bot: RunningBot) -> None:
    _, feed = await topic_with(running_bot, (USER, ChatKind.PRIVATE))
    await publish(running_bot, feed, "a")
    await dispatcher(running_bot).drain()
    (push,) = running_bot.api.sent_messages(USER)
    assert push["text"].endswith("\nTopic: Tech")
