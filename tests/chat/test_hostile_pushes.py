"""Hostile but valid feed entries reach readers: the fake Bot API refuses none of their pushes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.adapters.store import ChatKind
from bot.chat.jobs import drain_outbox
from tests.conftest import USER, RunningBot
from tests.fakes.feedserver import FeedServer

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def json_feed(*items: dict[str, object]) -> bytes:
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "Hostile", "items": items}
    return json.dumps(document).encode()


async def test_hostile_entries_are_pushed_and_none_is_refused(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    store, api = running_bot.store, running_bot.api
    topic = await store.add_topic("hostile", "Hostile")
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE, language="en")
    await store.subscribe(USER, topic.id)
    feed_server.route("/hostile.json", body=json_feed({"id": "old", "title": "Old"}))
    poller = running_bot.context().poller
    added = await poller.add_feed(topic.id, feed_server.url("/hostile.json"), NOW)
    body = "A story told at some length. It goes on with more to say. Officials said so."
    feed_server.route(
        "/hostile.json",
        body=json_feed(
            {
                "id": "emoji",
                "title": "😀" * 2500,
                "url": "https://ex.com/" + "a" * 20_000,
                "content_text": body,
            },
            {
                "id": "nul",
                "title": "A <b>NUL</b>",
                "url": "https://ex.com/a\u0000b",
                "summary": body,
            },
            {"id": "upper", "title": "Upper", "url": "HTTPS://EX.COM/Up", "summary": body},
        ),
    )
    since = len(api.calls())
    feed = await store.get_feed(added.feed.id)
    assert feed is not None
    report = await poller.poll(feed, NOW + timedelta(hours=1))
    assert report.new_entries == 3
    await drain_outbox(running_bot.context())

    calls = api.calls()[since:]
    pushes = [c for c in calls if c.method == "sendMessage" and c.params["chat_id"] == USER]
    assert len(pushes) == 3
    assert all(push.ok for push in pushes), [p.response for p in pushes if not p.ok]
    texts = {push.response["result"]["text"].split("\n")[0]: push for push in pushes}
    # The emoji title is cut within Telegram's limits, and left unlinked: its link was absurd.
    emoji = next(push for title, push in texts.items() if title.startswith("😀"))
    assert not any(e["type"] == "text_link" for e in emoji.response["result"]["entities"])
    # The title's "<b>" is text the publisher wrote; the NUL is gone from the link.
    nul = texts["A <b>NUL</b>"]
    links = [e["url"] for e in nul.response["result"]["entities"] if e["type"] == "text_link"]
    assert "https://ex.com/ab" in links
    upper = texts["Upper"]
    links = [e["url"] for e in upper.response["result"]["entities"] if e["type"] == "text_link"]
    assert "https://ex.com/Up" in links
