"""One chat's updates in the order they came, different chats' in parallel.

PTB's concurrent update processing runs every update as soon as a slot is free, so a reader's
/mytopics could overtake the subscribe tap before it. Here each chat has a lock, taken in the
order the chat's updates arrive (asyncio locks serve waiters first come, first served).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES: Final = 256  # PTB's default for concurrent_updates(True)


class PerChatOrder(BaseUpdateProcessor):
    """Serializes updates per chat; updates without a chat run at once."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # updates holding or waiting for each chat's lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once the same chat's earlier updates are done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # the last one forgets the chat: no lock per chat ever
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
