"""Every admin and reader message stays within Telegram's limits and escapes what feeds supply.

Hypothesis feeds every renderer of `render_admin`, `render_feeds` and `render_reader` with
arbitrary titles, URLs, errors, topic names and keywords (markup, entities, astral characters,
lone surrogates, strings of thousands of characters) and many feeds, in both languages.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import outcomes
from bot.core.callbacks import MAX_CALLBACK_BYTES, decode
from bot.core.discovery import FoundFeed
from bot.core.filters import MAX_KEYWORDS
from bot.core.models import BotStats, Digest, Feed, LinkPreview, Topic
from bot.core.opml import Refused
from bot.core.polls import Outcome, PollReport
from bot.core.render import MAX_MESSAGE_CHARS, Rendered, utf16_len
from bot.core.render_admin import (
    render_add_topic,
    render_cannot_post,
    render_channel_bound,
    render_channel_unbound,
    render_channel_unseen,
    render_delete_question,
    render_document_problem,
    render_export_caption,
    render_filters,
    render_filters_saved,
    render_import,
    render_not_a_channel,
    render_reading,
    render_rename_topic,
    render_topic_deleted,
    render_topic_removed,
    render_topic_settings,
)
from bot.core.render_feeds import (
    render_add_feed,
    render_checking,
    render_feed_enabled,
    render_feed_removed,
    render_health,
    render_health_event,
    render_not_one_feed,
    render_poll_summary,
    render_stats,
)
from bot.core.render_reader import (
    render_help,
    render_latest,
    render_my_topics,
    render_no_such_topic,
    render_settings,
    render_subscription,
    render_toggled,
    render_unknown_command,
)
from bot.core.schedule import Alert, Disable
from bot.locales import load_translators
from tests.core.test_render import parse

T = TypeVar("T")
TRANSLATORS = load_translators()
LANGUAGES = (TRANSLATORS["en"], TRANSLATORS["ja"])
# What these renderers write themselves; any other tag came from feed text.
WRITTEN_TAGS = {"b", "code"}
MAX_ANSWER_CHARS = 200  # a button's answer (answerCallbackQuery)
MAX_CAPTION_CHARS = 1024
LIMITS = settings(max_examples=40, deadline=None)

# Feed-derived text: markup the renderers never write (so an unescaped field shows up as a
# foreign tag or breaks the nesting), entities, bidi controls, astral and lone surrogates.
text = st.lists(
    st.characters(exclude_categories=("Cc",))
    | st.sampled_from(
        [
            "<",
            ">",
            "&",
            '"',
            "'",
            "&amp;",
            "&lt;",
            "<b>",
            "</b>",
            "</code>",
            "<u>",
            "<i>",
            "<tg-spoiler>",
            '<a href="https://evil.example/">',
            "</a>",
            "\u202e",
            "😀",
            "日本",
            "\ud800",
            "\n",
        ]
    )
    | st.just("x" * 3000)
    | st.just("😀" * 1500),
    max_size=12,
).map("".join)
ids = st.integers(min_value=1, max_value=2**62)
counts = st.integers(min_value=0, max_value=2**31)
# Hypothesis takes naive bounds and adds the timezone itself.
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def many(items: st.SearchStrategy[T]) -> st.SearchStrategy[list[T]]:
    """A few arbitrary items, repeated up to a hundred times: lists long enough to be cut."""
    copies = st.sampled_from([1, 2, 10, 100])
    return st.builds(operator.mul, st.lists(items, max_size=6), copies)


@st.composite
def topics(draw: st.DrawFn) -> Topic:
    words = draw(st.lists(text, max_size=MAX_KEYWORDS))
    split = draw(st.integers(min_value=0, max_value=len(words)))
    return Topic(
        draw(ids),
        draw(text),
        draw(text),
        include=tuple(words[:split]),
        exclude=tuple(words[split:]),
        link_preview=draw(st.sampled_from([None, *LinkPreview])),
    )


feeds = st.builds(
    Feed,
    id=ids,
    topic_id=st.integers(min_value=1, max_value=5),
    url=text,
    title=text,
    last_polled_at=st.none() | moments,
    last_success_at=st.none() | moments,
    failures=counts,
    last_error=st.none() | text,
    disabled=st.booleans(),
    disabled_reason=st.none() | text,
)
reports = st.builds(
    PollReport,
    feed=feeds,
    outcome=st.sampled_from(Outcome),
    new_entries=counts,
    error=st.none() | text,
    problem=st.none() | text,
    title=text,
)
stats = st.builds(BotStats, *[counts] * 10)
digests = st.builds(
    Digest,
    title=text,
    url=text,
    source_name=text,
    published=st.none(),
    lang=st.just("en"),
    lede=text,
    key_points=st.just(()),
)


def check(messages: Sequence[str | Rendered]) -> None:
    """Within 4,096 UTF-16 units as Telegram counts them, and only the renderer's own tags."""
    for message in messages:
        rendered = message if isinstance(message, Rendered) else Rendered(message)
        parsed = parse(rendered.html)
        assert parsed.tags <= WRITTEN_TAGS
        assert 0 < utf16_len("".join(parsed.text)) <= MAX_MESSAGE_CHARS
        for row in rendered.buttons:
            for button in row:
                assert button.text
                assert button.data is not None
                assert len(button.data.encode()) <= MAX_CALLBACK_BYTES
                assert decode(button.data) is not None


