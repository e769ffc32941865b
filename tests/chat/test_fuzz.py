"""5,000 seeded random updates through the fake Bot API: nothing reaches the error handler.

Random text, commands (the real names too) with random arguments, button presses with offered
and forged callback data (on live and on inaccessible messages), documents, edits, group and
channel posts, membership changes and update types the bot does not know. Updates go in
batches, each fully handled before the next is drawn, so a seed replays the same updates.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.commands import ADMIN_COMMANDS, SUBSCRIBER_COMMANDS
from tests.conftest import ADMIN, USER, RunningBot
from tests.fakes.botapi import BotApiServer
from tests.fakes.feedserver import FeedServer

# FUZZ_SEED=n replays another sequence; a failure names the seed it ran with.
SEED = int(os.environ.get("FUZZ_SEED", "20260501"))
UPDATES = 5000
BATCH = 100
RECENT = 20  # buttons are pressed on the bot's last few messages in a chat
GROUP = -1002000
CHANNEL = -1003000
OTHERS = (3003, 3004, 3005)
USERS = (USER, ADMIN, *OTHERS)
LANGUAGES = ("en", "ja", "fr", "ja-JP", "", None)
COMMANDS = [name for name, _ in SUBSCRIBER_COMMANDS + ADMIN_COMMANDS]
ODD_COMMANDS = ["frobnicate", "START", "start@digest_test_bot", "help@other_bot", "", "😀"]
WORDS = [
    "tech", "world", "TECH", "nosuch", "0", "-1", "#1", "1", "2", "99999999999999999999",
    "@digest_test_bot", "@some_channel", "-1001234567890", "t.me/some_channel", "clear",
    "+rust", "-crypto", "+", "-", "tz", "Asia/Tokyo", "Mars/Olympus", "../../etc/passwd",
    "<b>bold</b>", "</code>", "&amp;", "&#0;", "\u202e", "\u200b", "日本語", "😀", "'", '"',
    "\\", "%s", "{0}", "{topic}", "' OR 1=1 --", "\x1b[31m", "a" * 300, "²", "١٢",
    "#99999999999999999999", "-1009999999999999999", "-100١٢٣٤٥٦٧٨٩٠",
]  # fmt: skip
CALLBACKS = [
    "t:1", "t:2", "t:123", "t:abc", "t:", "t:-1", "t:1:2", "n:1:999", "n:1:1", "n:x:y", "n:",
    "o:1", "o:-1", "o:99999999999999999999", "k:1", "s:1", "s:1:2", "l:en", "l:ja", "l:fr",
    "l:", "st:mode:x", "st:mode:d", "st:mode:i", "st:at:0700", "st:at:2500", "st:tz:UTC",
    "st:tz:Mars/Base", "st:quiet:2207", "st:quiet:9999", "st:pause:1", "st:pause:0", "st:",
    "st:a:b:c", "dt:5", "dt:1", "dt:x", "dt:", "x", "x:1", "", ":", "::::", "zz:1", "日本:1",
    "😀" * 16, "t", "o", "k", "n", "dt", "l", "st", "t:²", "t:١", "dt:²", "o:²", "n:1:²",
]  # fmt: skip


def rss(now: datetime) -> bytes:
    items = "".join(
        f"<item><guid>g{n}</guid><title>Story {n}</title><link>https://news.example/{n}</link>"
        f"<pubDate>{(now - timedelta(hours=n)):%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
        f"<description>Story {n} happened today. Officials said more would follow. "
        "Markets reacted calmly.</description></item>"
        for n in range(6)
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Fuzz News</title>"
        f"<link>https://news.example/</link>{items}</channel></rss>"
    ).encode()


def opml(urls: list[str]) -> bytes:
    outlines = "".join(f'<outline type="rss" text="f" xmlUrl="{u}"/>' for u in urls)
    return (
        f'<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head>'
        f"<body>{outlines}</body></opml>"
    ).encode()


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    b'<opml version="2.0"><body><outline xmlUrl="&lol4;"/></body></opml>'
)


def inject_forged_callback(
    api: BotApiServer,
    message: dict[str, Any],
    user_id: int,
    data: str,
    language: str | None = None,
) -> None:
    """A button press on `message` with any data, answerable as a real press is."""
    state = api._state  # inject_callback takes offered data only; the query id must be known
    with state.lock:
        query_id = str(state.next_id())
        state.callback_queries[query_id] = False
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Fuzz"}
    if language:
        user["language_code"] = language
    query = {"id": query_id, "from": user, "message": message, "chat_instance": "x", "data": data}
    api.inject_raw({"callback_query": query})


class Fuzzer:
    """Draws random updates from a seeded generator and injects them into the fake Bot API."""

    def __init__(self, api: BotApiServer, feeds: FeedServer, seed: int) -> None:
        self.api = api
        self.rng = random.Random(seed)
        self._buttons: dict[int, list[dict[str, Any]]] = {}
        self.urls = [
            feeds.url("/fuzz/feed.xml"),
            feeds.url("/fuzz/missing.xml"),
            "http://nonexistent.invalid/feed.xml",
            "ftp://example.invalid/feed",
            "not-a-url",
        ]
        self.kinds: list[tuple[Callable[[], int], int]] = [
            (self.command, 30),
            (self.text, 8),
            (self.press, 25),
            (self.document, 4),
            (self.edit, 5),
            (self.group_post, 10),
            (self.channel_post, 4),
            (self.membership, 3),
            (self.unknown, 3),
            (self.burst, 1),
        ]

    def inject(self, count: int) -> None:
        """Inject at least `count` random updates."""
        actions, weights = zip(*self.kinds, strict=True)
        self._buttons.clear()  # the bot has answered everything: read its messages afresh
        while count > 0:
            count -= self.rng.choices(actions, weights)[0]()

    def user(self) -> int:
        return self.rng.choice(USERS)

    def language(self) -> str | None:
        return self.rng.choice(LANGUAGES)

    def words(self, most: int = 3) -> str:
        pool = WORDS + self.urls
        words = [self.rng.choice(pool) for _ in range(self.rng.randint(0, most))]
        if self.rng.random() < 0.1:
            words.append("".join(chr(self.rng.randint(32, 0x2FFF)) for _ in range(40)))
        return " ".join(words)

    def command_text(self) -> str:
        name = self.rng.choice(COMMANDS if self.rng.random() < 0.85 else ODD_COMMANDS)
        if self.rng.random() < 0.02:
            return f"/{name} " + "x" * self.rng.choice([2400, 4000])
        return f"/{name} {self.words()}".rstrip()

    def command(self, user: int | None = None) -> int:
        user = self.user() if user is None else user
        self.api.inject_command(user, self.command_text(), language_code=self.language())
        return 1

    def burst(self) -> int:
        """One sender floods: commands and presses well over the rate limit."""
        user = self.rng.choice((USER, *OTHERS))
        count = self.rng.randint(30, 45)
        for _ in range(count):
            if self.rng.random() < 0.5 or not self.press(user):
                self.command(user)
        return count

    def text(self) -> int:
        self.api.inject_message(self.user(), self.words(6) or "hi")
        return 1

    def group_post(self) -> int:
        user = self.user()
        if self.rng.random() < 0.7:
            self.api.inject_command(GROUP, self.command_text(), user_id=user)
        else:
            self.api.inject_message(GROUP, self.words(5) or "hi", user_id=user)
        return 1

    def channel_post(self) -> int:
        text = self.command_text() if self.rng.random() < 0.5 else self.words(4) or "post"
        self.api.inject_message(CHANNEL, text)
        return 1

    def press(self, chat: int | None = None) -> int:
        """A button press in a random chat (or `chat`); 0 when it has no buttons yet."""
        chat = self.rng.choice([*USERS, GROUP, CHANNEL]) if chat is None else chat
        messages = self.with_buttons(chat)
        if not messages:
            return 0
        message = self.rng.choice(messages)
        user = USER if chat == CHANNEL else chat if chat > 0 else self.user()
        offered = [
            b["callback_data"]
            for row in message["reply_markup"]["inline_keyboard"]
            for b in row
            if "callback_data" in b
        ]
        if offered and self.rng.random() < 0.6:
            data = self.rng.choice(offered)
            self.api.inject_callback(chat, data, message_id=message["message_id"], user_id=user)
            return 1
        if self.rng.random() < 0.15:  # older than 48 hours: Telegram sends only chat and id
            message = {"chat": message["chat"], "message_id": message["message_id"], "date": 0}
        self.forged_callback(message, user, self.rng.choice(CALLBACKS))
        return 1

    def with_buttons(self, chat: int) -> list[dict[str, Any]]:
        """The bot's latest messages with buttons in a chat, read once per batch."""
        if chat not in self._buttons:
            sent = [m for m in self.api.sent_messages(chat) if "reply_markup" in m]
            self._buttons[chat] = sent[-RECENT:]
        return self._buttons[chat]

    def forged_callback(self, message: dict[str, Any], user_id: int, data: str) -> None:
        """A press Telegram would deliver, with data no button of ours carries."""
        inject_forged_callback(self.api, message, user_id, data, self.language())

    def document(self) -> int:
        name = self.rng.choice(
            ["feeds.opml", "feeds.xml", "notes.txt", "noext", "x" * 120 + ".opml"]
        )
        content = self.rng.choice(
            [opml(self.urls[:2]), opml(["javascript:alert(1)"] * 3), BOMB, b"", b"\xff\xfe junk"]
        )
        caption = self.rng.choice(
            [
                "/import tech",
                "/import",
                "/import nosuch",
                "/import@other_bot tech",
                "/import@digest_test_bot world",
                None,
                self.words(),
            ]
        )
        user = ADMIN if self.rng.random() < 0.6 else self.user()
        self.api.inject_document(user, name, content, caption=caption or None)
        return 1

    def edit(self) -> int:
        chat = self.rng.choice([*USERS, GROUP, CHANNEL])
        for message_id in self.rng.sample(range(1, 40), 5):
            try:
                self.api.inject_edited_message(chat, message_id, self.command_text())
            except ValueError:
                continue
            return 1
        return 0

    def membership(self) -> int:
        chat = self.rng.choice([*USERS, GROUP, CHANNEL])
        status = self.rng.choice(["member", "administrator", "kicked", "left"])
        user = self.user() if chat < 0 else None
        self.api.inject_my_chat_member(chat, status, user_id=user)
        return 1

    def unknown(self) -> int:
        user = {"id": self.user(), "is_bot": False, "first_name": "Fuzz"}
        body: dict[str, Any] = self.rng.choice(
            [
                {"future_update_kind": {"id": 1, "anything": [1, 2, 3]}},
                {"inline_query": {"id": "1", "from": user, "query": self.words(), "offset": ""}},
                {"chosen_inline_result": {"result_id": "1", "from": user, "query": "q"}},
            ]
        )
        self.api.inject_raw(body)
        return 1


