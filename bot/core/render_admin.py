"""What admins are told about topics, filters, channels and OPML files, as Telegram HTML.

Pure: the handlers in `bot.chat.admin`, `admin_channels` and `admin_opml` call the operations
and reply with these texts. Feed texts (/addfeed, /feeds, /stats, alerts) are in `render_feeds`.
"""

from __future__ import annotations

import html
from typing import Final

from bot.core import outcomes
from bot.core.callbacks import Action, encode
from bot.core.filters import MAX_KEYWORD_CHARS, MAX_KEYWORDS
from bot.core.i18n import Translator
from bot.core.models import LinkPreview, Topic
from bot.core.opml import MAX_OPML_BYTES
from bot.core.render import (
    MAX_SHOWN_ARG_CHARS,
    MAX_SHOWN_ERROR_CHARS,
    MAX_SHOWN_NAME_CHARS,
    MAX_SHOWN_URL_CHARS,
    Button,
    Rendered,
    escape_text,
    shorten,
    topic_label,
)
from bot.core.render_reader import render_no_such_topic
from bot.core.topics import MAX_SLUG_CHARS

DEFAULT_PREVIEW: Final = "default"  # the LINK_PREVIEW button that follows the setting
OPML_SUFFIXES: Final = (".opml", ".xml")
MAX_LISTED_REFUSED: Final = 10


def render_add_topic(
    tr: Translator,
    outcome: outcomes.TopicAdded | outcomes.TopicExists | outcomes.BadSlug | outcomes.BadName,
) -> str:
    """A new topic and the command that adds feeds to it, or why there is none."""
    match outcome:
        case outcomes.TopicAdded(topic):
            text = tr.gettext("✅ Added the topic {topic}. Now add feeds: {command}")
            command = html.escape(f"/addfeed {shorten(topic.slug, MAX_SLUG_CHARS)} <url>")
            return text.format(topic=topic_label(topic), command=f"<code>{command}</code>")
        case outcomes.TopicExists(slug):
            text = tr.gettext("There is already a topic {slug}. Rename it with /renametopic.")
            return text.format(slug=f"<code>{escape_text(slug, MAX_SLUG_CHARS)}</code>")
        case problem:
            return render_topic_problem(tr, problem)


def render_rename_topic(
    tr: Translator, outcome: outcomes.TopicRenamed | outcomes.NoSuchTopic | outcomes.BadName
) -> str:
    """The old name and the new, or why the topic was not renamed."""
    match outcome:
        case outcomes.TopicRenamed(old, topic):
            text = tr.gettext("✏️ Renamed {old} to {topic}.")
            old_name = escape_text(old.name, MAX_SHOWN_NAME_CHARS)
            return text.format(old=old_name, topic=topic_label(topic))
        case outcomes.NoSuchTopic() as missing:
            return render_no_such_topic(tr, missing)
        case problem:
            return render_topic_problem(tr, problem)


def render_topic_problem(tr: Translator, problem: outcomes.BadSlug | outcomes.BadName) -> str:
    """Why a slug or name cannot be used for a topic."""
    if isinstance(problem, outcomes.BadSlug):
        text = tr.gettext(
            "“{slug}” cannot be a slug: use up to 32 lower-case letters, digits, - and _, "
            "starting with a letter or digit."
        )
        return text.format(slug=escape_text(problem.slug, MAX_SHOWN_ARG_CHARS))
    text = tr.gettext("A topic name has 1 to {count} characters.")
    return text.format(count=problem.max_chars)


def render_topic_settings(tr: Translator, topic: Topic, default: LinkPreview) -> Rendered:
    """A topic's settings: what its pushes preview, with a button for each choice (✓ on its own).

    `default` is DIGESTBOT_LINK_PREVIEW, which a topic without a setting of its own follows.
    """
    names = {
        LinkPreview.IMAGE: tr.gettext("the lead image"),
        LinkPreview.ARTICLE: tr.gettext("the article page"),
        LinkPreview.OFF: tr.gettext("none"),
    }
    lines = [tr.gettext("⚙️ Settings of {topic}").format(topic=topic_label(topic))]
    if topic.link_preview is None:
        shown = tr.gettext("Link preview above each push: {mode} (the default)")
        lines.append(shown.format(mode=names[default]))
    else:
        shown = tr.gettext("Link preview above each push: {mode}")
        lines.append(shown.format(mode=names[topic.link_preview]))
    choices = (
        (LinkPreview.IMAGE.value, tr.gettext("🖼 Lead image")),
        (LinkPreview.ARTICLE.value, tr.gettext("📰 Article page")),
        (LinkPreview.OFF.value, tr.gettext("🚫 No preview")),
        (DEFAULT_PREVIEW, tr.gettext("↩️ Default")),
    )
    chosen = topic.link_preview.value if topic.link_preview else DEFAULT_PREVIEW
    buttons = tuple(
        (
            Button(
                ("✓ " if value == chosen else "") + label,
                encode(Action.LINK_PREVIEW, topic.id, value),
            ),
        )
        for value, label in choices
    )
    return Rendered("\n".join(lines), buttons)


