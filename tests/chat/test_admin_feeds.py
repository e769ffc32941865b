"""Admin feed commands against the fake Bot API and the local feed server."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.adapters.store import ChatKind, NewArticle
from bot.chat import admin_feeds
from bot.core.models import Digest, Entry
from tests.conftest import ADMIN, USER, RunningBot, claim_rows
from tests.fakes.botapi_state import Call
from tests.fakes.feedserver import FeedServer

GIHYO = "/feeds/gihyo-rss2_2020-01-25.xml"
LABEL = "<b>Tech</b> (<code>tech</code>)"


def article(key: str) -> NewArticle:
    url = f"https://example.com/{key}"
    digest = Digest(f"Title {key}", url, "Example", None, "en", "Lede.", ("Point.",))
    return NewArticle(Entry(key, digest.title, url, "", None, "en"), digest)


def rss(*items: tuple[str, str]) -> bytes:
    entries = "".join(
        f"<item><guid>{key}</guid><title>{title}</title>"
        f"<link>https://example.com/{key}</link><description>{title}.</description></item>"
        for key, title in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Scripted</title>'
        f"<link>https://example.com/</link>{entries}</channel></rss>"
    ).encode()


async def add_feed_command(running_bot: RunningBot, text: str) -> tuple[str, str]:
    """Send /addfeed; return the progress message and what it was edited to."""
    api = running_bot.api
    since = len(api.calls())
    progress = await running_bot.command(ADMIN, text)
    edit = await api.wait_for_call_async("editMessageText", since=since)
    assert edit.params["message_id"] == progress.result["message_id"]
    return progress.params["text"], edit.params["text"]


async def test_addfeed_validates_and_names_the_feed(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    topic = await running_bot.store.add_topic("tech", "Tech")
    url = feed_server.url(GIHYO)
    progress, done = await add_feed_command(running_bot, f"/addfeed tech {url}")
    assert progress == f"⏳ Checking <code>{url}</code>…"
    assert done == f"✅ Added <b>gihyo.jp：総合</b> to {LABEL}: 20 entries."
    [action] = running_bot.api.calls("sendChatAction")
    assert action.params["action"] == "typing"
    [feed] = await running_bot.store.list_feeds(topic.id)
    assert (feed.url, feed.title) == (url, "gihyo.jp：総合")


async def test_addfeed_one_entry_is_singular(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    feed_server.route("/admin-one.xml", body=rss(("a", "Alpha")))
    _, done = await add_feed_command(
        running_bot, f"/addfeed tech {feed_server.url('/admin-one.xml')}"
    )
    assert done == f"✅ Added <b>Scripted</b> to {LABEL}: 1 entry."


async def test_addfeed_reports_a_failed_fetch_in_one_line(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    feed_server.route("/admin-gone.xml", status=404, body=b"nope")
    url = feed_server.url("/admin-gone.xml")
    _, done = await add_feed_command(running_bot, f"/addfeed tech {url}")
    assert done == f"❌ Could not add <code>{url}</code>: HTTP 404 Not Found"
    assert await running_bot.store.list_feeds() == []


async def test_addfeed_refuses_a_page_that_is_not_a_feed(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    url = feed_server.url("/feeds/node-feedparser__notafeed.html")
    _, done = await add_feed_command(running_bot, f"/addfeed tech {url}")
    assert done == (
        f"❌ Could not add <code>{url}</code>: not an RSS or Atom feed (it is an HTML page)"
    )
    assert await running_bot.store.list_feeds() == []


async def test_addfeed_refuses_a_duplicate_without_fetching(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    topic = await running_bot.store.add_topic("tech", "Tech")
    url = feed_server.url("/admin-never-fetched.xml")
    await running_bot.store.add_feed(topic.id, url)
    call = await running_bot.command(ADMIN, f"/addfeed tech {url}")
    assert call.params["text"] == f"<code>{url}</code> is already in {LABEL}."
    assert feed_server.requests("/admin-never-fetched.xml") == []


async def test_addfeed_usage_and_unknown_topic(running_bot: RunningBot) -> None:
    usage = await running_bot.command(ADMIN, "/addfeed tech")
    assert usage.params["text"] == "Usage: /addfeed &lt;slug&gt; &lt;url&gt;"
    unknown = await running_bot.command(ADMIN, "/addfeed nope https://example.com/feed")
    assert unknown.params["text"] == "There is no topic “nope”."


async def test_delfeed_by_id_url_and_ambiguous_url(running_bot: RunningBot) -> None:
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    world = await store.add_topic("world", "World")
    solo = await store.add_feed(tech.id, "https://example.com/solo.xml", "Solo <1>")
    shared_tech = await store.add_feed(tech.id, "https://example.com/shared.xml")
    shared_world = await store.add_feed(world.id, "https://example.com/shared.xml")

    by_id = await running_bot.command(ADMIN, f"/delfeed #{solo.id}")
    assert by_id.params["text"] == f"🗑 Removed <b>Solo &lt;1&gt;</b> from {LABEL}."
    ambiguous = await running_bot.command(ADMIN, "/delfeed https://example.com/shared.xml")
    assert ambiguous.params["text"] == (
        "That URL is in several topics. Remove one by its id:\n"
        f"• #{shared_tech.id} (tech)\n• #{shared_world.id} (world)"
    )
    await running_bot.command(ADMIN, f"/delfeed {shared_world.id}")
    by_url = await running_bot.command(ADMIN, "/delfeed https://example.com/shared.xml")
    assert by_url.params["text"] == (
        f"🗑 Removed <b>https://example.com/shared.xml</b> from {LABEL}."
    )
    assert await store.list_feeds() == []
    unknown = await running_bot.command(ADMIN, "/delfeed 99")
    assert unknown.params["text"] == "There is no feed <code>99</code>. See /feeds."


async def test_feeds_shows_each_feeds_health(running_bot: RunningBot) -> None:
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    now = datetime.now(UTC)
    healthy = await store.add_feed(tech.id, "https://example.com/ok.xml", "OK & fine")
    failing = await store.add_feed(tech.id, "https://example.com/flaky.xml", "Flaky")
    disabled = await store.add_feed(tech.id, "https://example.com/dead.xml", "Dead")
    fresh = await store.add_feed(tech.id, "https://example.com/new.xml")
    later = now + timedelta(hours=1)
    await store.record_not_modified(
        healthy.id, polled_at=now - timedelta(minutes=5), next_poll_at=later
    )
    for _ in range(2):
        await store.record_failure(
            failing.id,
            error="timeout <30s>",
            polled_at=now - timedelta(hours=2),
            next_poll_at=later,
        )
    await store.record_failure(
        disabled.id,
        error="HTTP 410 Gone",
        polled_at=now - timedelta(days=3),
        next_poll_at=later,
        disable_reason="gone",
    )
    call = await running_bot.command(ADMIN, "/feeds tech")
    assert call.params["text"] == (
        "<b>📡 4 feeds</b>\n\n"
        f"<b>OK &amp; fine</b> #{healthy.id} · tech\n"
        "<code>https://example.com/ok.xml</code>\n"
        "Last poll: 5 minutes ago · ✅ healthy\n\n"
        f"<b>Flaky</b> #{failing.id} · tech\n"
        "<code>https://example.com/flaky.xml</code>\n"
        "Last poll: 2 hours ago · ⚠️ 2 failures in a row\n"
        "Last error: timeout &lt;30s&gt;\n\n"
        f"<b>Dead</b> #{disabled.id} · tech\n"
        "<code>https://example.com/dead.xml</code>\n"
        "Last poll: 3 days ago · ⛔ disabled\n"
        "Last error: HTTP 410 Gone\n"
        "Why disabled: gone\n\n"
        f"<b>https://example.com/new.xml</b> #{fresh.id} · tech\n"
        "<code>https://example.com/new.xml</code>\n"
        "Last poll: never · 🆕 not polled yet"
    )


async def test_feeds_without_any_feed(running_bot: RunningBot) -> None:
    call = await running_bot.command(ADMIN, "/feeds")
    assert call.params["text"] == "No feeds yet. Add one: /addfeed &lt;slug&gt; &lt;url&gt;"


async def test_feeds_list_is_cut_to_one_message(running_bot: RunningBot) -> None:
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    for n in range(60):
        await store.add_feed(tech.id, f"https://example.com/{'long-path/' * 8}{n}.xml", "T" * 80)
    call = await running_bot.command(ADMIN, "/feeds")
    text = call.params["text"]
    assert call.ok
    assert len(text) <= 4096
    shown = text.count("#")
    assert text.endswith(f"…and {60 - shown} more feeds.")
    assert 0 < shown < 60


async def test_pollnow_sums_up(running_bot: RunningBot, feed_server: FeedServer) -> None:
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    feed_server.route("/poll-new.xml", body=rss(("a", "Alpha"), ("b", "Beta")))
    feed_server.route("/poll-same.xml", body=rss(("c", "Gamma")), conditional=True)
    feed_server.route("/poll-gone.xml", status=404)
    await store.add_feed(tech.id, feed_server.url("/poll-new.xml"))
    await running_bot.app.bot_data.poller.add_feed(  # type: ignore[union-attr]
        tech.id, feed_server.url("/poll-same.xml"), datetime.now(UTC)
    )
    gone = await store.add_feed(tech.id, feed_server.url("/poll-gone.xml"), "Gone")
    dead = await store.add_feed(tech.id, feed_server.url("/poll-dead.xml"))
    now = datetime.now(UTC)
    await store.record_failure(
        dead.id, error="x", polled_at=now, next_poll_at=now, disable_reason="dead"
    )
    api = running_bot.api
    since = len(api.calls())
    progress = await running_bot.command(ADMIN, "/pollnow")
    assert progress.params["text"] == "⏳ Polling 3 feeds…"
    edit = await api.wait_for_call_async("editMessageText", since=since)
    assert edit.params["text"] == (
        "Polled 3 feeds.\n"
        "🆕 2 new entries\n"
        "💤 1 feed not modified\n"
        "❌ 1 feed failed\n"
        f"• <b>Gone</b> #{gone.id}: HTTP 404 Not Found"
    )
    assert feed_server.requests("/poll-dead.xml") == []


async def test_pollnow_without_feeds(running_bot: RunningBot) -> None:
    call = await running_bot.command(ADMIN, "/pollnow")
    assert call.params["text"] == "There are no feeds to poll."


STATS_TEXT = (
    "<b>📊 Stats</b>\n"
    "📚 Topics: 1\n"
    "📡 Feeds: 1\n"
    "👥 Subscribed chats: 1\n"
    "⏸ Paused chats: 0\n"
    "🚫 Blocked or gone chats: 1\n"
    "📬 Deliveries pending: 0\n"
    "✅ Sent in the last 24 hours: {sent}\n"
    "❌ Failed in the last 24 hours: 0\n"
    "⚠️ Failing feeds: 1\n"
    "⛔ Disabled feeds: 0\n"
    "• <b>Flaky</b> #{feed}: timeout"
)


async def stats_bot(running_bot: RunningBot) -> int:
    """A topic, a failing feed, a subscribed chat and a gone one: the flaky feed's id."""
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    await store.subscribe(USER, tech.id)
    await store.upsert_chat(3003, kind=ChatKind.PRIVATE)
    await store.set_chat_active(3003, False)
    flaky = await store.add_feed(tech.id, "https://example.com/flaky.xml", "Flaky")
    now = datetime.now(UTC)
    await store.record_failure(flaky.id, error="timeout", polled_at=now, next_poll_at=now)
    return flaky.id


