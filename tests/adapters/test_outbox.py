"""The outbox and reading state on a real SQLite file: claims, sends, retries, moves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.store import ChatKind, Claimed, NewArticle, Store, outbox
from bot.core.models import DeliveryStatus, Digest, Entry

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def article(key: str, *, push: bool = True, day: int = 1) -> NewArticle:
    published = NOW - timedelta(days=day)
    digest = Digest(key, f"https://x/{key}", "X", published, "en", "L.", ("P.",))
    return NewArticle(Entry(key, key, f"https://x/{key}", "", published, "en"), digest, push)


async def seeded(store: Store, *chats: int) -> tuple[int, int]:
    topic = await store.add_topic("t", "T")
    feed = await store.add_feed(topic.id, "https://x/feed")
    for chat in chats:
        await store.upsert_chat(chat, kind=ChatKind.PRIVATE)
        await store.subscribe(chat, topic.id)
    return topic.id, feed.id


async def save(store: Store, feed_id: int, *articles: NewArticle) -> list[int]:
    return await store.save_poll(
        feed_id,
        articles,
        polled_at=NOW,
        next_poll_at=NOW,
        etag=None,
        modified=None,
        title="",
        problem=None,
        push=True,
    )


async def test_filtered_articles_are_stored_but_not_pushed(store: Store) -> None:
    _, feed_id = await seeded(store, 1)
    kept, filtered = await save(store, feed_id, article("a"), article("b", push=False))
    assert [d.article_id for d in await store.pending_deliveries(10)] == [kept]
    assert await store.get_digest(filtered) is not None


async def test_claim_send_and_count(store: Store) -> None:
    _, feed_id = await seeded(store, 1, 2)
    await save(store, feed_id, article("a"))
    claimed = await store.claim_deliveries(NOW, 10, "w1")
    assert [(c.chat_id, c.attempts) for c in claimed] == [(1, 1), (2, 1)]
    assert {(d.status, d.claimed_by) for d in await store.list_deliveries()} == {
        (DeliveryStatus.CLAIMED, "w1")
    }
    assert await store.claim_deliveries(NOW, 10, "w2") == []
    (first,), (second,) = (c.ids for c in claimed)
    await store.mark_sent(first, 77, NOW)
    await store.retry_delivery(second, "flood", NOW + timedelta(seconds=30))
    counts = await store.count_deliveries()
    assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.PENDING]) == (1, 1)
    assert await store.claim_deliveries(NOW, 10, "w1") == []
    (again,) = await store.claim_deliveries(NOW + timedelta(seconds=30), 10, "w1")
    assert (again.ids, again.chat_id, again.attempts) == ((second,), 2, 2)
    assert (await store.list_deliveries(2))[0].last_error == "flood"


async def test_claims_of_a_dead_process_are_released(store: Store) -> None:
    _, feed_id = await seeded(store, 1)
    await save(store, feed_id, article("a"))
    await store.claim_deliveries(NOW, 10, "dead")
    assert await store.release_claims() == 1
    assert len(await store.claim_deliveries(NOW, 10, "alive")) == 1


async def test_start_up_releases_every_claim_but_its_owners(store: Store) -> None:
    _, feed_id = await seeded(store, 1, 2)
    await save(store, feed_id, article("a"))
    (gone,) = await store.claim_deliveries(NOW, 1, "1a2b3c-41")
    (mine,) = await store.claim_deliveries(NOW, 1, "4d5e6f-41")  # the same pid, reused
    assert await store.release_claims("4d5e6f-41") == 1
    rows = {row.id: row for row in await store.list_deliveries()}
    ((gone_id,), (mine_id,)) = gone.ids, mine.ids
    assert (rows[gone_id].status, rows[gone_id].claimed_by) == (DeliveryStatus.PENDING, None)
    assert (rows[mine_id].status, rows[mine_id].claimed_by) == (
        DeliveryStatus.CLAIMED,
        "4d5e6f-41",
    )


async def test_a_gone_chat_has_its_rows_cancelled(store: Store) -> None:
    _, feed_id = await seeded(store, 1)
    await save(store, feed_id, article("a"), article("b"))
    assert await store.cancel_chat_deliveries(1, "blocked") == 2
    assert (await store.count_deliveries())[DeliveryStatus.CANCELLED] == 2


async def test_moving_a_chat_carries_its_subscriptions_and_rows(store: Store) -> None:
    topic_id, feed_id = await seeded(store, -5)
    await save(store, feed_id, article("a"))
    await store.move_chat(-5, -1005)
    assert await store.subscribers(topic_id) == [-1005]
    assert [d.chat_id for d in await store.pending_deliveries(10)] == [-1005]
    moved = await store.get_chat(-1005)
    assert moved is not None
    assert moved.kind is ChatKind.SUPERGROUP
    assert await store.get_chat(-5) is None


async def test_next_unread_is_the_newest_article_not_yet_had(store: Store) -> None:
    _, feed_id = await seeded(store, 1)
    old, new = await save(store, feed_id, article("old", day=3), article("new", day=1))
    found = await store.next_unread(1)
    assert found is not None
    assert found[0] == new
    await store.mark_read(1, new)
    found = await store.next_unread(1)
    assert found is not None
    assert found[0] == old
    await store.mark_read(1, old)
    assert await store.next_unread(1) is None


async def test_more_than_three_new_articles_in_one_poll_are_a_burst(store: Store) -> None:
    _, feed_id = await seeded(store, 1, 2)
    await save(store, feed_id, article("a"), article("b"), article("c"))
    assert {d.batch_key for d in await store.pending_deliveries(10)} == {None}
    later = NOW + timedelta(minutes=5)
    await store.save_poll(
        feed_id,
        [article(key) for key in "defg"],
        polled_at=later,
        next_poll_at=later,
        etag=None,
        modified=None,
        title="",
        problem=None,
        push=True,
    )
    burst = {d.batch_key for d in await store.list_deliveries() if d.batch_key}
    assert burst == {f"burst:{feed_id}:{later.isoformat(timespec='microseconds')}"}
    assert len([d for d in await store.list_deliveries(1) if d.batch_key]) == 4


async def test_a_claim_takes_a_batch_whole_past_its_limit(store: Store) -> None:
    _, feed_id = await seeded(store, 1)
    await save(store, feed_id, *(article(key) for key in "abcde"))
    (claimed,) = await store.claim_deliveries(NOW, 2, "w1")
    assert claimed.article_ids == tuple(range(1, 6))
    assert claimed.ids == tuple(row.id for row in await store.list_deliveries())
    assert claimed.batch_key is not None


async def test_a_claim_takes_whole_batches_of_the_chats_it_picks_and_no_others(
    store: Store,
) -> None:
    _, feed_id = await seeded(store, 1, 2, 3)
    # A burst: each chat's rows are one batch, written article by article.
    await save(store, feed_id, *(article(key) for key in "abcd"))
    claimed = await store.claim_deliveries(NOW, 2, "w1")
    assert sorted((c.chat_id, c.article_ids) for c in claimed) == [
        (chat, (1, 2, 3, 4)) for chat in (1, 2)
    ]
    assert {d.chat_id for d in await store.claim_deliveries(NOW, 10, "w1")} == {3}


async def test_a_large_claim_is_built_a_chunk_at_a_time_with_loop_turns_between(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One article to 600 chats: 600 messages in one claim. The sends the pace starts meanwhile
    # go out on time only if the event loop turns while they are built.
    _, feed_id = await seeded(store, *range(1, 601))
    await save(store, feed_id, article("a"))
    built = 0

    def counted(**fields: Any) -> Claimed:
        nonlocal built
        built += 1
        return Claimed(**fields)

    monkeypatch.setattr(outbox, "Claimed", counted)
    seen: set[int] = set()

    async def watch() -> None:
        while True:
            seen.add(built)
            await asyncio.sleep(0)

    watching = asyncio.create_task(watch())
    claimed = await store.claim_deliveries(NOW, 600, "w1")
    watching.cancel()
    assert len(claimed) == built == 600
    # Between two turns of the loop, one chunk of messages at most was built.
    assert sorted(seen) == list(range(0, 600, outbox.BUILD_CHUNK))


async def test_claimed_rows_are_the_rows_as_the_table_now_holds_them(store: Store) -> None:
    _, feed_id = await seeded(store, 1, 2)
    await save(store, feed_id, article("a"))
    (first,) = await store.claim_deliveries(NOW, 1, "w1")
    (first_id,) = first.ids
    await store.retry_delivery(first_id, "Bad Gateway", NOW, timed_out=True)
    await save(store, feed_id, *(article(key) for key in "bcde"))  # a batch for each chat
    claimed = await store.claim_deliveries(NOW + timedelta(seconds=1), 10, "w2")
    rows = {row.id: row for row in await store.list_deliveries()}
    # A for each chat (chat 1's retried), alone; then each chat's burst, one message of four.
    assert [(c.chat_id, c.batch_key is None, len(c.ids)) for c in claimed] == [
        (1, True, 1),
        (2, True, 1),
        (1, False, 4),
        (2, False, 4),
    ]
    for claim in claimed:
        held = [rows[row] for row in claim.ids]
        assert claim.article_ids == tuple(row.article_id for row in held)
        assert {(row.chat_id, row.batch_key, row.status) for row in held} == {
            (claim.chat_id, claim.batch_key, DeliveryStatus.CLAIMED)
        }
        assert (claim.attempts, claim.timeouts) == (
            max(row.attempts for row in held),
            max(row.timeouts for row in held),
        )
    assert (claimed[0].ids, claimed[0].attempts, claimed[0].timeouts) == ((first_id,), 2, 1)


async def test_a_deferred_row_keeps_its_attempts(store: Store) -> None:
    _, feed_id = await seeded(store, 1, 2)
    await save(store, feed_id, article("a"))
    (first,), (second,) = (c.ids for c in await store.claim_deliveries(NOW, 10, "w1"))
    later = NOW + timedelta(hours=8)
    assert await store.defer_deliveries([first], "quiet hours", later) == 1
    assert await store.defer_deliveries([second], None, None) == 1
    one, two = await store.list_deliveries()
    assert (one.status, one.attempts, one.due_at, one.last_error) == (
        DeliveryStatus.PENDING,
        0,
        later,
        "quiet hours",
    )
    assert (two.status, two.attempts, two.due_at, two.last_error) == (
        DeliveryStatus.PENDING,
        0,
        NOW,
        None,
    )


async def test_a_cancelled_row_is_not_brought_back_by_a_late_retry(store: Store) -> None:
    _, feed_id = await seeded(store, 1)
    await save(store, feed_id, article("a"))
    (claim,) = await store.claim_deliveries(NOW, 10, "w1")
    await store.cancel_chat_deliveries(1, "paused")
    await store.retry_delivery(claim.ids[0], "Bad Gateway", NOW)
    await store.defer_deliveries(claim.ids, "quiet hours", NOW)
    (after,) = await store.list_deliveries()
    assert (after.status, after.last_error) == (DeliveryStatus.CANCELLED, "paused")


async def test_rows_sent_as_one_message_share_its_id_and_are_read(store: Store) -> None:
    _, feed_id = await seeded(store, 1)
    a, b = await save(store, feed_id, article("a"), article("b"))
    claims = await store.claim_deliveries(NOW, 10, "w1")
    assert [claim.article_ids for claim in claims] == [(a,), (b,)]  # two articles: no burst
    await store.record_sent(claims, 1, 77, NOW, reading=None)
    assert {(d.status, d.message_id, d.sent_at) for d in await store.list_deliveries()} == {
        (DeliveryStatus.SENT, 77, NOW)
    }
    assert await store.next_unread(1) is None
    assert await store.get_reading(1) is None
    (c,) = await save(store, feed_id, article("c"))
    claims = await store.claim_deliveries(NOW, 10, "w1")
    await store.record_sent(claims, 1, 78, NOW, reading=c)
    assert await store.get_reading(1) == (c, 0)
    assert {a, b, c} == {d.article_id for d in await store.list_deliveries(1)}
