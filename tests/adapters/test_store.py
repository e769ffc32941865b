from __future__ import annotations

import asyncio
import sqlite3
import zipfile
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.store import (
    ChatKind,
    DeliveryMode,
    DuplicateError,
    NewArticle,
    NotFoundError,
    Store,
)
from bot.adapters.store.migrations import (
    MIGRATION_NAME,
    Migration,
    load_migrations,
    open_database,
    split_statements,
)
from bot.adapters.store.rows import digest_from_json, digest_to_json
from bot.core.models import DeliveryStatus, Digest, Entry, LinkPreview, Page, Source
from bot.errors import SchemaTooNewError, StoreError

T0 = datetime(2025, 1, 31, 8, 0, tzinfo=UTC)
TABLES = {
    "topics",
    "feeds",
    "articles",
    "digests",
    "chats",
    "subscriptions",
    "deliveries",
    "reading_state",
}


def query(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Read the file through a second, plain sqlite3 connection."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql, params).fetchall()


def count(path: Path, table: str) -> int:
    [(rows,)] = query(path, f"SELECT count(*) FROM {table}")
    assert isinstance(rows, int)
    return rows


def entry(key: str, published: datetime | None = None) -> Entry:
    return Entry(key, f"Title {key}", f"https://example.com/{key}", "<p>text</p>", published, "en")


def digest(title: str, published: datetime | None = None) -> Digest:
    return Digest(
        title=title,
        url=f"https://example.com/{title}",
        source_name="Example",
        published=published,
        lang="en",
        lede="Lede.",
        key_points=("one", "two", "three"),
        pages=(Page("Heading", ("a", "b")),),
        sources=(Source("Origin", "https://origin.example/"),),
    )


def new(key: str, *, with_digest: bool = True, published: datetime | None = None) -> NewArticle:
    return NewArticle(entry(key, published), digest(key, published) if with_digest else None)


async def save(
    store: Store,
    feed_id: int,
    articles: list[NewArticle],
    *,
    polled_at: datetime = T0,
    title: str = "Example feed",
    problem: str | None = None,
    push: bool = True,
) -> list[int]:
    return await store.save_poll(
        feed_id,
        articles,
        polled_at=polled_at,
        next_poll_at=polled_at + timedelta(minutes=10),
        etag='"v1"',
        modified="Fri, 31 Jan 2025 08:00:00 GMT",
        title=title,
        problem=problem,
        push=push,
    )


# Migrations and connection


async def test_open_creates_directory_schema_and_pragmas(db_path: Path) -> None:
    store = await Store.open(db_path)
    await store.close()
    tables = {row[0] for row in query(db_path, "SELECT name FROM sqlite_master")}
    assert tables >= TABLES
    assert store.schema_version == len(load_migrations())
    assert query(db_path, "PRAGMA user_version") == [(store.schema_version,)]
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]


async def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await store.add_feed(999, "https://example.com/feed")


async def test_reopening_is_a_no_op(db_path: Path) -> None:
    async with await Store.open(db_path) as store:
        await store.add_topic("tech", "Tech")
    async with await Store.open(db_path) as store:
        assert store.schema_version == len(load_migrations())
        assert [t.slug for t in await store.list_topics()] == ["tech"]


async def test_open_from_another_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with await Store.open("nested/dir/bot.sqlite3") as store:
        assert store.schema_version >= 1
    assert (tmp_path / "nested" / "dir" / "bot.sqlite3").is_file()


async def test_newer_schema_is_refused_untouched(db_path: Path) -> None:
    db_path.parent.mkdir()
    newer = len(load_migrations()) + 1
    with closing(sqlite3.connect(db_path)) as db:
        db.execute(f"PRAGMA user_version = {newer}")
    with pytest.raises(SchemaTooNewError) as caught:
        await Store.open(db_path)
    message = str(caught.value)
    assert message == (
        f"the database {db_path} was written by a newer digestbot (schema {newer}, this "
        f"version knows {newer - 1}); upgrade digestbot or use another DIGESTBOT_DATABASE"
    )
    assert "\n" not in message
    assert query(db_path, "PRAGMA journal_mode") == [("delete",)]