async def stats_photo(running_bot: RunningBot, chat_id: int = ADMIN, **kwargs: object) -> Call:
    """Send /stats and wait for the chart."""
    since = len(running_bot.api.calls())
    running_bot.api.inject_command(chat_id, "/stats", **kwargs)  # type: ignore[arg-type]
    return await running_bot.api.wait_for_call_async("sendPhoto", since=since)


def png_size(call: Call) -> tuple[int, int]:
    """The size of the PNG a sendPhoto uploaded, as Pillow decodes it."""
    image = Image.open(io.BytesIO(call.files["photo"].content))
    image.load()
    assert image.format == "PNG"
    return image.size


async def test_stats(running_bot: RunningBot) -> None:
    flaky = await stats_bot(running_bot)
    call = await stats_photo(running_bot)
    # The text fits a caption: one message, the chart captioned with the text.
    assert call.params["caption"] == STATS_TEXT.format(sent=0, feed=flaky)
    assert call.params["chat_id"] == ADMIN
    assert png_size(call) == (1200, 800)
    assert [c.params["action"] for c in running_bot.api.calls("sendChatAction")] == [
        "upload_photo"
    ]
    assert running_bot.api.calls("sendMessage") == []


async def test_stats_charts_the_pushes_in_the_readers_language(running_bot: RunningBot) -> None:
    await stats_bot(running_bot)
    store = running_bot.store
    [feed] = await store.list_feeds()
    now = datetime.now(UTC)
    await store.save_poll(
        feed.id,
        [article("a"), article("b")],
        polled_at=now,
        next_poll_at=now,
        etag=None,
        modified=None,
        title="Flaky",
        problem=None,
        push=True,
    )
    for row in await claim_rows(store, now, 10):
        await store.mark_sent(row, 1, now)
    await store.count_throttled(now, 3.0)
    call = await stats_photo(running_bot, language_code="ja")
    assert call.params["caption"].startswith("<b>📊 統計</b>\n")
    assert "✅ 過去24時間の配信成功：2\n" in call.params["caption"]
    assert png_size(call) == (1200, 800)


