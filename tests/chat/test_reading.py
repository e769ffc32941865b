"""Reading past an article's last page follows the publisher's next page, fetched once."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.store import ChatKind, NewArticle
from bot.core.models import Digest, Entry, Page
from tests.conftest import USER, RunningBot
from tests.fakes.feedserver import FeedServer

NOW = datetime(2026, 5, 1, tzinfo=UTC)
NEXT_PAGE = """<html><head><title>Part 2</title></head><body><article>
<h1>Part 2</h1>
<h2>What happened next</h2>
<p>✅ The council approved the plan after a long debate.</p>
<p>✅ Work starts in the spring and ends next year.</p>
</article></body></html>""".encode()


async def article(running_bot: RunningBot, next_url: str | None) -> int:
    store = running_bot.store
    topic = await store.add_topic("city", "City")
    feed = await store.add_feed(topic.id, "https://example.com/feed")
    digest = Digest(
        title="A new bridge",
        url="https://example.com/bridge",
        source_name="Example",
        published=NOW,
        lang="en",
        lede="A bridge is planned.",
        key_points=("It is long.",),
        pages=(Page("The plan", ("A bridge over the river.",)),),
        next_url=next_url,
        next_title="Part 2",
    )
    entry = Entry("bridge", digest.title, digest.url, "", NOW, "en")
    (article_id,) = await store.save_poll(
        feed.id,
        [NewArticle(entry, digest)],
        polled_at=NOW,
        next_poll_at=NOW,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=False,
    )
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    return article_id


async def last_page(running_bot: RunningBot, article_id: int) -> int:
    """Open the article from /latest and go to its (only) page; returns that message's id."""
    api = running_bot.api
    listing = await running_bot.command(USER, "/latest")
    since = len(api.calls())
    await running_bot.press(USER, f"o:{article_id}", listing.result["message_id"])
    push = await api.wait_for_call_async("sendMessage", since=since)
    since = len(api.calls())
    await running_bot.press(USER, f"n:{article_id}:0", push.result["message_id"])
    page = await api.wait_for_call_async("sendMessage", since=since)
    assert "Page 1 of 1" in page.params["text"]
    return int(page.result["message_id"])


async def test_next_page_follows_the_publishers_link_once(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    feed_server.route("/bridge-2.html", body=NEXT_PAGE, headers={"Content-Type": "text/html"})
    article_id = await article(running_bot, feed_server.url("/bridge-2.html"))
    api = running_bot.api
    message_id = await last_page(running_bot, article_id)
    since = len(api.calls())
    await running_bot.press(USER, f"n:{article_id}:1", message_id)
    page = await api.wait_for_call_async(
        "sendMessage", lambda c: "✅" in c.params.get("text", ""), since=since
    )
    assert "<b>What happened next</b>" in page.params["text"]
    assert "✅ The council approved the plan after a long debate." in page.params["text"]
    assert "Page 2 of 2" in page.params["text"]
    stored = await running_bot.store.get_digest(article_id)
    assert stored is not None
    assert len(stored.pages) == 2
    assert stored.next_url is None
    # Reading it again costs nothing: the page is cached in the digest.
    since = len(api.calls())
    await running_bot.press(USER, f"n:{article_id}:1", message_id)
    await api.wait_for_call_async(
        "sendMessage", lambda c: "✅" in c.params.get("text", ""), since=since
    )
    assert len(feed_server.requests("/bridge-2.html")) == 1


async def test_a_next_page_that_fails_is_dropped_and_reading_moves_on(
    running_bot: RunningBot, feed_server: FeedServer
) -> None:
    feed_server.route("/bridge-gone.html", status=404)
    article_id = await article(running_bot, feed_server.url("/bridge-gone.html"))
    message_id = await last_page(running_bot, article_id)
    since = len(running_bot.api.calls())
    await running_bot.press(USER, f"n:{article_id}:1", message_id)
    reply = await running_bot.api.wait_for_call_async("sendMessage", since=since)
    assert (
        reply.params["text"] == "No more pages in “A new bridge”, and no unread articles left. 🎉"
    )
    stored = await running_bot.store.get_digest(article_id)
    assert stored is not None
    assert stored.next_url is None