@LIMITS
@given(topic=topics(), old=topics(), typed=text, chats=counts, told=counts)
def test_topic_messages(topic: Topic, old: Topic, typed: str, chats: int, told: int) -> None:
    for tr in LANGUAGES:
        check(
            [
                render_add_topic(tr, outcomes.TopicAdded(topic)),
                render_add_topic(tr, outcomes.TopicExists(typed)),
                render_add_topic(tr, outcomes.BadSlug(typed)),
                render_rename_topic(tr, outcomes.TopicRenamed(old, topic)),
                render_rename_topic(tr, outcomes.NoSuchTopic(typed, typed, any_topics=True)),
                render_delete_question(tr, topic, chats),
                *(render_topic_settings(tr, topic, mode) for mode in LinkPreview),
                render_topic_deleted(tr, topic, told, chats),
                render_topic_removed(tr, topic),
                render_filters(tr, topic),
                render_filters_saved(tr, topic),
            ]
        )


@LIMITS
@given(channel=text, topic=topics(), bound=st.booleans())
def test_channel_messages(channel: str, topic: Topic, bound: bool) -> None:
    for tr in LANGUAGES:
        check(
            [
                render_channel_bound(tr, channel, topic, new=bound),
                render_channel_unbound(tr, channel, topic, was_bound=bound),
                render_channel_unseen(tr, channel),
                render_not_a_channel(tr, channel),
                render_cannot_post(tr, channel),
            ]
        )


@LIMITS
@given(
    topic=topics(),
    file_name=text,
    size=counts,
    refused=many(st.builds(Refused, url=text, reason=text)),
    reason=text,
    added=counts,
    duplicates=counts,
)
def test_opml_messages(
    topic: Topic,
    file_name: str,
    size: int,
    refused: list[Refused],
    reason: str,
    added: int,
    duplicates: int,
) -> None:
    imported = outcomes.Imported(topic, added, duplicates, tuple(refused))
    for tr in LANGUAGES:
        problem = render_document_problem(tr, file_name, size)
        check(
            [
                render_import(tr, imported),
                render_import(tr, outcomes.NotOpml(reason)),
                render_import(tr, outcomes.TooManyFeeds(added)),
                render_reading(tr, file_name),
                *([problem] if problem else []),
            ]
        )
        caption = render_export_caption(tr, outcomes.Exported(b"", added, duplicates))
        assert utf16_len(caption) <= MAX_CAPTION_CHARS


@LIMITS
@given(topic=topics(), report=reports, url=text, reason=text, feed=feeds, ref=text)
def test_feed_messages(
    topic: Topic, report: PollReport, url: str, reason: str, feed: Feed, ref: str
) -> None:
    failures = report.feed.failures
    for tr in LANGUAGES:
        check(
            [
                render_add_feed(tr, outcomes.FeedAdded(topic, report, found_on=url)),
                render_add_feed(tr, outcomes.FeedAlreadyThere(topic, url)),
                render_add_feed(tr, outcomes.FeedRefused(url, reason)),
                render_add_feed(
                    tr,
                    outcomes.FeedChoices(
                        topic, url, tuple(FoundFeed(url, reason, "RSS") for _ in range(10))
                    ),
                ),
                render_checking(tr, url),
                render_feed_removed(tr, outcomes.FeedRemoved(feed, topic)),
                render_feed_removed(tr, outcomes.FeedRemoved(feed, None)),
                render_feed_enabled(tr, outcomes.FeedEnabled(feed, was_disabled=True)),
                render_feed_enabled(tr, outcomes.FeedEnabled(feed, was_disabled=False)),
                render_not_one_feed(tr, outcomes.NoSuchFeed(ref), {}),
                render_health_event(tr, feed, Alert(failures), reason),
                render_health_event(tr, feed, Disable(failures), reason),
            ]
        )