async def test_stats_too_long_for_a_caption_sends_the_text_then_the_chart(
    running_bot: RunningBot,
) -> None:
    store = running_bot.store
    tech = await store.add_topic("tech", "Tech")
    now = datetime.now(UTC)
    for i in range(10):
        feed = await store.add_feed(tech.id, f"https://example.com/{i}.xml", f"Feed {i}")
        error = f"HTTP 503 Service Unavailable {'x' * 150}"
        await store.record_failure(feed.id, error=error, polled_at=now, next_poll_at=now)
    since = len(running_bot.api.calls())
    text = await running_bot.command(ADMIN, "/stats")
    photo = await running_bot.api.wait_for_call_async("sendPhoto", since=since)
    assert text.params["text"].startswith("<b>📊 Stats</b>\n")
    assert text.params["text"].count("HTTP 503") == 10
    assert "caption" not in photo.params
    assert png_size(photo) == (1200, 800)
    assert running_bot.api.calls().index(text) < running_bot.api.calls().index(photo)


async def test_stats_without_feeds_or_pushes_is_text_only(running_bot: RunningBot) -> None:
    call = await running_bot.command(ADMIN, "/stats")
    assert call.params["text"].startswith("<b>📊 Stats</b>\n📚 Topics: 0\n")
    await running_bot.command(ADMIN, "/mytopics")  # /stats is over
    assert running_bot.api.calls("sendPhoto") == []


