"""Feed health alerts to the admins and /enablefeed, the bot running in-process."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.store import ChatKind, Store
from bot.chat.jobs import poll_due_feeds
from bot.core.models import Feed
from tests.conftest import ADMIN, USER, RunningBot
from tests.fakes.botapi import ErrorKind
from tests.fakes.clock import hold_jobs
from tests.fakes.feedserver import FeedServer

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


async def failing_feed(store: Store, url: str, failures: int) -> Feed:
    """A feed that has failed `failures` times in a row and is due at NOW."""
    topic = await store.add_topic("tech", "Tech")
    feed = await store.add_feed(topic.id, url, "Flaky <news>")
    for _ in range(failures):
        await store.record_failure(
            feed.id, error="HTTP 500", polled_at=NOW - timedelta(hours=1), next_poll_at=NOW
        )
    return feed


async def poll(running_bot: RunningBot) -> list[str]:
    """Run the poll job; return what it sent to the admin."""
    since = len(running_bot.api.calls("sendMessage"))
    await poll_due_feeds(running_bot.context())
    return [
        call.params["text"]
        for call in running_bot.api.calls("sendMessage")[since:]
        if call.params["chat_id"] == ADMIN
    ]


async def test_the_tenth_failure_in_a_row_alerts_the_admins_once(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    clock = hold_jobs(running_bot.app, NOW)
    feed_server.route("/alert.xml", status=503, body=b"down")
    url = feed_server.url("/alert.xml")
    feed = await failing_feed(running_bot.store, url, 8)
    assert await poll(running_bot) == []

    clock.now = NOW + timedelta(days=1)
    assert await poll(running_bot) == [
        f"⚠️ The feed <b>Flaky &lt;news&gt;</b> #{feed.id} has failed 10 times in a row.\n"
        f"<code>{url}</code>\n"
        "Last error: HTTP 503 Service Unavailable"
    ]
    clock.now = NOW + timedelta(days=2)
    assert await poll(running_bot) == []
    polled = await running_bot.store.get_feed(feed.id)
    assert polled is not None
    assert (polled.failures, polled.disabled) == (11, False)


async def test_the_alert_is_in_the_admins_language(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    hold_jobs(running_bot.app, NOW)
    await running_bot.store.upsert_chat(ADMIN, kind=ChatKind.PRIVATE, language="ja")
    feed_server.route("/alert-ja.xml", status=500)
    await failing_feed(running_bot.store, feed_server.url("/alert-ja.xml"), 9)
    [alert] = await poll(running_bot)
    assert alert.endswith("直近のエラー：HTTP 500：サーバーでエラーが起きました")


async def test_an_alert_the_admin_cannot_get_is_one_line_naming_the_admin_and_the_feed(
    running_bot: RunningBot, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    hold_jobs(running_bot.app, NOW)
    running_bot.api.queue_error(ADMIN, ErrorKind.BLOCKED)
    feed_server.route("/alert-blocked.xml", status=500)
    feed = await failing_feed(running_bot.store, feed_server.url("/alert-blocked.xml"), 9)
    with caplog.at_level(logging.WARNING, logger="bot.chat.alerts"):
        await poll(running_bot)
    assert not [c for c in running_bot.api.calls("sendMessage") if c.ok]
    [line] = [r for r in caplog.records if r.name == "bot.chat.alerts"]
    assert line.getMessage() == (
        f"could not alert admin {ADMIN}: Forbidden: bot was blocked by the user"
    )
    ids = {key: getattr(line, key, None) for key in ("chat_id", "feed_id", "topic_id")}
    assert ids == {"chat_id": ADMIN, "feed_id": feed.id, "topic_id": feed.topic_id}


async def test_the_hundredth_failure_disables_the_feed_and_feeds_says_why(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    clock = hold_jobs(running_bot.app, NOW)
    feed_server.route("/dead.xml", status=404)
    url = feed_server.url("/dead.xml")
    store = running_bot.store
    feed = await failing_feed(store, url, 99)
    assert await poll(running_bot) == [
        f"⛔ The feed <b>Flaky &lt;news&gt;</b> #{feed.id} was disabled after 100 failures "
        "in a row.\n"
        f"<code>{url}</code>\n"
        "Last error: HTTP 404 Not Found\n"
        f"Re-enable it with /enablefeed {feed.id}"
    ]
    disabled = await store.get_feed(feed.id)
    assert disabled is not None
    assert (disabled.disabled, disabled.disabled_reason) == (True, "failed 100 times in a row")
    clock.now = NOW + timedelta(days=30)
    assert await poll(running_bot) == []
    assert len(feed_server.requests("/dead.xml")) == 1

    listing = await running_bot.command(ADMIN, "/feeds")
    assert (
        "⛔ disabled\nLast error: HTTP 404 Not Found\nWhy disabled: failed 100 times in a row"
        in (listing.params["text"])
    )


async def test_enablefeed_polls_a_disabled_feed_again(running_bot: RunningBot) -> None:
    hold_jobs(running_bot.app, NOW)
    store = running_bot.store
    feed = await failing_feed(store, "https://example.com/dead.xml", 0)
    await store.record_failure(
        feed.id, error="HTTP 410 Gone", polled_at=NOW, next_poll_at=NOW, disable_reason="gone"
    )
    name = f"<b>Flaky &lt;news&gt;</b> #{feed.id}"

    refused = await running_bot.command(USER, f"/enablefeed {feed.id}")
    assert refused.params["text"] == "Sorry, only the bot's admins can do that."
    still = await store.get_feed(feed.id)
    assert still is not None
    assert still.disabled

    done = await running_bot.command(ADMIN, f"/enablefeed #{feed.id}")
    assert done.params["text"] == f"✅ {name} is enabled again and will be polled shortly."
    enabled = await store.get_feed(feed.id)
    assert enabled is not None
    assert (enabled.disabled, enabled.disabled_reason, enabled.failures) == (False, None, 0)
    assert [f.id for f in await store.due_feeds(NOW)] == [feed.id]

    again = await running_bot.command(ADMIN, f"/enablefeed {feed.id}")
    assert again.params["text"] == f"{name} is not disabled."
    unknown = await running_bot.command(ADMIN, "/enablefeed 999")
    assert unknown.params["text"] == "There is no feed <code>999</code>. See /feeds."
    for bad in ("", " 1 2", " x", " ²", " 99999999999999999999"):
        usage = await running_bot.command(ADMIN, f"/enablefeed{bad}")
        assert usage.params["text"] == "Usage: /enablefeed &lt;id&gt;"
