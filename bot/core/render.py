"""Digests to Telegram HTML (escaped, within 4,096 characters) and to plain text for a terminal.

Also what every other message shares (`render_admin`, `render_feeds`, `render_reader`): one set
of limits for text that feeds and users supply, and the escaping helpers that apply them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from bot.core.callbacks import Action, encode
from bot.core.i18n import Translator
from bot.core.models import Digest, LinkPreview, Topic
from bot.core.text import valid_unicode
from bot.core.topics import MAX_NAME_CHARS as MAX_TOPIC_NAME_CHARS
from bot.core.topics import MAX_SLUG_CHARS

MAX_MESSAGE_CHARS: Final = 4096
MAX_TITLE_CHARS: Final = 256
MAX_LEDE_CHARS: Final = 600
MAX_POINT_CHARS: Final = 400
MAX_NAME_CHARS: Final = 120
MAX_SOURCES: Final = 10
MAX_BULLETS: Final = 5
PUSH_POINTS: Final = 3  # key points a push shows; 💡 is offered only when there are more
MAX_KEY_POINTS: Final = 8  # key points the 💡 message shows
MAX_BUNDLE_ITEMS: Final = 10
MAX_BUNDLE_TITLE_CHARS: Final = 150
MAX_BUNDLE_POINT_CHARS: Final = 200
BUNDLE_BUTTON_CHARS: Final = 40
ELLIPSIS: Final = "…"
MAX_PREVIEW_URL_CHARS: Final = 2048  # a longer URL is no lead image worth a preview

# What feeds and users supply, shown in admin and reader messages: one limit each, UTF-16 units.
MAX_SHOWN_TITLE_CHARS: Final = 80  # a feed's title
MAX_SHOWN_URL_CHARS: Final = 120  # a URL, or the name of a file sent
MAX_SHOWN_ERROR_CHARS: Final = 160  # a fetch error, a refusal or a feed's problem
MAX_SHOWN_ARG_CHARS: Final = 40  # a word typed back: a slug, a channel, a command
# Every valid topic name fits, even in astral characters (two UTF-16 units each).
MAX_SHOWN_NAME_CHARS: Final = 2 * MAX_TOPIC_NAME_CHARS
# A list in one message (feeds, topics): room left under the limit for its "…and N more" line.
LIST_BUDGET: Final = MAX_MESSAGE_CHARS - 200


@dataclass(frozen=True)
class Button:
    """An inline button: callback data or a URL."""

    text: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A message ready to send: Telegram HTML, rows of inline buttons, and its link preview.

    `preview` is the URL Telegram previews, large and above the text; "" shows no preview, not
    even of a link in the text.
    """

    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    preview: str = ""


def render_push(
    digest: Digest, article_id: int, tr: Translator, topic: str | None = None
) -> Rendered:
    """The push: linked bold title, lede, the key points under their header, read more, the
    topic it came from, and its buttons (💡 only when there are more points than shown)."""
    parts = [_title(digest)]
    if digest.lede and digest.lede not in digest.key_points[:1]:
        parts.append(_text(digest.lede, MAX_LEDE_CHARS))
    parts.append(_key_points(digest, tr, PUSH_POINTS))
    footer = _read_more(digest, tr)
    if topic:
        label = tr.gettext("Topic: {topic}").format(topic=shorten(topic, MAX_TOPIC_NAME_CHARS))
        footer += f"\n<i>{_text(label, MAX_NAME_CHARS + MAX_TOPIC_NAME_CHARS)}</i>"
    parts.append(footer)
    more_points = len(digest.key_points) > PUSH_POINTS
    buttons = article_buttons(article_id, tr, key_points=more_points)
    return Rendered("\n\n".join(p for p in parts if p), (buttons,))


def render_key_points(digest: Digest, article_id: int, tr: Translator) -> Rendered:
    """Every key point of an article (up to MAX_KEY_POINTS) under its title, or that it has
    none (a title-only entry)."""
    none = _text(tr.gettext("No summary for this article."), MAX_NAME_CHARS)
    points = _key_points(digest, tr, MAX_KEY_POINTS) or none
    body = "\n\n".join([_title(digest), points])
    return Rendered(body, (article_buttons(article_id, tr, key_points=False),))