def render_delete_question(tr: Translator, topic: Topic, chats: int) -> Rendered:
    """Delete this topic, telling its `chats` subscribed chats? With [Delete] and [Cancel]."""
    question = tr.gettext("🗑 Delete the topic {topic}? Its feeds and articles go with it.")
    told = tr.ngettext(
        "{count} subscribed chat will be told.", "{count} subscribed chats will be told.", chats
    )
    buttons = (
        Button(tr.gettext("🗑 Delete"), encode(Action.DELETE_TOPIC, topic.id)),
        Button(tr.gettext("Cancel"), encode(Action.CANCEL)),
    )
    text = question.format(topic=topic_label(topic)) + "\n" + told.format(count=chats)
    return Rendered(text, (buttons,))


def render_topic_deleted(tr: Translator, topic: Topic, told: int, total: int) -> str:
    """The topic is gone; how many of its subscribed chats heard of it."""
    done = tr.gettext("🗑 Deleted the topic {topic}.")
    heard = tr.ngettext(
        "Told {count} of {total} subscribed chat.",
        "Told {count} of {total} subscribed chats.",
        total,
    )
    return done.format(topic=topic_label(topic)) + "\n" + heard.format(count=told, total=total)


def render_topic_removed(tr: Translator, topic: Topic) -> str:
    """What a subscribed chat hears when its topic is deleted."""
    text = tr.gettext("The topic {topic} was removed: no more digests will come from it.")
    return text.format(topic=f"<b>{escape_text(topic.name, MAX_SHOWN_NAME_CHARS)}</b>")


def render_filters(tr: Translator, topic: Topic) -> str:
    """A topic's filters, one line each, and the command that sets them again."""
    if not topic.include and not topic.exclude:
        text = tr.gettext("{topic} has no filters: every article passes.")
        return text.format(topic=topic_label(topic))
    # Keywords are at most MAX_KEYWORD_CHARS characters: cut in UTF-16 units, every
    # keyword of the BMP shows whole, and the longest list still fits one message twice.
    include = [shorten(word, MAX_KEYWORD_CHARS) for word in topic.include]
    exclude = [shorten(word, MAX_KEYWORD_CHARS) for word in topic.exclude]
    lines = [tr.gettext("Filters of {topic}:").format(topic=topic_label(topic))]
    if include:
        words = ", ".join(html.escape(w) for w in include)
        lines.append(tr.gettext("➕ Only articles that mention: {words}").format(words=words))
    if exclude:
        words = ", ".join(html.escape(w) for w in exclude)
        lines.append(tr.gettext("➖ Never articles that mention: {words}").format(words=words))
    signed = [f"+{w}" for w in include] + [f"-{w}" for w in exclude]
    slug = shorten(topic.slug, MAX_SLUG_CHARS)
    line = html.escape(f"/filter {slug} {' '.join(signed)}")
    lines.append(tr.gettext("To change them: {command}").format(command=f"<code>{line}</code>"))
    return "\n".join(lines)


def render_filters_saved(tr: Translator, topic: Topic) -> str:
    """Saved, then the filters as they are now."""
    return tr.gettext("Saved.") + "\n" + render_filters(tr, topic)


def render_filter_limits(tr: Translator) -> str:
    """How many keywords /filter takes, and how long each may be."""
    text = tr.gettext("At most {count} keywords, each at most {chars} characters long.")
    return text.format(count=MAX_KEYWORDS, chars=MAX_KEYWORD_CHARS)


def render_channel_bound(tr: Translator, channel: str, topic: Topic, *, new: bool) -> str:
    """The channel receives the topic now, or did already."""
    if new:
        text = tr.gettext("📣 {channel} now receives {topic}.")
    else:
        text = tr.gettext("{channel} receives {topic} already.")
    return text.format(channel=_channel(channel), topic=topic_label(topic))