def test_migration_files_are_numbered_contiguously() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert all(MIGRATION_NAME.fullmatch(m.name) for m in migrations)
    assert migrations[0].name == "0001_init.sql"


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        (["0001_init.sql", "0003_more.sql"], "without gaps"),
        (["0002_init.sql"], "without gaps"),
        (["0001_init.sql", "2_more.sql"], "not named like"),
    ],
    ids=["gap", "no-first", "misnamed"],
)
def test_bad_migration_directories_are_refused(
    tmp_path: Path, names: list[str], problem: str
) -> None:
    for name in names:
        (tmp_path / name).write_text("CREATE TABLE t (x);")
    with pytest.raises(StoreError, match=problem):
        load_migrations(tmp_path)


def test_migrations_load_from_a_zip(tmp_path: Path) -> None:
    # What importlib.resources hands back when the package is zipped.
    archive = tmp_path / "bot.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("sql/0001_init.sql", "CREATE TABLE t (x);")
        zipped.writestr("sql/0002_more.sql", "CREATE TABLE u (x);")
    with zipfile.ZipFile(archive) as zipped:
        migrations = load_migrations(zipfile.Path(zipped, "sql/"))
    assert [m.version for m in migrations] == [1, 2]


async def test_a_failed_migration_leaves_the_previous_version(db_path: Path) -> None:
    first = load_migrations()[:1]
    broken = Migration(
        2, "0002_broken.sql", "CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);"
    )
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        await open_database(db_path, [*first, broken])
    assert query(db_path, "PRAGMA user_version") == [(1,)]
    assert query(db_path, "SELECT name FROM sqlite_master WHERE name = 'extra'") == []

    fixed = Migration(2, "0002_fixed.sql", "CREATE TABLE extra (x);")
    db, version = await open_database(db_path, [*first, fixed])
    await db.close()
    assert version == 2
    assert query(db_path, "SELECT count(*) FROM extra") == [(0,)]


async def test_a_migration_may_rebuild_a_parent_table_but_not_orphan_rows(db_path: Path) -> None:
    # A database at schema 1, whatever later migrations the package has.
    first = load_migrations()[:1]
    db, version = await open_database(db_path, first)
    await db.execute(
        "INSERT INTO topics (slug, name, created_at) VALUES ('tech', 'Tech', '2026-01-01')"
    )
    await db.execute(
        "INSERT INTO feeds (topic_id, url, created_at) "
        "VALUES (1, 'https://example.com/feed', '2026-01-01')"
    )
    await db.close()
    assert version == 1
    # SQLite's way to alter a table: with foreign keys on, DROP would cascade to feeds.
    rebuild = Migration(
        2,
        "0002_rebuild.sql",
        """
        CREATE TABLE topics_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            slug TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            include_keywords TEXT NOT NULL DEFAULT '[]',
            exclude_keywords TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        );
        INSERT INTO topics_new SELECT * FROM topics;
        DROP TABLE topics;
        ALTER TABLE topics_new RENAME TO topics;
        """,
    )
    db, version = await open_database(db_path, [*first, rebuild])
    await db.close()
    assert version == 2
    assert count(db_path, "feeds") == 1

    orphaning = Migration(3, "0003_orphans.sql", "DELETE FROM topics;")
    with pytest.raises(StoreError, match=r"0003_orphans\.sql breaks a foreign key in table feeds"):
        await open_database(db_path, [*first, rebuild, orphaning])
    assert query(db_path, "PRAGMA user_version") == [(2,)]
    assert count(db_path, "topics") == 1