def render_sources(digest: Digest, article_id: int, tr: Translator) -> Rendered:
    """Every cited or original source of an article, as links."""
    header = _text(tr.gettext("🔗 Sources"), MAX_NAME_CHARS)
    lines = [f"<b>{header}</b>", _title(digest)]
    for source in digest.all_sources[:MAX_SOURCES]:
        lines.append("• " + _link(source.url, source.title or source.url, MAX_TITLE_CHARS))
    buttons = article_buttons(article_id, tr, key_points=bool(digest.key_points))
    return Rendered("\n".join(lines), (buttons,))


def render_page(digest: Digest, article_id: int, index: int, tr: Translator) -> Rendered:
    """Page `index` of an article: its heading and ✅ bullets, then a button to go on."""
    page = digest.pages[index]
    counter = tr.gettext("Page {number} of {total}").format(
        number=index + 1, total=len(digest.pages)
    )
    lines = [_title(digest), f"<i>{_text(counter, MAX_NAME_CHARS)}</i>"]
    if page.heading:
        lines.append(f"<b>{_text(page.heading, MAX_TITLE_CHARS)}</b>")
    lines.extend(f"✅ {_text(bullet, MAX_POINT_CHARS)}" for bullet in page.bullets[:MAX_BULLETS])
    lines.append(_read_more(digest, tr))
    nav = (Button(tr.gettext("▶ Next page"), encode(Action.NEXT, article_id, index + 1)),)
    return Rendered("\n\n".join(lines), (nav,))


def render_bundle(header: str, items: Sequence[tuple[int, Digest]], tr: Translator) -> Rendered:
    """Several articles in one message: each title with its first key point and an open button.

    Used for a burst of articles of one topic, the daily digest and the catch-up after a pause.
    """
    shown = items[:MAX_BUNDLE_ITEMS]
    lines = [f"<b>{_text(header, MAX_TITLE_CHARS)}</b>"]
    for number, (_, digest) in enumerate(shown, 1):
        point = digest.key_points[0] if digest.key_points else digest.lede
        lines.append(
            f"{number}. "
            + _link(digest.url, digest.title or digest.url, MAX_BUNDLE_TITLE_CHARS)
            + (f"\n💡 {_text(point, MAX_BUNDLE_POINT_CHARS)}" if point else "")
        )
    if len(items) > len(shown):
        more = tr.ngettext("…and {count} more", "…and {count} more", len(items) - len(shown))
        lines.append(_text(more.format(count=len(items) - len(shown)), MAX_NAME_CHARS))
    buttons = tuple(
        (
            Button(
                f"{n}. " + shorten(d.title or d.url, BUNDLE_BUTTON_CHARS), encode(Action.OPEN, i)
            ),
        )
        for n, (i, d) in enumerate(shown, 1)
    )
    return Rendered("\n\n".join(lines), buttons)


def preview_url(digest: Digest, mode: LinkPreview) -> str:
    """What a push of digest previews under mode: its lead image, its page, or nothing ("")."""
    match mode:
        case LinkPreview.IMAGE:
            url = digest.image
        case LinkPreview.ARTICLE:
            url = digest.url
        case LinkPreview.OFF:
            url = ""
    if not url.startswith(("http://", "https://")) or utf16_len(url) > MAX_PREVIEW_URL_CHARS:
        return ""
    return valid_unicode(url)


def article_buttons(article_id: int, tr: Translator, *, key_points: bool) -> tuple[Button, ...]:
    """[💡 Key points] [🔗 Sources] [▶ Next page] for one article; 💡 only if it adds something."""
    points = Button(tr.gettext("💡 Key points"), encode(Action.KEY_POINTS, article_id))
    return (
        *((points,) if key_points else ()),
        Button(tr.gettext("🔗 Sources"), encode(Action.SOURCES, article_id)),
        Button(tr.gettext("▶ Next page"), encode(Action.NEXT, article_id, 0)),
    )


