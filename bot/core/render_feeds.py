"""What admins are told about feeds, as Telegram HTML: adding, removing, health, polls, stats.

Pure: the handlers in `bot.chat.admin_feeds` and the alerts of `bot.chat.alerts` fetch what is
shown and send these texts. Every feed title, URL and error is cut to the limits in `render`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from bot.core import outcomes
from bot.core.callbacks import Action, encode
from bot.core.discovery import FoundFeed
from bot.core.i18n import Translator
from bot.core.models import BotStats, Feed, Topic
from bot.core.polls import Outcome, PollReport
from bot.core.reasons import translate_reason
from bot.core.render import (
    LIST_BUDGET,
    MAX_SHOWN_ERROR_CHARS,
    MAX_SHOWN_TITLE_CHARS,
    MAX_SHOWN_URL_CHARS,
    Button,
    Rendered,
    escape_text,
    fit_lines,
    render_plain,
    shorten,
    topic_label,
    utf16_len,
)
from bot.core.schedule import Alert, Disable, HealthEvent
from bot.core.topics import MAX_SLUG_CHARS

MAX_LISTED_PROBLEMS: Final = 10
CHOICE_BUTTON_CHARS: Final = 60


def feed_label(feed: Feed, title: str = "") -> str:
    """A feed's title (or its URL when it has none) in bold, as Telegram HTML."""
    return f"<b>{escape_text(title or feed.title or feed.url, MAX_SHOWN_TITLE_CHARS)}</b>"


def render_checking(tr: Translator, url: str) -> str:
    """The progress message of /addfeed while the feed is fetched once."""
    return tr.gettext("⏳ Checking {url}…").format(url=_code(url))


def render_add_feed(tr: Translator, outcome: outcomes.AddOutcome) -> Rendered:
    """What came of adding a feed: added (with its entry count, and the page that named it),
    already there, refused, or a page naming several feeds, with a button for each."""
    match outcome:
        case outcomes.FeedAdded(topic, report, page):
            text = _added(tr, report, topic)
            if page:
                found = tr.gettext("The page {page} names this feed.")
                text += "\n" + found.format(page=_code(page))
            return Rendered(text)
        case outcomes.FeedChoices(topic, page, choices):
            text = tr.ngettext(
                "🔎 {page} is a web page that names {count} feed. Which one shall I add to "
                "{topic}?",
                "🔎 {page} is a web page that names {count} feeds. Which one shall I add to "
                "{topic}?",
                len(choices),
            ).format(page=_code(page), count=len(choices), topic=topic_label(topic))
            buttons = tuple(
                (Button(_choice_label(found), encode(Action.ADD_FOUND_FEED, topic.id, n)),)
                for n, found in enumerate(choices)
            )
            return Rendered(text, buttons)
        case outcomes.FeedAlreadyThere(topic, url):
            text = tr.gettext("{url} is already in {topic}.")
            return Rendered(text.format(url=_code(url), topic=topic_label(topic)))
        case outcomes.FeedRefused(url, reason):
            text = tr.gettext("❌ Could not add {url}: {reason}").format(
                url=_code(url), reason=_reason(tr, reason)
            )
            return Rendered(text)


def render_choice_expired(tr: Translator) -> str:
    """A feed button pressed after the bot forgot the choices (a restart, say)."""
    return tr.gettext("That choice has expired: send /addfeed again.")


def _choice_label(found: FoundFeed) -> str:
    """A button's text: the feed's title (or format) and its address, short."""
    name = found.title or found.kind
    return shorten(f"{name} · {found.url.split('://', 1)[-1]}", CHOICE_BUTTON_CHARS)


def render_feed_removed(tr: Translator, removed: outcomes.FeedRemoved) -> str:
    """The feed is gone with its articles, from its topic."""
    topic = topic_label(removed.topic) if removed.topic else ""
    return tr.gettext("🗑 Removed {feed} from {topic}.").format(
        feed=feed_label(removed.feed), topic=topic
    )


def render_not_one_feed(
    tr: Translator,
    outcome: outcomes.NoSuchFeed | outcomes.AmbiguousFeed,
    topics: Mapping[int, Topic],
) -> str:
    """There is no such feed, or the URL is in several topics: which ids to choose from."""
    if isinstance(outcome, outcomes.NoSuchFeed):
        text = tr.gettext("There is no feed {feed}. See /feeds.")
        return text.format(feed=_code(outcome.ref))
    text = tr.gettext("That URL is in several topics. Remove one by its id:")
    lines = fit_lines(
        (f"• #{f.id}{_slug_in(topics.get(f.topic_id), ' ({})')}" for f in outcome.feeds),
        LIST_BUDGET - utf16_len(text),
        "\n",
    )
    rest = len(outcome.feeds) - len(lines)
    if rest:
        lines.append(_more_feeds(tr, rest))
    return "\n".join([text, *lines])


