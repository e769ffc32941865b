"""A seed file into the store: at a new database's start, or by `apply_seed` at any time."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.store import Store
from bot.core.seed import SeedTopic
from bot.errors import ConfigError
from bot.operations.seeding import apply_seed, read_seed, seed_new_database
from tests.conftest import RunningBot

SEED = """
[topics.tech]
name = "Technology"
feeds = ["https://example.com/a.xml", "https://example.com/b.xml"]
include = ["rust"]
exclude = ["sponsored"]

[topics.ja]
name = "日本語ニュース"
feeds = ["https://gihyo.jp/feed/rss2"]
"""


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "topics.toml"
    path.write_text(SEED, encoding="utf-8")
    return path


@pytest.fixture
def bot_settings(seed_file: Path) -> dict[str, object]:
    return {"seed_file": seed_file}


async def test_the_bot_starts_a_new_database_from_the_seed_file(running_bot: RunningBot) -> None:
    store = running_bot.store
    topics = {t.slug: t for t in await store.list_topics()}
    assert {slug: t.name for slug, t in topics.items()} == {
        "tech": "Technology",
        "ja": "日本語ニュース",
    }
    assert (topics["tech"].include, topics["tech"].exclude) == (("rust",), ("sponsored",))
    feeds = await store.list_feeds(topics["tech"].id)
    assert [f.url for f in feeds] == ["https://example.com/a.xml", "https://example.com/b.xml"]
    assert all(f.never_polled for f in feeds)
    # /topics shows them to readers.
    reply = await running_bot.command(2002, "/topics")
    assert "Technology" in str(reply.params)


async def test_only_a_new_database_is_seeded(tmp_path: Path, seed_file: Path) -> None:
    path = tmp_path / "new" / "db.sqlite3"
    async with await Store.open(path) as store:
        seeded = await seed_new_database(store, seed_file)
        assert seeded is not None
        assert (seeded.topics, len(seeded.feeds)) == (["tech", "ja"], 3)
        await store.remove_topic("ja")
        await store.remove_topic("tech")

    async with await Store.open(path) as store:
        # Every topic removed by an admin: none comes back at the next start.
        assert await seed_new_database(store, seed_file) is None
        assert await store.list_topics() == []


async def test_a_seed_file_may_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SEED.encode())
    assert [seed.slug for seed in await read_seed(path)] == ["tech", "ja"]


async def test_apply_seed_adds_only_what_is_missing(store: Store) -> None:
    topic = await store.add_topic("tech", "Tech, renamed by an admin")
    await store.add_feed(topic.id, "https://example.com/a.xml")
    seeds = [SeedTopic("tech", "Technology", ("https://example.com/a.xml", "https://x.org/c"))]

    seeded = await apply_seed(store, seeds)
    again = await apply_seed(store, seeds)

    assert (seeded.topics, seeded.feeds, seeded.present) == ([], ["https://x.org/c"], 1)
    assert (again.topics, again.feeds, again.present) == ([], [], 2)
    renamed = await store.get_topic("tech")
    assert renamed is not None
    assert renamed.name == "Tech, renamed by an admin"


async def test_an_unusable_seed_file_is_one_line_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[topics.tech]\nfeeds = ['ftp://x/']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"seed file .*broken.toml: 'topics.tech.feeds'"):
        await read_seed(broken)
    with pytest.raises(ConfigError, match="cannot read the seed file"):
        await read_seed(tmp_path / "missing.toml")
