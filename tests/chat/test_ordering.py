"""PerChatOrder: one chat's updates one after another, in order; other chats meanwhile."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.chat.ordering import PerChatOrder


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat))  # type: ignore[arg-type]


async def test_one_chats_updates_wait_for_each_other_and_keep_their_order() -> None:
    order = PerChatOrder()
    done: list[str] = []
    release = asyncio.Event()

    async def slow(name: str) -> None:
        await release.wait()
        done.append(name)

    async def quick(name: str) -> None:
        done.append(name)

    async with order:
        first = asyncio.create_task(order.process_update(update(1, 10), slow("tap")))
        second = asyncio.create_task(order.process_update(update(2, 10), quick("mytopics")))
        other = asyncio.create_task(order.process_update(update(3, 20), quick("other chat")))
        await other
        for _ in range(5):
            await asyncio.sleep(0)
        # The other chat ran while the first chat's tap was still being handled.
        assert done == ["other chat"]
        release.set()
        await asyncio.gather(first, second)
    assert done == ["other chat", "tap", "mytopics"]
    assert order._locks == {}


async def test_an_update_without_a_chat_runs_at_once() -> None:
    order = PerChatOrder()
    done: list[str] = []

    async def note() -> None:
        done.append("poll answer")

    async with order:
        await order.process_update(Update(1), note())
    assert done == ["poll answer"]