def render_feed_enabled(tr: Translator, enabled: outcomes.FeedEnabled) -> str:
    """The feed will be polled again, or was not disabled."""
    if enabled.was_disabled:
        text = tr.gettext("✅ {feed} #{id} is enabled again and will be polled shortly.")
    else:
        text = tr.gettext("{feed} #{id} is not disabled.")
    return text.format(feed=feed_label(enabled.feed), id=enabled.feed.id)


def render_health(
    tr: Translator, listed: Sequence[Feed], topics: Mapping[int, Topic], now: datetime
) -> str:
    """Feed health, one block per feed, cut with "…and N more" to fit one message."""
    header = tr.ngettext("📡 {count} feed", "📡 {count} feeds", len(listed)).format(
        count=len(listed)
    )
    blocks = fit_lines(
        (_health_block(tr, feed, topics.get(feed.topic_id), now) for feed in listed),
        LIST_BUDGET - utf16_len(header),
        "\n\n",
    )
    rest = len(listed) - len(blocks)
    if rest:
        blocks.append(_more_feeds(tr, rest))
    return "\n\n".join([f"<b>{header}</b>", *blocks])


def render_polling(tr: Translator, count: int) -> str:
    """The progress message of /pollnow while `count` feeds are polled."""
    text = tr.ngettext("⏳ Polling {count} feed…", "⏳ Polling {count} feeds…", count)
    return text.format(count=count)


def render_poll_summary(tr: Translator, reports: Sequence[PollReport]) -> str:
    """What /pollnow did: new entries, feeds not modified, feeds failed with their errors."""
    new = sum(r.new_entries for r in reports if r.outcome is Outcome.NEW)
    unchanged = sum(r.outcome is Outcome.NOT_MODIFIED for r in reports)
    failed = [r for r in reports if r.outcome is Outcome.FAILED]
    lines = [
        tr.ngettext("Polled {count} feed.", "Polled {count} feeds.", len(reports)),
        tr.ngettext("🆕 {count} new entry", "🆕 {count} new entries", new),
        tr.ngettext("💤 {count} feed not modified", "💤 {count} feeds not modified", unchanged),
        tr.ngettext("❌ {count} feed failed", "❌ {count} feeds failed", len(failed)),
    ]
    counts = (len(reports), new, unchanged, len(failed))
    lines = [line.format(count=n) for line, n in zip(lines, counts, strict=True)]
    lines += _problem_lines(tr, [(r.feed, r.error or "") for r in failed])
    return "\n".join(lines)


def render_stats(tr: Translator, numbers: BotStats, unhealthy: Sequence[Feed]) -> str:
    """The /stats message: one labelled number a line, then the feeds in trouble."""
    labelled = [
        (tr.gettext("📚 Topics: {count}"), numbers.topics),
        (tr.gettext("📡 Feeds: {count}"), numbers.feeds),
        (tr.gettext("👥 Subscribed chats: {count}"), numbers.subscribers),
        (tr.gettext("⏸ Paused chats: {count}"), numbers.paused_chats),
        (tr.gettext("🚫 Blocked or gone chats: {count}"), numbers.inactive_chats),
        (tr.gettext("📬 Deliveries pending: {count}"), numbers.pending),
        (tr.gettext("✅ Sent in the last 24 hours: {count}"), numbers.sent),
        (tr.gettext("❌ Failed in the last 24 hours: {count}"), numbers.failed),
        (tr.gettext("⚠️ Failing feeds: {count}"), numbers.failing_feeds),
        (tr.gettext("⛔ Disabled feeds: {count}"), numbers.disabled_feeds),
    ]
    if numbers.unconfirmed:
        # Sends that timed out twice: Telegram may have posted them, or not.
        unconfirmed = tr.gettext("❔ Timed out, maybe delivered, in the last 24 hours: {count}")
        labelled.insert(8, (unconfirmed, numbers.unconfirmed))
    title = render_plain(tr.gettext("📊 Stats"))
    lines = [f"<b>{title}</b>"]
    lines += [label.format(count=count) for label, count in labelled]
    problems = [(f, f.last_error or "") for f in unhealthy]
    return "\n".join(
        lines + _problem_lines(tr, problems, numbers.failing_feeds + numbers.disabled_feeds)
    )


