-- digestbot schema 1. Times are ISO-8601 text in UTC with microseconds
-- ("2025-01-31T08:00:00.000000+00:00"): fixed width, so text order is time order.
-- Status and kind columns hold enum.StrEnum values as text. Booleans are 0/1.

-- AUTOINCREMENT on ids that appear in buttons and callback data, so that an id is never
-- reused for another topic, feed or article after a delete.
CREATE TABLE topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    include_keywords TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    exclude_keywords TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    created_at TEXT NOT NULL
);

CREATE TABLE feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    etag TEXT,
    modified TEXT,
    next_poll_at TEXT,
    last_polled_at TEXT,
    last_success_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    problem TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (topic_id, url)
);
-- due_feeds: enabled feeds by next_poll_at (NULLs, never scheduled, sort first).
CREATE INDEX feeds_due ON feeds (next_poll_at) WHERE disabled = 0;
CREATE INDEX feeds_url ON feeds (url);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    entry_key TEXT NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT,
    title TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    fetched_at TEXT NOT NULL,
    -- Cache of the article page, for full-text extraction (filled in later).
    page_status INTEGER,
    page_etag TEXT,
    page_modified TEXT,
    page_fetched_at TEXT,
    page_text TEXT,
    page_error TEXT,
    UNIQUE (feed_id, entry_key)
);
-- latest_digests orders by this expression.
CREATE INDEX articles_recent ON articles (coalesce(published_at, fetched_at));
CREATE INDEX articles_canonical_url ON articles (canonical_url) WHERE canonical_url IS NOT NULL;

CREATE TABLE digests (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    body TEXT NOT NULL,  -- the Digest as JSON
    created_at TEXT NOT NULL
);

-- ON UPDATE CASCADE: when Telegram migrates a group to a supergroup, changing chats.id
-- carries its subscriptions, outbox rows and reading state along.
CREATE TABLE chats (
    id INTEGER PRIMARY KEY,  -- the Telegram chat id
    kind TEXT NOT NULL,  -- private, group, supergroup, channel
    title TEXT NOT NULL DEFAULT '',
    language TEXT,
    timezone TEXT NOT NULL DEFAULT 'UTC',
    mode TEXT NOT NULL DEFAULT 'instant',  -- instant, daily
    daily_time TEXT NOT NULL DEFAULT '08:00',  -- HH:MM in the chat's timezone
    quiet_start TEXT,  -- HH:MM
    quiet_end TEXT,  -- HH:MM
    paused INTEGER NOT NULL DEFAULT 0,
    paused_at TEXT,  -- when pushes were paused: resuming sends one catch-up digest from here
    last_digest_at TEXT,  -- when the last daily digest went out
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE subscriptions (
    chat_id INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    thread_id INTEGER,  -- the forum topic of a supergroup, if any
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX subscriptions_topic ON subscriptions (topic_id, chat_id);

-- The outbox: one row per article due to a chat, drained by the dispatcher.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    thread_id INTEGER,  -- copied from the subscription when the row is written
    -- Rows of one chat sharing a batch key go out as one combined message (a burst of
    -- articles of one topic in one poll).
    batch_key TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at TEXT NOT NULL,
    claimed_at TEXT,
    claimed_by TEXT,
    sent_at TEXT,
    message_id INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (chat_id, article_id)
);
CREATE INDEX deliveries_due ON deliveries (status, due_at);
-- Deleting an article (or its feed or topic) cascades here.
CREATE INDEX deliveries_article ON deliveries (article_id);

CREATE TABLE reading_state (
    chat_id INTEGER PRIMARY KEY REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    page INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX reading_state_article ON reading_state (article_id);

-- What each chat has had: pushed to it or opened. "Next" moves on to an article not here.
CREATE TABLE reads (
    chat_id INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    read_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, article_id)
) WITHOUT ROWID;
CREATE INDEX reads_article ON reads (article_id);
