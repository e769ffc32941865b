"""Subscriptions: a chat subscribes to a topic by name, or toggles one by its button."""

from __future__ import annotations

from bot.adapters.store import Store
from bot.core.models import Topic
from bot.core.outcomes import (
    NoSuchTopic,
    SubscriptionChanged,
)
from bot.operations.topics import find_topic


async def set_subscription(
    store: Store, chat_id: int, name: str, *, on: bool, thread_id: int | None = None
) -> SubscriptionChanged | NoSuchTopic:
    """Subscribe a chat (in a forum thread, if any) to the named topic, or unsubscribe it."""
    found = await find_topic(store, name)
    if isinstance(found, NoSuchTopic):
        return found
    return await _set(store, chat_id, found, on=on, thread_id=thread_id)


async def toggle_subscription(
    store: Store, chat_id: int, topic_id: int, thread_id: int | None = None
) -> SubscriptionChanged | None:
    """Flip a chat's subscription to a topic; None if the topic no longer exists."""
    topic = await store.get_topic_by_id(topic_id)
    if topic is None:
        return None
    subscribed = {t.id for t in await store.subscriptions(chat_id)}
    return await _set(store, chat_id, topic, on=topic.id not in subscribed, thread_id=thread_id)


async def _set(
    store: Store, chat_id: int, topic: Topic, *, on: bool, thread_id: int | None
) -> SubscriptionChanged:
    if on:
        changed = await store.subscribe(chat_id, topic.id, thread_id)
    else:
        changed = await store.unsubscribe(chat_id, topic.id)
    return SubscriptionChanged(topic, on, changed)
