"""What the command line prints: one line per thing, English for operators, correct plurals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.core import outcomes
from bot.core.models import Feed, Topic
from bot.core.polls import Outcome, PollReport


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """ "1 feed", "2 feeds", "1 entry", "3 entries"."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def describe_poll(report: PollReport) -> str:
    """One line for a poll report."""
    head = f"feed {report.feed.id} {report.feed.url}:"
    if report.outcome is Outcome.FAILED:
        return f"{head} error: {report.error}"
    if report.outcome is Outcome.NOT_MODIFIED:
        return f"{head} not modified"
    note = f" (ill-formed: {report.problem})" if report.problem else ""
    pushed = "" if report.pushed else ", first poll: marked as seen, none pushed"
    entries = plural(report.new_entries, "new entry", "new entries")
    return f"{head} {entries}, {plural(report.digests, 'digest')}{pushed}{note}"


def topic_problem(problem: outcomes.BadSlug | outcomes.BadName) -> str:
    """Why a slug or name cannot be a topic's."""
    if isinstance(problem, outcomes.BadSlug):
        return f"'{problem.slug}' is not a valid slug: use a-z, 0-9, - and _ (max 32)"
    return f"a topic name is 1 to {problem.max_chars} characters"


def no_such_topic(missing: outcomes.NoSuchTopic) -> str:
    """There is no such topic, and the one meant, if any."""
    guess = f": did you mean '{missing.guess}'?" if missing.guess else ""
    return f"no topic '{missing.name}'{guess}"


def not_one_feed(outcome: outcomes.NoSuchFeed | outcomes.AmbiguousFeed) -> str:
    """There is no such feed, or the URL is in several topics (name one by its id)."""
    if isinstance(outcome, outcomes.NoSuchFeed):
        return f"no feed {outcome.ref}"
    ids = ", ".join(str(feed.id) for feed in outcome.feeds)
    return f"that URL is a feed of several topics: remove one by its id ({ids})"


def topic_table(
    topics: Sequence[Topic], feeds: Sequence[Feed], subscribers: Mapping[int, int]
) -> list[str]:
    """Topics, one a line: slug, name, feeds, subscribers (tab-separated)."""
    lines = []
    for topic in topics:
        count = sum(f.topic_id == topic.id for f in feeds)
        readers = plural(subscribers.get(topic.id, 0), "subscriber")
        lines.append(f"{topic.slug}\t{topic.name}\t{plural(count, 'feed')}\t{readers}")
    return lines


FEED_COLUMNS = ("id", "topic", "state", "last poll", "next poll", "url", "title", "last error")


def feed_table(feeds: Sequence[Feed], topics: Mapping[int, Topic]) -> list[str]:
    """Feeds under a header: id, topic, state, last and next poll, URL, title, last error."""
    lines = ["\t".join(FEED_COLUMNS)]
    for feed in feeds:
        topic = topics.get(feed.topic_id)
        state = (
            "disabled"
            if feed.disabled
            else f"failing ({plural(feed.failures, 'failure')})"
            if feed.failures
            else "new"
            if feed.never_polled
            else "ok"
        )
        row = (
            str(feed.id),
            topic.slug if topic else "?",
            state,
            _when(feed.last_polled_at, "never"),
            "-" if feed.disabled else _when(feed.next_poll_at, "now"),
            feed.url,
            feed.title,
            feed.last_error or "",
        )
        lines.append("\t".join(row).rstrip("\t"))
    return lines


def _when(moment: datetime | None, otherwise: str) -> str:
    return moment.isoformat(timespec="seconds") if moment else otherwise
