"""Topic operations for chat and CLI alike: find, add, rename, remove, filter."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from bot.adapters.store import DuplicateError, Store
from bot.core.models import Topic
from bot.core.outcomes import (
    BadName,
    BadSlug,
    NoSuchTopic,
    TopicAdded,
    TopicExists,
    TopicRemoved,
    TopicRenamed,
)
from bot.core.topics import MAX_NAME_CHARS, closest_slug, is_valid_slug


def normalize_slug(slug: str) -> str:
    """Slugs are lower case, whoever types them: chat and CLI apply the same rule."""
    return slug.strip().lower()


def name_problem(name: str) -> BadName | None:
    """Why a topic name cannot be used, or None."""
    return BadName() if not name.strip() or len(name) > MAX_NAME_CHARS else None


def name_key(text: str) -> str:
    """How a typed topic name is compared: any case, full- or half-width, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


async def find_topic(store: Store, name: str) -> Topic | NoSuchTopic:
    """The topic with this slug or name (any case or width), or what the caller needs to say
    there is none: the slug of the closest slug or name, if any is close."""
    topic = await store.get_topic(normalize_slug(name))
    if topic is not None:
        return topic
    every = await store.list_topics()
    key = name_key(name)
    by_key = {name_key(t.slug): t for t in every} | {name_key(t.name): t for t in every}
    if key in by_key:
        return by_key[key]
    guess = closest_slug(key, by_key)
    return NoSuchTopic(name, by_key[guess].slug if guess else None, bool(every))


async def add_topic(
    store: Store, slug: str, name: str
) -> TopicAdded | TopicExists | BadSlug | BadName:
    """Add a topic: the slug lower-cased and checked, the name 1 to MAX_NAME_CHARS."""
    slug, name = normalize_slug(slug), name.strip()
    if not is_valid_slug(slug):
        return BadSlug(slug)
    if problem := name_problem(name):
        return problem
    try:
        return TopicAdded(await store.add_topic(slug, name))
    except DuplicateError:
        return TopicExists(slug)


async def rename_topic(store: Store, slug: str, name: str) -> TopicRenamed | NoSuchTopic | BadName:
    """Give a topic a new display name; its subscriptions stay."""
    found = await find_topic(store, slug)
    if isinstance(found, NoSuchTopic):
        return found
    name = name.strip()
    if problem := name_problem(name):
        return problem
    await store.rename_topic(found.slug, name)
    return TopicRenamed(found, replace(found, name=name))


async def remove_topic(store: Store, topic: Topic) -> TopicRemoved | NoSuchTopic:
    """Remove a topic with its feeds and subscriptions; NoSuchTopic if it is already gone."""
    chat_ids = tuple(await store.subscribers(topic.id))
    if not await store.remove_topic(topic.slug):
        return NoSuchTopic(topic.slug, None, bool(await store.list_topics()))
    return TopicRemoved(topic, chat_ids)


async def set_filters(
    store: Store, topic: Topic, include: Sequence[str], exclude: Sequence[str]
) -> Topic:
    """Replace a topic's keyword filters; the topic as it is now."""
    await store.set_filters(topic.slug, include, exclude)
    return replace(topic, include=tuple(include), exclude=tuple(exclude))