def render_channel_unbound(tr: Translator, channel: str, topic: Topic, *, was_bound: bool) -> str:
    """The channel no longer receives the topic, or never did."""
    if was_bound:
        text = tr.gettext("{channel} no longer receives {topic}.")
    else:
        text = tr.gettext("{channel} was not receiving {topic}.")
    return text.format(channel=_channel(channel), topic=topic_label(topic))


def render_channel_unseen(tr: Translator, channel: str) -> str:
    """The bot cannot see the channel: add it first."""
    text = tr.gettext("I can't see the channel {channel}. Add me to it as an admin first.")
    return text.format(channel=_channel(channel))


def render_not_a_channel(tr: Translator, chat: str) -> str:
    """The chat named is a group or a private chat, not a channel."""
    return tr.gettext("{chat} is not a channel.").format(chat=_channel(chat))


def render_cannot_post(tr: Translator, channel: str) -> str:
    """The bot is in the channel but may not post there."""
    text = tr.gettext("I am not an admin of {channel} who may post. Make me one, then retry.")
    return text.format(channel=_channel(channel))


def render_document_problem(tr: Translator, file_name: str, size: int) -> str | None:
    """Why a document is not taken as OPML, known before downloading it; None if it may be."""
    if not file_name.lower().endswith(OPML_SUFFIXES):
        return tr.gettext("❌ Send an .opml or .xml file.")
    if size > MAX_OPML_BYTES:
        text = tr.gettext("❌ The file is too large: at most {size} KiB.")
        return text.format(size=MAX_OPML_BYTES // 1024)
    return None


def render_reading(tr: Translator, file_name: str) -> str:
    """The import's progress message, first: reading the file."""
    name = escape_text(file_name, MAX_SHOWN_URL_CHARS)
    return tr.gettext("⏳ Reading {file}…").format(file=name)


def render_import_progress(tr: Translator, done: int, total: int) -> str:
    """The import's progress message, while it checks the feeds."""
    text = tr.ngettext(
        "⏳ Checked {done} of {total} feed…", "⏳ Checked {done} of {total} feeds…", total
    )
    return text.format(done=done, total=total)


def render_import(tr: Translator, outcome: outcomes.ImportOutcome) -> str:
    """The import summary: added, duplicates, refused with their reasons (the first few)."""
    match outcome:
        case outcomes.NotOpml(reason):
            text = tr.gettext("❌ This is not an OPML file I can read: {reason}")
            return text.format(reason=escape_text(reason, MAX_SHOWN_ERROR_CHARS))
        case outcomes.TooManyFeeds(count, limit):
            text = tr.gettext("❌ The file lists {count} new feeds: at most {limit} per import.")
            return text.format(count=count, limit=limit)
    result = outcome
    lines = [
        tr.gettext("📥 Import into {topic}:").format(topic=topic_label(result.topic)),
        tr.ngettext("✅ {count} feed added", "✅ {count} feeds added", result.added).format(
            count=result.added
        ),
        tr.ngettext(
            "↩️ {count} feed was there already",
            "↩️ {count} feeds were there already",
            result.duplicates,
        ).format(count=result.duplicates),
        tr.ngettext(
            "❌ {count} feed refused", "❌ {count} feeds refused", len(result.refused)
        ).format(count=len(result.refused)),
    ]
    for refused in result.refused[:MAX_LISTED_REFUSED]:
        url = escape_text(refused.url, MAX_SHOWN_URL_CHARS)
        lines.append(f"• <code>{url}</code>: {escape_text(refused.reason, MAX_SHOWN_ERROR_CHARS)}")
    rest = len(result.refused) - MAX_LISTED_REFUSED
    if rest > 0:
        lines.append(
            tr.ngettext("…and {count} more.", "…and {count} more.", rest).format(count=rest)
        )
    return "\n".join(lines)


def render_export_caption(tr: Translator, exported: outcomes.Exported) -> str:
    """The caption of an exported OPML file: how many topics and feeds it holds."""
    topics, feeds = exported.topics, exported.feeds
    return " · ".join(
        [
            tr.ngettext("📤 {count} topic", "📤 {count} topics", topics).format(count=topics),
            tr.ngettext("{count} feed", "{count} feeds", feeds).format(count=feeds),
        ]
    )


def _channel(name: str) -> str:
    return f"<b>{escape_text(name, MAX_SHOWN_ARG_CHARS)}</b>"
