"""A title-only entry (Yahoo! topics, many Japanese portals) is pushed as its title alone."""

from __future__ import annotations

import gettext
from pathlib import Path

from bot.core.condense import condense
from bot.core.feeds import parse_feed
from bot.core.i18n import Translator
from bot.core.models import Digest
from bot.core.render import render_key_points, render_push, render_text
from bot.locales import load_translators

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
FEED = FEEDS / "yahoo-topics-top-picks_2023-02-10.xml"
EN = Translator("en", gettext.NullTranslations())


def test_title_only_entries_have_no_lede_and_no_key_points() -> None:
    feed = parse_feed(FEED.read_bytes(), FEED.as_uri())
    assert feed.entries
    for entry in feed.entries:
        digest = condense(entry, feed.title)
        assert digest.title == entry.title
        assert (digest.lede, digest.key_points, digest.pages) == ("", (), ())


def title_only_digest() -> Digest:
    feed = parse_feed(FEED.read_bytes(), FEED.as_uri())
    return condense(feed.entries[0], feed.title)


def test_the_push_shows_the_title_once_and_no_empty_header() -> None:
    digest = title_only_digest()
    html = render_push(digest, 7, EN).html
    assert html.count(digest.title) == 1
    assert "What you'll learn" not in html
    assert "\n\n\n" not in html
    text = render_text(digest, EN)
    assert text.count(digest.title) == 1
    assert "What you'll learn" not in text


def test_the_key_points_button_says_there_is_no_summary() -> None:
    digest = title_only_digest()
    assert "No summary for this article." in render_key_points(digest, 7, EN).html
    ja = load_translators()["ja"]
    assert "この記事には要約がありません。" in render_key_points(digest, 7, ja).html