def render_text(digest: Digest, tr: Translator) -> str:
    """A digest as plain text for the terminal (`digestbot preview`), labelled in tr's language."""
    lines = [digest.title, digest.url]
    if digest.lede:
        lines += ["", digest.lede]
    if digest.key_points:
        lines += ["", tr.gettext("📘 What you'll learn")]
        lines += [f"  💡 {point}" for point in digest.key_points]
    for page in digest.pages:
        lines += ["", f"  {page.heading}" if page.heading else "  ─"]
        lines += [f"    ✅ {bullet}" for bullet in page.bullets]
    read_more = tr.gettext("Read more")
    lines += ["", f"{read_more} ⇒"]
    lines += [f"  {s.title} {s.url}".rstrip() for s in digest.all_sources]
    if digest.next_url:
        label = tr.gettext("▶ Next page")
        lines.append(f"{label} ⇒ {digest.next_title or ''} {digest.next_url}".rstrip())
    if digest.image:
        lines.append(f"🖼 {digest.image}")
    return "\n".join(lines)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def shorten(text: str, limit: int) -> str:
    """At most `limit` UTF-16 units, ending in … when cut; never splits a surrogate pair."""
    text = valid_unicode(text)
    if utf16_len(text) <= limit:
        return text
    budget, kept = limit - 1, []
    for char in text:
        budget -= 2 if ord(char) > 0xFFFF else 1
        if budget < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS


def escape_text(text: str, limit: int) -> str:
    """Feed or user text for Telegram HTML: valid Unicode, at most `limit` units, escaped."""
    return html.escape(shorten(text, limit))


def render_plain(text: str) -> str:
    """A translated sentence that may hold < > & (a usage line such as "/addtopic <slug>")."""
    return html.escape(text, quote=False)


def fit_lines(lines: Iterable[str], budget: int, separator: str) -> list[str]:
    """The first lines that fit in `budget` UTF-16 units of HTML, each with its separator."""
    kept: list[str] = []
    used = 0
    for line in lines:
        used += utf16_len(line) + utf16_len(separator)
        if used > budget:
            break
        kept.append(line)
    return kept


def topic_label(topic: Topic) -> str:
    """A topic's name in bold and its slug, as Telegram HTML."""
    name = escape_text(topic.name, MAX_SHOWN_NAME_CHARS)
    return f"<b>{name}</b> (<code>{escape_text(topic.slug, MAX_SLUG_CHARS)}</code>)"


def _title(digest: Digest) -> str:
    return "<b>" + _link(digest.url, digest.title or digest.url, MAX_TITLE_CHARS) + "</b>"


def _key_points(digest: Digest, tr: Translator, count: int) -> str:
    """The key points under their header; "" for a digest without any (a title-only entry)."""
    if not digest.key_points:
        return ""
    learn = tr.gettext("📘 What you'll learn")
    header = f"<b>{_text(learn, MAX_NAME_CHARS)}</b>"
    points = [f"💡 {_text(point, MAX_POINT_CHARS)}" for point in digest.key_points[:count]]
    return "\n".join([header, *points])


def _read_more(digest: Digest, tr: Translator) -> str:
    source = digest.all_sources[0]
    label = _text(tr.gettext("Read more"), MAX_NAME_CHARS)
    return f"{label} ⇒ " + _link(source.url, source.title or source.url, MAX_NAME_CHARS)


def _link(url: str, label: str, limit: int) -> str:
    text = _text(label, limit)
    if not url.startswith(("http://", "https://")):
        return text
    return f'<a href="{html.escape(valid_unicode(url), quote=True)}">{text}</a>'


def _text(text: str, limit: int) -> str:
    """Feed text made safe for Telegram HTML: valid Unicode, shortened, then escaped."""
    return html.escape(shorten(" ".join(text.split()), limit), quote=False)