def render_health_event(tr: Translator, feed: Feed, event: HealthEvent, error: str) -> str:
    """The admin message for a feed that keeps failing, or that was disabled."""
    count = event.failures
    if isinstance(event, Alert):
        headline = tr.ngettext(
            "⚠️ The feed {feed} #{id} has failed {count} time in a row.",
            "⚠️ The feed {feed} #{id} has failed {count} times in a row.",
            count,
        )
    else:
        headline = tr.ngettext(
            "⛔ The feed {feed} #{id} was disabled after {count} failure in a row.",
            "⛔ The feed {feed} #{id} was disabled after {count} failures in a row.",
            count,
        )
    lines = [
        headline.format(feed=feed_label(feed), id=feed.id, count=count),
        _code(feed.url),
        tr.gettext("Last error: {error}").format(error=_reason(tr, error)),
    ]
    if isinstance(event, Disable):
        lines.append(tr.gettext("Re-enable it with /enablefeed {id}").format(id=feed.id))
    return "\n".join(lines)


def _added(tr: Translator, report: PollReport, topic: Topic) -> str:
    count = report.new_entries
    text = tr.ngettext(
        "✅ Added {feed} to {topic}: {count} entry.",
        "✅ Added {feed} to {topic}: {count} entries.",
        count,
    ).format(feed=feed_label(report.feed, report.title), topic=topic_label(topic), count=count)
    if report.problem:
        note = tr.gettext("The feed is ill-formed but usable: {problem}")
        text += "\n" + note.format(problem=escape_text(report.problem, MAX_SHOWN_ERROR_CHARS))
    return text


def _health_block(tr: Translator, feed: Feed, topic: Topic | None, now: datetime) -> str:
    if feed.disabled:
        status = tr.gettext("⛔ disabled")
    elif feed.failures:
        status = tr.ngettext(
            "⚠️ {count} failure in a row", "⚠️ {count} failures in a row", feed.failures
        ).format(count=feed.failures)
    elif feed.last_success_at is None:
        status = tr.gettext("🆕 not polled yet")
    else:
        status = tr.gettext("✅ healthy")
    polled = (
        tr.format_ago(feed.last_polled_at, now) if feed.last_polled_at else tr.gettext("never")
    )
    lines = [
        f"{feed_label(feed)} #{feed.id}{_slug_in(topic, ' · {}')}",
        _code(feed.url),
        tr.gettext("Last poll: {when}").format(when=render_plain(polled)) + f" · {status}",
    ]
    if feed.last_error:
        error = _reason(tr, feed.last_error)
        lines.append(tr.gettext("Last error: {error}").format(error=error))
    if feed.disabled and feed.disabled_reason:
        reason = _reason(tr, feed.disabled_reason)
        lines.append(tr.gettext("Why disabled: {reason}").format(reason=reason))
    return "\n".join(lines)


def _problem_lines(
    tr: Translator, problems: Sequence[tuple[Feed, str]], total: int | None = None
) -> list[str]:
    """A line per feed and its error, at most MAX_LISTED_PROBLEMS, then "…and N more"."""
    lines = [
        f"• {feed_label(feed)} #{feed.id}: {_reason(tr, error)}"
        for feed, error in problems[:MAX_LISTED_PROBLEMS]
    ]
    rest = (len(problems) if total is None else total) - len(lines)
    if rest > 0:
        lines.append(_more_feeds(tr, rest))
    return lines


def _more_feeds(tr: Translator, rest: int) -> str:
    text = tr.ngettext("…and {count} more feed.", "…and {count} more feeds.", rest)
    return text.format(count=rest)


def _slug_in(topic: Topic | None, template: str) -> str:
    """The topic's slug in `template`, or nothing for a feed whose topic is unknown."""
    return template.format(escape_text(topic.slug, MAX_SLUG_CHARS)) if topic else ""


def _reason(tr: Translator, reason: str) -> str:
    """A fetch or parse failure (stored in English) in tr's language, escaped and cut."""
    return escape_text(translate_reason(tr, reason), MAX_SHOWN_ERROR_CHARS)


def _code(text: str) -> str:
    return f"<code>{escape_text(text, MAX_SHOWN_URL_CHARS)}</code>"
