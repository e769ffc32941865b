"""The operations chat and CLI share, against a real SQLite file and the local feed server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.http import Fetcher
from bot.adapters.store import ChatKind, Store
from bot.core import outcomes
from bot.core.models import Feed
from bot.core.polls import Outcome
from bot.operations import feeds, subscriptions, topics
from bot.pipeline import Poller
from tests.fakes.feedserver import FeedServer
from tests.test_pipeline import rss

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def poller(store: Store) -> AsyncIterator[Poller]:
    async with Fetcher(allow_private=True, deadline=5.0) as fetcher:
        yield Poller(store, fetcher, timedelta(minutes=10))


@pytest.mark.parametrize(
    ("slug", "name", "expected"),
    [
        pytest.param("Tech", "Technology", "added:tech", id="slug-lower-cased"),
        pytest.param(" news ", "News", "added:news", id="slug-stripped"),
        pytest.param("no spaces", "News", outcomes.BadSlug("no spaces"), id="bad-slug"),
        pytest.param("ok", "   ", outcomes.BadName(), id="blank-name"),
        pytest.param("ok", "x" * 65, outcomes.BadName(), id="long-name"),
    ],
)
async def test_add_topic_applies_one_slug_rule(
    store: Store, slug: str, name: str, expected: object
) -> None:
    outcome = await topics.add_topic(store, slug, name)
    if isinstance(outcome, outcomes.TopicAdded):
        assert f"added:{outcome.topic.slug}" == expected
        assert outcome.topic.name == name.strip()
    else:
        assert outcome == expected


async def test_a_taken_slug_in_any_case_is_refused(store: Store) -> None:
    await topics.add_topic(store, "tech", "Tech")
    assert await topics.add_topic(store, "TECH", "Other") == outcomes.TopicExists("tech")


async def test_find_rename_and_remove_a_topic(store: Store) -> None:
    added = await topics.add_topic(store, "tech", "Tech")
    assert isinstance(added, outcomes.TopicAdded)
    await store.upsert_chat(7, kind=ChatKind.PRIVATE, title="reader")
    await store.subscribe(7, added.topic.id)

    assert await topics.find_topic(store, "tehc") == outcomes.NoSuchTopic("tehc", "tech", True)
    assert await topics.find_topic(store, "TECH") == added.topic
    renamed = await topics.rename_topic(store, "Tech", " Technology ")
    assert isinstance(renamed, outcomes.TopicRenamed)
    assert (renamed.old.name, renamed.topic.name) == ("Tech", "Technology")
    assert await topics.rename_topic(store, "tech", "") == outcomes.BadName()

    removed = await topics.remove_topic(store, renamed.topic)
    assert removed == outcomes.TopicRemoved(renamed.topic, (7,))
    # A second removal (a second press of [Delete]) finds it gone.
    assert await topics.remove_topic(store, renamed.topic) == outcomes.NoSuchTopic(
        "tech", None, False
    )


async def test_feeds_are_found_by_id_or_url_and_an_ambiguous_url_is_refused(
    store: Store,
) -> None:
    tech = await store.add_topic("tech", "Tech")
    news = await store.add_topic("news", "News")
    url = "https://example.com/feed.xml"
    first = await store.add_feed(tech.id, url)
    second = await store.add_feed(news.id, url)

    assert await feeds.find_feed(store, f"#{first.id}") == first
    assert await feeds.find_feed(store, str(second.id)) == second
    assert await feeds.find_feed(store, "https://nowhere.example/") == outcomes.NoSuchFeed(
        "https://nowhere.example/"
    )
    ambiguous = await feeds.remove_feed(store, url)
    assert isinstance(ambiguous, outcomes.AmbiguousFeed)
    assert {f.id for f in ambiguous.feeds} == {first.id, second.id}
    assert len(await store.list_feeds()) == 2, "nothing is removed when the URL is ambiguous"

    removed = await feeds.remove_feed(store, str(first.id))
    assert removed == outcomes.FeedRemoved(first, tech)
    # Now the URL names one feed.
    assert await feeds.find_feed(store, url) == second


async def test_add_feed_checks_the_feed_once(
    store: Store, poller: Poller, feed_server: FeedServer
) -> None:
    feed_server.route("/ops.xml", body=rss(("a", "Alpha"), ("b", "Beta")))
    topic = await store.add_topic("news", "News")
    url = feed_server.url("/ops.xml")

    added = await feeds.add_feed(store, poller, topic, url, NOW)
    again = await feeds.add_feed(store, poller, topic, url, NOW)
    missing = await feeds.add_feed(store, poller, topic, feed_server.url("/missing.xml"), NOW)

    assert isinstance(added, outcomes.FeedAdded)
    assert (added.topic, added.report.new_entries, added.report.title) == (
        topic,
        2,
        "Example News",
    )
    assert again == outcomes.FeedAlreadyThere(topic, url)
    assert isinstance(missing, outcomes.FeedRefused)
    assert "HTTP 404" in missing.reason
    assert [f.url for f in await store.list_feeds()] == [url]


async def test_enable_feed(store: Store) -> None:
    topic = await store.add_topic("news", "News")
    feed = await store.add_feed(topic.id, "https://example.com/a.xml")
    await store.record_failure(
        feed.id, error="boom", polled_at=NOW, next_poll_at=NOW, disable_reason="too many"
    )
    enabled = await feeds.enable_feed(store, str(feed.id))
    again = await feeds.enable_feed(store, str(feed.id))
    assert isinstance(enabled, outcomes.FeedEnabled)
    assert isinstance(again, outcomes.FeedEnabled)
    assert (enabled.was_disabled, again.was_disabled) == (True, False)
    assert isinstance(enabled.feed, Feed)


async def test_subscriptions_by_name_and_by_button(store: Store) -> None:
    topic = await store.add_topic("tech", "Tech")
    await store.upsert_chat(7, kind=ChatKind.PRIVATE, title="reader")

    on = await subscriptions.set_subscription(store, 7, "TECH", on=True)
    again = await subscriptions.set_subscription(store, 7, "tech", on=True)
    toggled = await subscriptions.toggle_subscription(store, 7, topic.id)
    missing = await subscriptions.set_subscription(store, 7, "nope", on=True)

    assert on == outcomes.SubscriptionChanged(topic, subscribed=True, changed=True)
    assert again == outcomes.SubscriptionChanged(topic, subscribed=True, changed=False)
    assert toggled == outcomes.SubscriptionChanged(topic, subscribed=False, changed=True)
    assert missing == outcomes.NoSuchTopic("nope", None, True)
    assert await subscriptions.toggle_subscription(store, 7, 999) is None


def home_page(*feeds: str) -> bytes:
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" title="Feed {n}" href="{href}">'
        for n, href in enumerate(feeds, 1)
    )
    return f"<!DOCTYPE html><html><head>{links}</head><body>Hi</body></html>".encode()


async def test_a_home_page_that_names_one_feed_adds_that_feed(
    store: Store, poller: Poller, feed_server: FeedServer
) -> None:
    feed_server.route("/site/feed.xml", body=rss(("a", "Alpha")))
    feed_server.route("/site/", body=home_page("feed.xml"), headers={"Content-Type": "text/html"})
    topic = await store.add_topic("news", "News")
    page = feed_server.url("/site/")

    added = await feeds.add_feed(store, poller, topic, page, NOW)

    assert isinstance(added, outcomes.FeedAdded)
    assert (added.found_on, added.report.feed.url) == (page, feed_server.url("/site/feed.xml"))
    assert [f.url for f in await store.list_feeds()] == [feed_server.url("/site/feed.xml")]
    again = await feeds.add_feed(store, poller, topic, page, NOW)
    assert again == outcomes.FeedAlreadyThere(topic, feed_server.url("/site/feed.xml"))


async def test_a_page_that_names_several_feeds_asks_which(
    store: Store, poller: Poller, feed_server: FeedServer
) -> None:
    feed_server.route(
        "/multi/", body=home_page("/a.xml", "/b.xml"), headers={"Content-Type": "text/html"}
    )
    feed_server.route("/plain/", body=home_page(), headers={"Content-Type": "text/html"})
    topic = await store.add_topic("news", "News")

    choices = await feeds.add_feed(store, poller, topic, feed_server.url("/multi/"), NOW)
    none = await feeds.add_feed(store, poller, topic, feed_server.url("/plain/"), NOW)

    assert isinstance(choices, outcomes.FeedChoices)
    assert [(f.url, f.title) for f in choices.feeds] == [
        (feed_server.url("/a.xml"), "Feed 1"),
        (feed_server.url("/b.xml"), "Feed 2"),
    ]
    assert none == outcomes.FeedRefused(
        feed_server.url("/plain/"), "not an RSS or Atom feed (it is an HTML page)"
    )
    assert await store.list_feeds() == []


async def test_a_seeded_home_page_is_polled_as_the_feed_it_names(
    store: Store, poller: Poller, feed_server: FeedServer
) -> None:
    feed_server.route("/seeded/feed.xml", body=rss(("a", "Alpha"), ("b", "Beta")))
    feed_server.route(
        "/seeded/", body=home_page("feed.xml"), headers={"Content-Type": "text/html"}
    )
    topic = await store.add_topic("news", "News")
    seeded = await store.add_feed(topic.id, feed_server.url("/seeded/"))

    report = await poller.poll(seeded, NOW)

    assert (report.outcome, report.new_entries) == (Outcome.NEW, 2)
    stored = await store.get_feed(seeded.id)
    assert stored is not None
    assert stored.url == feed_server.url("/seeded/feed.xml")
