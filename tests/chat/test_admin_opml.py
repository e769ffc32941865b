"""OPML import (a captioned document) and export (sendDocument) against the fake Bot API."""

from __future__ import annotations

from html import escape

import pytest

from bot.core.opml import Opml, OpmlFeed, parse_opml
from tests.conftest import ADMIN, RunningBot
from tests.fakes.botapi import Call
from tests.fakes.feedserver import FeedServer

LABEL = "<b>Tech</b> (<code>tech</code>)"


def opml(*urls: str) -> bytes:
    outlines = "".join(f'<outline type="rss" text="f" xmlUrl="{escape(u)}"/>' for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><opml version="1.0"><head><title>Mine</title>'
        f'</head><body><outline text="Imported">{outlines}</outline></body></opml>'
    ).encode()


async def send_document(
    running_bot: RunningBot, name: str, content: bytes, caption: str
) -> tuple[Call, int]:
    """Send a document from the admin; return the bot's first reply and the calls count before."""
    api = running_bot.api
    since = len(api.calls())
    api.inject_document(ADMIN, name, content, caption=caption)
    first = await api.wait_for_call_async("sendMessage", since=since)
    return first, since


async def import_summary(running_bot: RunningBot, content: bytes, caption: str) -> str:
    """Import a document; return the text its progress message ends with."""
    first, since = await send_document(running_bot, "feeds.opml", content, caption)
    assert first.params["text"] == "⏳ Reading feeds.opml…"
    edit = await running_bot.api.wait_for_call_async(
        "editMessageText", lambda c: not c.params["text"].startswith("⏳"), since=since
    )
    assert edit.params["message_id"] == first.result["message_id"]
    return str(edit.params["text"])


async def test_import_adds_new_feeds_and_sums_up(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    store = running_bot.store
    topic = await store.add_topic("tech", "Tech")
    known = feed_server.url("/feeds/rss-parser__rss-1.rss")
    await store.add_feed(topic.id, known)
    gihyo = feed_server.url("/feeds/gihyo-rss2_2020-01-25.xml")
    wapo = feed_server.url("/feeds/node-feedparser__wapoasection.xml")
    feed_server.route("/import-gone.xml", status=404)
    gone = feed_server.url("/import-gone.xml")
    content = opml(gihyo, wapo, known, gihyo, "javascript:alert(1)", gone)
    summary = await import_summary(running_bot, content, "/import tech")
    assert summary == (
        f"📥 Import into {LABEL}:\n"
        "✅ 2 feeds added\n"
        "↩️ 2 feeds were there already\n"
        "❌ 2 feeds refused\n"
        "• <code>javascript:alert(1)</code>: not an http(s) URL\n"
        f"• <code>{gone}</code>: HTTP 404 Not Found"
    )
    assert sorted(f.url for f in await store.list_feeds(topic.id)) == sorted([known, gihyo, wapo])


async def test_import_lists_the_first_refused_and_counts_the_rest(
    running_bot: RunningBot,
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    content = opml(*(f"ftp://files.example/{n}.xml" for n in range(12)))
    summary = await import_summary(running_bot, content, "/import tech")
    lines = summary.split("\n")
    assert lines[1:4] == [
        "✅ 0 feeds added",
        "↩️ 0 feeds were there already",
        "❌ 12 feeds refused",
    ]
    assert lines[4:14] == [
        f"• <code>ftp://files.example/{n}.xml</code>: not an http(s) URL" for n in range(10)
    ]
    assert lines[14:] == ["…and 2 more."]


@pytest.mark.parametrize(
    ("content", "reply"),
    [
        pytest.param(
            b"<html><body>Not a list</body></html>",
            "❌ This is not an OPML file I can read: the root element is &lt;html&gt;, "
            "not &lt;opml&gt;",
            id="html",
        ),
        pytest.param(
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>',
            "❌ This is not an OPML file I can read: DOCTYPE and ENTITY declarations are not "
            "allowed",
            id="entities",
        ),
        pytest.param(
            opml(*(f"https://example.com/{n}.xml" for n in range(201))),
            "❌ The file lists 201 new feeds: at most 200 per import.",
            id="too-many-feeds",
        ),
    ],
)
async def test_import_refuses_what_it_cannot_take(
    running_bot: RunningBot, content: bytes, reply: str
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    summary = await import_summary(running_bot, content, "/import tech")
    assert summary == reply
    assert await running_bot.store.list_feeds() == []


@pytest.mark.parametrize(
    ("name", "content", "caption", "reply"),
    [
        pytest.param(
            "feeds.txt", opml(), "/import tech", "❌ Send an .opml or .xml file.", id="not-opml"
        ),
        pytest.param(
            "feeds.opml",
            b" " * (1024 * 1024 + 1),
            "/import tech",
            "❌ The file is too large: at most 1024 KiB.",
            id="too-large",
        ),
        pytest.param(
            "feeds.opml",
            opml(),
            "/import",
            "Send an OPML file with the caption /import &lt;slug&gt;.",
            id="no-slug",
        ),
        pytest.param(
            "feeds.xml",
            opml(),
            "/import nope",
            "There is no topic “nope”. See /topics.",
            id="unknown-topic",
        ),
    ],
)
async def test_import_checks_the_document_before_downloading(
    running_bot: RunningBot, name: str, content: bytes, caption: str, reply: str
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    first, _ = await send_document(running_bot, name, content, caption)
    assert first.params["text"] == reply
    assert running_bot.api.calls("getFile") == []


async def test_import_for_another_bot_is_ignored(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    api = running_bot.api
    since = len(api.calls())
    api.inject_document(ADMIN, "feeds.opml", opml(), caption="/import@other_bot tech")
    after = await running_bot.command(ADMIN, "/mytopics")
    replies = [c for c in api.calls()[since:] if c.method == "sendMessage"]
    assert replies == [after]


async def test_import_typed_as_text_explains_the_caption(running_bot: RunningBot) -> None:
    call = await running_bot.command(ADMIN, "/import tech")
    assert call.params["text"] == "Send an OPML file with the caption /import &lt;slug&gt;."


async def test_export_sends_every_topic_and_feed(running_bot: RunningBot) -> None:
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech & Science")
    world = await store.add_topic("world", "世界")
    await store.add_topic("empty", "Empty")
    await store.add_feed(tech.id, "https://example.com/a.xml?x=1&y=2", "A <feed>")
    await store.add_feed(tech.id, "https://example.com/b.xml")
    await store.add_feed(world.id, "https://example.jp/rss", "日本語")
    since = len(running_bot.api.calls())
    running_bot.api.inject_command(ADMIN, "/export")
    call = await running_bot.api.wait_for_call_async("sendDocument", since=since)
    document = call.result["document"]
    assert document["file_name"].startswith("digestbot-")
    assert document["file_name"].endswith(".opml")
    assert call.result["caption"] == "📤 3 topics · 3 feeds"
    exported = parse_opml(running_bot.api.file_content(document["file_id"]))
    assert exported == Opml(
        title="digestbot",
        feeds=(
            OpmlFeed("https://example.com/a.xml?x=1&y=2", "A <feed>", "Tech & Science"),
            OpmlFeed("https://example.com/b.xml", "https://example.com/b.xml", "Tech & Science"),
            OpmlFeed("https://example.jp/rss", "日本語", "世界"),
        ),
    )


async def test_export_without_topics(running_bot: RunningBot) -> None:
    call = await running_bot.command(ADMIN, "/export")
    assert call.params["text"] == "There are no topics yet."