async def test_a_refused_chart_still_sends_the_text(running_bot: RunningBot) -> None:
    flaky = await stats_bot(running_bot)
    running_bot.api.queue_error(ADMIN, "chat_not_found", method="sendPhoto")
    call = await running_bot.command(ADMIN, "/stats")
    assert call.params["text"] == STATS_TEXT.format(sent=0, feed=flaky)
    [refused] = running_bot.api.calls("sendPhoto")
    assert not refused.ok


async def test_a_chart_that_cannot_be_drawn_still_sends_the_text(
    running_bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(chart: object) -> bytes:
        raise RuntimeError("no font")

    monkeypatch.setattr(admin_feeds, "draw_apart", broken)
    flaky = await stats_bot(running_bot)
    call = await running_bot.command(ADMIN, "/stats")
    assert call.params["text"] == STATS_TEXT.format(sent=0, feed=flaky)
    assert running_bot.api.calls("sendPhoto") == []


async def test_stats_for_others_is_refused_without_a_chart(running_bot: RunningBot) -> None:
    await stats_bot(running_bot)
    call = await running_bot.command(USER, "/stats")
    assert call.params["text"] == "Sorry, only the bot's admins can do that."
    await running_bot.command(USER, "/mytopics")
    assert running_bot.api.calls("sendPhoto") == []
    assert running_bot.api.calls("sendChatAction") == []


def home_page(*links: tuple[str, str, str]) -> bytes:
    tags = "".join(
        f'<link rel="alternate" type="application/{kind}+xml" title="{title}" href="{href}">'
        for kind, title, href in links
    )
    return f"<!DOCTYPE html><html><head>{tags}</head><body>Home</body></html>".encode()


async def test_addfeed_with_a_site_page_adds_the_feed_it_names(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    feed_server.route("/site-one/feed.xml", body=rss(("a", "Alpha")))
    feed_server.route(
        "/site-one/",
        body=home_page(("rss", "Posts", "feed.xml")),
        headers={"Content-Type": "text/html"},
    )
    page = feed_server.url("/site-one/")
    _, done = await add_feed_command(running_bot, f"/addfeed tech {page}")
    assert done == (
        f"✅ Added <b>Scripted</b> to {LABEL}: 1 entry.\n"
        f"The page <code>{page}</code> names this feed."
    )
    [feed] = await running_bot.store.list_feeds()
    assert feed.url == feed_server.url("/site-one/feed.xml")


async def test_addfeed_with_a_page_naming_several_feeds_offers_buttons(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    topic = await running_bot.store.add_topic("tech", "Tech")
    feed_server.route("/site-two/atom.xml", body=rss(("b", "Beta")))
    feed_server.route(
        "/site-two/",
        body=home_page(("rss", "Posts", "rss.xml"), ("atom", "", "atom.xml")),
        headers={"Content-Type": "text/html"},
    )
    page = feed_server.url("/site-two/")
    api = running_bot.api
    since = len(api.calls())
    progress = await running_bot.command(ADMIN, f"/addfeed tech {page}")
    edit = await api.wait_for_call_async("editMessageText", since=since)
    assert edit.params["text"] == (
        f"🔎 <code>{page}</code> is a web page that names 2 feeds. "
        f"Which one shall I add to {LABEL}?"
    )
    rows = edit.params["reply_markup"]["inline_keyboard"]
    host = page.split("://", 1)[1]
    assert [row[0]["text"] for row in rows] == [f"Posts · {host}rss.xml", f"Atom · {host}atom.xml"]
    assert await running_bot.store.list_feeds() == []

    since = len(api.calls())
    second = rows[1][0]["callback_data"]
    await running_bot.press(ADMIN, second, progress.result["message_id"])
    done = await api.wait_for_call_async(
        "editMessageText", lambda c: "Added" in c.params["text"], since=since
    )
    assert done.params["text"] == f"✅ Added <b>Scripted</b> to {LABEL}: 1 entry."
    [feed] = await running_bot.store.list_feeds(topic.id)
    assert feed.url == feed_server.url("/site-two/atom.xml")

    # The buttons are gone with the choice made.
    assert not done.params.get("reply_markup", {}).get("inline_keyboard")


async def test_a_feed_choice_the_bot_forgot_has_expired(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    feed_server.route(
        "/site-three/",
        body=home_page(("rss", "A", "a.xml"), ("rss", "B", "b.xml")),
        headers={"Content-Type": "text/html"},
    )
    api = running_bot.api
    since = len(api.calls())
    progress = await running_bot.command(ADMIN, f"/addfeed tech {feed_server.url('/site-three/')}")
    edit = await api.wait_for_call_async("editMessageText", since=since)
    # A restart forgets what was offered (chat_data lives in memory).
    running_bot.app.chat_data[ADMIN].clear()
    data = edit.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    answer = await running_bot.press(ADMIN, data, progress.result["message_id"])
    assert answer.params["text"] == "That choice has expired: send /addfeed again."
    assert await running_bot.store.list_feeds() == []
