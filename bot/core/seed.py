"""A TOML file of topics and feeds to start from, read and checked before anything is stored.

    [topics.tech]
    name = "Tech"
    feeds = ["https://example.com/feed.xml"]
    include = ["rust"]        # optional keyword filters, as /filter sets them
    exclude = ["sponsored"]

Every mistake is one line naming the key, so that the operator can fix the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any, Final

from bot.core.filters import FilterArgsError, parse_filter_args
from bot.core.opml import MAX_URL_CHARS, is_http_url
from bot.core.topics import MAX_NAME_CHARS, is_valid_slug

MAX_SEED_TOPICS: Final = 200
MAX_SEED_FEEDS: Final = 2000  # in the whole file
KEYS: Final = frozenset({"name", "feeds", "include", "exclude"})


class SeedError(ValueError):
    """The seed file is not one digestbot can use; the message names the key."""


@dataclass(frozen=True)
class SeedTopic:
    """One topic of the seed file, with its feeds and filters."""

    slug: str
    name: str
    feeds: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def parse_seed(text: str) -> list[SeedTopic]:
    """The topics of a seed file, in the file's order; raises SeedError naming the bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SeedError(f"not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"topics"})
    if unknown:
        raise SeedError(f"unknown key '{unknown[0]}': the file has one table, [topics.<slug>]")
    topics = data.get("topics", {})
    if not isinstance(topics, dict):
        raise SeedError("'topics' must be tables: [topics.<slug>]")
    if len(topics) > MAX_SEED_TOPICS:
        raise SeedError(f"more than {MAX_SEED_TOPICS} topics")
    seeds = [_topic(slug, table) for slug, table in topics.items()]
    if sum(len(seed.feeds) for seed in seeds) > MAX_SEED_FEEDS:
        raise SeedError(f"more than {MAX_SEED_FEEDS} feeds")
    return seeds


def _topic(slug: str, table: Any) -> SeedTopic:
    where = f"topics.{slug}"
    if not is_valid_slug(slug):
        raise SeedError(f"'{where}': a slug is a-z, 0-9, - and _ (at most 32 characters)")
    if not isinstance(table, dict):
        raise SeedError(f"'{where}' must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise SeedError(f"'{where}.{unknown[0]}' is not a key: use {', '.join(sorted(KEYS))}")
    name = table.get("name", slug)
    if not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_NAME_CHARS:
        raise SeedError(f"'{where}.name' must be text of 1 to {MAX_NAME_CHARS} characters")
    feeds = _strings(table.get("feeds", []), f"{where}.feeds")
    for url in feeds:
        if len(url) > MAX_URL_CHARS or not is_http_url(url):
            raise SeedError(f"'{where}.feeds': {url[:80]!r} is not an http(s) URL")
    include = _keywords(table.get("include", []), f"{where}.include")
    exclude = _keywords(table.get("exclude", []), f"{where}.exclude")
    try:
        words = parse_filter_args([*(f"+{w}" for w in include), *(f"-{w}" for w in exclude)])
    except FilterArgsError as error:
        raise SeedError(f"'{where}' filters: {error}") from None
    return SeedTopic(slug, name.strip(), tuple(dict.fromkeys(feeds)), *words)


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SeedError(f"'{where}' must be a list of strings")
    return [item.strip() for item in value if item.strip()]


def _keywords(value: Any, where: str) -> list[str]:
    words = _strings(value, where)
    for word in words:
        if word.startswith(("+", "-")):
            raise SeedError(f"'{where}': write {word[1:]!r}, not {word!r}: the list says which")
    return words