@LIMITS
@given(
    listed=many(feeds),
    known=st.lists(topics(), max_size=5),
    polled=many(reports),
    numbers=stats,
    now=moments,
)
def test_messages_about_many_feeds(
    listed: list[Feed],
    known: list[Topic],
    polled: list[PollReport],
    numbers: BotStats,
    now: datetime,
) -> None:
    by_id = dict(enumerate(known, 1))
    ambiguous = outcomes.AmbiguousFeed(tuple(listed) or (Feed(1, 1, ""),))
    for tr in LANGUAGES:
        check(
            [
                render_health(tr, listed, by_id, now),
                render_poll_summary(tr, polled),
                render_stats(tr, numbers, listed),
                render_not_one_feed(tr, ambiguous, by_id),
            ]
        )


@LIMITS
@given(
    mine=many(topics()),
    latest=many(st.tuples(ids, digests)),
    topic=topics(),
    typed=text,
    subscribed=st.booleans(),
    changed=st.booleans(),
    clock=st.none() | st.times(),
)
def test_reader_messages(
    mine: list[Topic],
    latest: list[tuple[int, Digest]],
    topic: Topic,
    typed: str,
    subscribed: bool,
    changed: bool,
    clock: time | None,
) -> None:
    change = outcomes.SubscriptionChanged(topic, subscribed, changed)
    for tr in LANGUAGES:
        check(
            [
                render_my_topics(tr, mine),
                render_latest(tr, latest),
                render_subscription(tr, change),
                render_no_such_topic(tr, outcomes.NoSuchTopic(typed, typed, any_topics=True)),
                render_unknown_command(tr, typed),
                render_help(tr, admin=True),
                render_help(tr, admin=False),
                render_settings(
                    tr,
                    daily_at=clock,
                    timezone=typed,
                    quiet=(clock, clock) if clock else None,
                    paused=changed,
                ),
            ]
        )
        assert 0 < utf16_len(render_toggled(tr, change)) <= MAX_ANSWER_CHARS


@settings(max_examples=60, deadline=None)
@given(value=st.text(alphabet="<>&\"'ab", min_size=1, max_size=40))
def test_feed_text_is_shown_as_written_not_interpreted(value: str) -> None:
    """What a feed or a user wrote reaches the reader as the same characters, never as markup."""
    topic = Topic(1, value, value, include=(value,))
    feed = Feed(1, 1, value, value, last_error=value, disabled=True, disabled_reason=value)
    report = PollReport(feed, Outcome.FAILED, error=value, problem=value, title=value)
    imported = outcomes.Imported(topic, 0, 0, (Refused(value, value),))
    for tr in LANGUAGES:
        for html in [
            render_topic_removed(tr, topic),
            render_filters(tr, topic),
            render_my_topics(tr, [topic]),
            render_channel_unseen(tr, value),
            render_no_such_topic(tr, outcomes.NoSuchTopic(value, value, any_topics=True)),
            render_unknown_command(tr, value),
            render_settings(tr, daily_at=None, timezone=value, quiet=None, paused=False),
            render_import(tr, imported),
            render_import(tr, outcomes.NotOpml(value)),
            render_add_feed(tr, outcomes.FeedAdded(topic, report)).html,
            render_add_feed(tr, outcomes.FeedRefused(value, value)).html,
            render_health(tr, [feed], {1: topic}, datetime(2026, 1, 1, tzinfo=UTC)),
            render_poll_summary(tr, [report]),
            render_health_event(tr, feed, Alert(10), value),
            render_latest(tr, [(1, Digest(value, "", "", None, "en", "", ()))]).html,
        ]:
            assert value in "".join(parse(html).text)