async def drained(bot: RunningBot) -> None:
    """Wait until every injected update was fetched and fully handled."""
    await bot.api.wait_for_async(
        lambda: bot.api.pending_updates() == 0, timeout=30, what="updates fetched"
    )
    async with asyncio.timeout(60):
        await bot.app.update_queue.join()


async def test_random_updates_reach_no_error_handler(
    running_bot: RunningBot, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime.now(UTC)
    clock = {"now": now}
    running_bot.app.bot_data.clock = lambda: clock["now"]
    api, store = running_bot.api, running_bot.store
    feed_server.route("/fuzz/feed.xml", body=rss(now))
    feed_server.route("/fuzz/missing.xml", status=404)
    tech = await store.add_topic("tech", "Tech")
    await store.add_topic("world", "World <&> 世界")
    poller = running_bot.app.bot_data.poller
    assert poller is not None
    await poller.add_feed(tech.id, feed_server.url("/fuzz/feed.xml"), now)
    api.add_chat(GROUP, "supergroup", title="Fuzz group")
    api.add_chat(CHANNEL, "channel", title="Fuzz channel")
    api.set_member(GROUP, ADMIN, "creator")
    api.set_member(GROUP, USER, "member")
    for user in USERS:
        api.inject_command(user, "/start")
    await drained(running_bot)

    caplog.set_level(logging.WARNING)
    fuzzer = Fuzzer(api, feed_server, SEED)
    for _ in range(UPDATES // BATCH):
        fuzzer.inject(BATCH)
        await drained(running_bot)
        # A minute per batch: the flood gate limits some senders, never all of them for long.
        clock["now"] += timedelta(minutes=1)

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    report = "\n".join(f"{r.getMessage()}\n{r.exc_text}" for r in errors[:5])
    assert errors == [], f"seed {SEED}: {len(errors)} errors, the first:\n{report}"
    clock["now"] += timedelta(hours=1)
    call = await running_bot.command(USER, "/start")
    assert call.params["text"].startswith("👋")