def test_split_statements_keeps_triggers_strings_and_comments_whole() -> None:
    script = """
        -- a comment; with a semicolon
        CREATE TABLE t (x TEXT DEFAULT 'a;b');
        CREATE TRIGGER tr AFTER INSERT ON t BEGIN
            UPDATE t SET x = 'y;'; DELETE FROM t WHERE 0;
        END;
        /* trailing */ INSERT INTO t VALUES (';')
        -- the end
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[0].endswith("DEFAULT 'a;b');")
    assert statements[1].startswith("CREATE TRIGGER")
    assert statements[1].endswith("END;")
    assert "INSERT INTO t VALUES (';')" in statements[2]


# Topics and feeds


async def test_topics(store: Store) -> None:
    tech = await store.add_topic("tech", "Tech", "Gadgets")
    await store.add_topic("art", "Art")
    with pytest.raises(DuplicateError):
        await store.add_topic("tech", "Other")
    assert await store.get_topic("tech") == tech
    assert await store.get_topic_by_id(tech.id) == tech
    assert await store.get_topic("nope") is None
    assert [t.slug for t in await store.list_topics()] == ["art", "tech"]

    assert await store.rename_topic("tech", "Technology")
    assert not await store.rename_topic("nope", "x")
    assert await store.describe_topic("tech", "Everything")
    assert await store.set_filters("tech", ["AI", "チップ"], ["ad"])
    assert not await store.set_filters("nope", [], [])
    topic = await store.get_topic("tech")
    assert topic is not None
    assert (topic.name, topic.description) == ("Technology", "Everything")
    assert (topic.include, topic.exclude) == (("AI", "チップ"), ("ad",))

    assert await store.remove_topic("art")
    assert not await store.remove_topic("art")
    assert await store.list_topics() == [topic]


async def test_a_topic_keeps_its_link_preview_and_its_articles_follow_it(
    store: Store, db_path: Path
) -> None:
    tech = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(tech.id, "https://example.com/feed.xml")
    [article_id] = await save(store, feed.id, [new("a")])
    assert tech.link_preview is None
    assert await store.article_link_preview(article_id) is None

    assert await store.set_link_preview(tech.id, LinkPreview.OFF)
    assert await store.get_topic("tech") == replace(tech, link_preview=LinkPreview.OFF)
    assert await store.article_link_preview(article_id) is LinkPreview.OFF
    assert await store.set_link_preview(tech.id, None)
    assert await store.article_link_preview(article_id) is None
    assert not await store.set_link_preview(tech.id + 1, LinkPreview.IMAGE)
    assert await store.article_link_preview(article_id + 1) is None
    with closing(sqlite3.connect(db_path)) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE topics SET link_preview = 'photo'")


async def test_feeds(store: Store) -> None:
    tech = await store.add_topic("tech", "Tech")
    news = await store.add_topic("news", "News")
    url = "https://example.com/feed.xml"
    a = await store.add_feed(tech.id, url, "Example")
    with pytest.raises(DuplicateError):
        await store.add_feed(tech.id, url)
    b = await store.add_feed(news.id, url)
    c = await store.add_feed(news.id, "https://other.example/rss")

    assert await store.get_feed(a.id) == a
    assert a.never_polled
    assert a.title == "Example"
    assert await store.find_feeds(url) == [a, b]
    assert await store.list_feeds(news.id) == [b, c]
    assert await store.list_feeds() == [a, b, c]
    assert await store.remove_feed(b.id)
    assert not await store.remove_feed(b.id)
    assert await store.get_feed(b.id) is None


async def test_removing_a_topic_cascades(store: Store, db_path: Path) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    await store.upsert_chat(1, kind=ChatKind.PRIVATE)
    await store.subscribe(1, topic.id)
    [article_id] = await save(store, feed.id, [new("a")])
    await store.set_reading(1, article_id)
    for table in ("feeds", "articles", "digests", "subscriptions", "deliveries", "reading_state"):
        assert count(db_path, table) == 1, table

    assert await store.remove_topic("tech")
    for table in ("feeds", "articles", "digests", "subscriptions", "deliveries", "reading_state"):
        assert count(db_path, table) == 0, table
    assert await store.get_chat(1) is not None


async def test_due_feeds_oldest_first_without_disabled(store: Store) -> None:
    topic = await store.add_topic("tech", "Tech")
    feeds = [await store.add_feed(topic.id, f"https://example.com/{n}") for n in range(5)]
    never, late, later, future, disabled = feeds
    schedule = {late: -2, later: -1, future: 1, disabled: -3}
    for feed, hours in schedule.items():
        await store.record_not_modified(
            feed.id, polled_at=T0 - timedelta(days=1), next_poll_at=T0 + timedelta(hours=hours)
        )
    await store.record_failure(
        disabled.id, error="gone", polled_at=T0, next_poll_at=T0, disable_reason="HTTP 410"
    )

    due = [f.id for f in await store.due_feeds(T0)]
    assert due == [never.id, late.id, later.id]
    assert [f.id for f in await store.due_feeds(T0, limit=2)] == [never.id, late.id]
    # Times compare as instants, whatever the offset they are given in.
    tokyo = timezone(timedelta(hours=9))
    assert len(await store.due_feeds(T0.astimezone(tokyo))) == 3
    with pytest.raises(ValueError, match="naive"):
        await store.due_feeds(datetime(2025, 1, 1))  # noqa: DTZ001


async def test_record_failure_and_not_modified(store: Store) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    later = T0 + timedelta(hours=1)

    failed = await store.record_failure(feed.id, error="timeout", polled_at=T0, next_poll_at=later)
    assert (failed.failures, failed.last_error, failed.disabled) == (1, "timeout", False)
    assert (failed.last_polled_at, failed.next_poll_at) == (T0, later)
    assert failed.last_success_at is None
    failed = await store.record_failure(feed.id, error="dns", polled_at=later, next_poll_at=later)
    assert (failed.failures, failed.last_error) == (2, "dns")

    await store.record_not_modified(feed.id, polled_at=later, next_poll_at=later + (later - T0))
    ok = await store.get_feed(feed.id)
    assert ok is not None
    assert (ok.failures, ok.last_error, ok.last_success_at) == (0, None, later)
    assert ok.next_poll_at == later + timedelta(hours=1)
    assert ok.next_poll_at.tzinfo is not None

    disabled = await store.record_failure(
        feed.id, error="404", polled_at=T0, next_poll_at=T0, disable_reason="not found"
    )
    assert disabled.disabled
    assert disabled.failures == 1
    assert await store.due_feeds(T0 + timedelta(days=1)) == []


async def test_a_removed_feed_is_not_found(store: Store) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    await store.remove_feed(feed.id)
    with pytest.raises(NotFoundError):
        await store.record_failure(feed.id, error="x", polled_at=T0, next_poll_at=T0)
    with pytest.raises(NotFoundError):
        await store.record_not_modified(feed.id, polled_at=T0, next_poll_at=T0)
    with pytest.raises(NotFoundError):
        await save(store, feed.id, [new("a")])


# Articles, digests and the outbox


async def test_known_keys(store: Store) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    other = await store.add_feed(topic.id, "https://other.example/feed")
    await save(store, feed.id, [new(f"k{n}") for n in range(0, 1200, 3)], push=False)
    await save(store, other.id, [new("k1")], push=False)

    keys = [f"k{n}" for n in range(1200)]
    assert await store.known_keys(feed.id, keys) == {f"k{n}" for n in range(0, 1200, 3)}
    assert await store.known_keys(other.id, keys) == {"k1"}
    assert await store.known_keys(feed.id, []) == set()


async def subscribed_chats(store: Store, topic_id: int, other_topic_id: int) -> None:
    """Chat 1 should get pushes; 2 to 6 should not."""
    for chat_id in range(1, 7):
        await store.upsert_chat(chat_id, kind=ChatKind.SUPERGROUP, title=f"chat {chat_id}")
    await store.subscribe(1, topic_id, thread_id=7)
    for chat_id in (2, 3, 4):
        await store.subscribe(chat_id, topic_id)
    await store.set_paused(2, True)
    await store.set_delivery_mode(3, DeliveryMode.DAILY)
    await store.set_chat_active(4, False)
    await store.subscribe(6, other_topic_id)  # chat 5 subscribes to nothing


async def test_save_poll_stores_articles_digests_and_fans_out(store: Store, db_path: Path) -> None:
    topic = await store.add_topic("tech", "Tech")
    other = await store.add_topic("art", "Art")
    feed = await store.add_feed(topic.id, "https://example.com/feed", "Old title")
    await subscribed_chats(store, topic.id, other.id)

    batch = [new("a", published=T0), new("b", with_digest=False), new("c"), new("a")]
    ids = await save(store, feed.id, batch, problem="bozo: not well-formed")
    assert len(ids) == 3
    a, b, c = ids
    assert await store.get_digest(a) == digest("a", T0)
    assert await store.get_digest(b) is None

    rows = query(db_path, "SELECT chat_id, article_id, thread_id, status, due_at FROM deliveries")
    due = T0.isoformat(timespec="microseconds")
    assert sorted(rows) == [(1, a, 7, "pending", due), (1, c, 7, "pending", due)]
    pending = await store.pending_deliveries(10)
    assert [(d.chat_id, d.article_id, d.status, d.due_at) for d in pending] == [
        (1, a, DeliveryStatus.PENDING, T0),
        (1, c, DeliveryStatus.PENDING, T0),
    ]

    saved = await store.get_feed(feed.id)
    assert saved is not None
    assert (saved.etag, saved.modified, saved.title) == (
        '"v1"',
        "Fri, 31 Jan 2025 08:00:00 GMT",
        "Example feed",
    )
    assert (saved.problem, saved.failures, saved.last_error) == ("bozo: not well-formed", 0, None)
    assert (saved.last_polled_at, saved.last_success_at) == (T0, T0)
    assert saved.next_poll_at == T0 + timedelta(minutes=10)

    # The next poll: a and c are old news, d is new; an empty title keeps the old one.
    later = T0 + timedelta(minutes=10)
    ids = await save(store, feed.id, [new("a"), new("c"), new("d")], polled_at=later, title="")
    assert len(ids) == 1
    assert count(db_path, "deliveries") == 3
    refreshed = await store.get_feed(feed.id)
    assert refreshed is not None
    assert (refreshed.title, refreshed.problem) == ("Example feed", None)


async def test_save_poll_without_push_writes_no_outbox_rows(store: Store, db_path: Path) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    await subscribed_chats(store, topic.id, topic.id)
    ids = await save(store, feed.id, [new("a"), new("b")], push=False)
    assert len(ids) == 2
    assert count(db_path, "digests") == 2
    assert count(db_path, "deliveries") == 0


async def test_save_poll_is_all_or_nothing(store: Store, db_path: Path) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    await store.upsert_chat(1, kind=ChatKind.PRIVATE)
    await store.subscribe(1, topic.id)
    # The fan-out is the poll's last statement; make it fail.
    with closing(sqlite3.connect(db_path)) as db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON deliveries "
            "BEGIN SELECT RAISE(ABORT, 'outbox refused'); END"
        )
        db.commit()
    with pytest.raises(sqlite3.IntegrityError, match="outbox refused"):
        await save(store, feed.id, [new("a"), new("b")])
    for table in ("articles", "digests", "deliveries"):
        assert count(db_path, table) == 0, table
    assert await store.get_feed(feed.id) == feed

    # A bad value anywhere in the batch stores nothing either.
    naive = NewArticle(entry("c", datetime(2025, 1, 1)), None)  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        await save(store, feed.id, [new("a"), naive])
    assert count(db_path, "articles") == 0

    with closing(sqlite3.connect(db_path)) as db:
        db.execute("DROP TRIGGER refuse")
        db.commit()
    assert len(await save(store, feed.id, [new("a"), new("b")])) == 2
    assert count(db_path, "deliveries") == 2


async def test_concurrent_polls_store_each_key_once(store: Store, db_path: Path) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    batches = [[new(f"k{n}") for n in range(start, start + 20)] for start in (0, 10, 5)]
    results = await asyncio.gather(*(save(store, feed.id, batch) for batch in batches))
    inserted = [article_id for ids in results for article_id in ids]
    assert len(inserted) == len(set(inserted)) == 30
    assert count(db_path, "articles") == 30


texts = st.text(st.characters(exclude_categories=()))
# Real UTC offsets are whole minutes (feedparser hands us UTC anyway).
offsets = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
digests = st.builds(
    Digest,
    title=texts,
    url=texts,
    source_name=texts,
    published=st.none() | st.datetimes(timezones=st.none() | offsets),
    lang=texts,
    lede=texts,
    key_points=st.lists(texts, max_size=4).map(tuple),
    pages=st.lists(st.builds(Page, texts, st.lists(texts).map(tuple)), max_size=3).map(tuple),
    sources=st.lists(st.builds(Source, texts, texts), max_size=3).map(tuple),
    next_url=st.none() | texts,
    next_title=st.none() | texts,
)


@given(digests)
def test_digest_json_round_trips(value: Digest) -> None:
    text = digest_to_json(value)
    text.encode("utf-8")  # storable as SQLite text, lone surrogates included
    back = digest_from_json(text)
    assert back == value
    if value.published is not None:
        assert back.published is not None
        assert back.published.utcoffset() == value.published.utcoffset()


async def test_digest_with_odd_text_round_trips_through_the_database(store: Store) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    odd = Digest(
        title="「速報」\x00<b>&amp;</b> \ud800 🎉",
        url="https://例え.jp/記事?q=1&r=2",
        source_name="",
        published=datetime(2025, 1, 31, 17, 0, tzinfo=timezone(timedelta(hours=9))),
        lang="ja",
        lede="一文目。二文目！",
        key_points=("💡", "", "\n"),
        pages=(Page("", ()),),
        next_url="https://example.com/2",
        next_title="次のページ",
    )
    [article_id] = await save(store, feed.id, [NewArticle(entry("a"), odd)])
    assert await store.get_digest(article_id) == odd


async def test_latest_digests_newest_first(store: Store) -> None:
    tech = await store.add_topic("tech", "Tech")
    art = await store.add_topic("art", "Art")
    tech_feed = await store.add_feed(tech.id, "https://example.com/tech")
    art_feed = await store.add_feed(art.id, "https://example.com/art")
    hour = timedelta(hours=1)
    old, new_, undated, no_digest = await save(
        store,
        tech_feed.id,
        [
            new("old", published=T0 - 3 * hour),
            new("new", published=T0 + hour),
            new("undated"),  # falls back to its fetch time, T0
            new("no-digest", with_digest=False, published=T0 + 2 * hour),
        ],
    )
    [painting] = await save(store, art_feed.id, [new("painting", published=T0 - hour)])

    latest = await store.latest_digests()
    assert [article_id for article_id, _ in latest] == [new_, undated, painting, old]
    assert latest[0][1] == digest("new", T0 + hour)
    tech_latest = await store.latest_digests(tech.id, limit=2)
    assert [article_id for article_id, _ in tech_latest] == [new_, undated]
    assert no_digest not in [article_id for article_id, _ in latest]


async def test_count_deliveries_includes_every_status(store: Store) -> None:
    assert await store.count_deliveries() == dict.fromkeys(DeliveryStatus, 0)
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    await store.upsert_chat(1, kind=ChatKind.PRIVATE)
    await store.subscribe(1, topic.id)
    await save(store, feed.id, [new("a"), new("b")], polled_at=T0)
    counts = await store.count_deliveries()
    assert counts[DeliveryStatus.PENDING] == 2
    assert counts[DeliveryStatus.SENT] == 0
    assert await store.pending_deliveries(1) == (await store.pending_deliveries(5))[:1]
    assert await store.pending_deliveries(5, now=T0 - timedelta(seconds=1)) == []


# Chats, subscriptions and reading state


async def test_chats_and_settings(store: Store) -> None:
    assert await store.get_chat(42) is None
    await store.upsert_chat(42, kind=ChatKind.PRIVATE, title="Ann", language="ja")
    await store.upsert_chat(42, kind=ChatKind.PRIVATE, title="Ann B", language="en")
    chat = await store.get_chat(42)
    assert chat is not None
    assert (chat.kind, chat.title, chat.language) == (ChatKind.PRIVATE, "Ann B", "ja")
    assert (chat.mode, chat.timezone, chat.paused, chat.active) == (
        DeliveryMode.INSTANT,
        "UTC",
        False,
        True,
    )

    assert await store.set_chat_language(42, "en")
    assert await store.set_chat_timezone(42, "Asia/Tokyo")
    assert await store.set_delivery_mode(42, DeliveryMode.DAILY, time(7, 30))
    assert await store.set_quiet_hours(42, time(22, 0), time(6, 0))
    assert await store.set_paused(42, True)
    assert await store.set_chat_active(42, False)
    chat = await store.get_chat(42)
    assert chat is not None
    assert (chat.language, chat.timezone, chat.mode, chat.daily_time) == (
        "en",
        "Asia/Tokyo",
        DeliveryMode.DAILY,
        time(7, 30),
    )
    assert (chat.quiet_start, chat.quiet_end, chat.paused, chat.active) == (
        time(22, 0),
        time(6, 0),
        True,
        False,
    )
    # Switching back keeps the daily time; clearing quiet hours clears both ends.
    assert await store.set_delivery_mode(42, DeliveryMode.INSTANT)
    assert await store.set_quiet_hours(42, None, None)
    chat = await store.get_chat(42)
    assert chat is not None
    assert (chat.mode, chat.daily_time, chat.quiet_start) == (
        DeliveryMode.INSTANT,
        time(7, 30),
        None,
    )
    assert not await store.set_paused(7, True)
    with pytest.raises(ValueError, match="quiet hours"):
        await store.set_quiet_hours(42, time(22, 0), None)


async def test_subscriptions(store: Store) -> None:
    tech = await store.add_topic("tech", "Tech")
    art = await store.add_topic("art", "Art")
    await store.upsert_chat(1, kind=ChatKind.PRIVATE)
    await store.upsert_chat(-100, kind=ChatKind.SUPERGROUP, title="Forum")
    await store.upsert_chat(3, kind=ChatKind.PRIVATE)

    assert await store.subscribe(1, tech.id)
    assert not await store.subscribe(1, tech.id)
    assert await store.subscribe(1, art.id)
    assert await store.subscribe(-100, tech.id, thread_id=12)
    assert await store.subscribe(3, tech.id)
    await store.set_chat_active(3, False)

    assert await store.subscriptions(1) == [art, tech]
    assert await store.subscribers(tech.id) == [-100, 1]
    assert await store.subscriber_counts() == {tech.id: 2, art.id: 1}

    assert await store.unsubscribe(1, tech.id)
    assert not await store.unsubscribe(1, tech.id)
    assert await store.subscriptions(1) == [art]
    empty = await store.add_topic("empty", "Empty")
    assert (await store.subscriber_counts())[empty.id] == 0
    with pytest.raises(sqlite3.IntegrityError):
        await store.subscribe(999, tech.id)  # chats are recorded before they subscribe


async def test_reading_state(store: Store) -> None:
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    first, second = await save(store, feed.id, [new("a"), new("b")], push=False)
    await store.upsert_chat(1, kind=ChatKind.PRIVATE)

    assert await store.get_reading(1) is None
    await store.set_reading(1, first)
    assert await store.get_reading(1) == (first, 0)
    await store.set_reading(1, second, page=2)
    assert await store.get_reading(1) == (second, 2)
