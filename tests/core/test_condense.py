"""Every entry of every real feed in tests/data condenses to a lede and one to three points."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.condense import condense
from bot.core.feeds import parse_feed
from bot.errors import ParseError

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"
# The not-a-feed files are refused by parse_feed; test_feeds.test_not_a_feed covers them.
NOT_FEEDS = {
    "node-feedparser__notafeed.html",
    "feed-reader__json-feed-realworld.json",
    "py-feedparser-illformed__aaa_illformed.xml",
}
FEEDS = sorted(p for p in DATA.glob("*.*") if p.suffix != ".md" and p.name not in NOT_FEEDS)


def test_the_list_of_non_feeds_is_right() -> None:
    for name in NOT_FEEDS:
        with pytest.raises(ParseError):
            parse_feed((DATA / name).read_bytes(), "u")


@pytest.mark.parametrize("path", FEEDS, ids=lambda p: p.name)
def test_real_feed_entries_condense(path: Path) -> None:
    feed = parse_feed(path.read_bytes(), path.as_uri())
    assert feed.entries
    for entry in feed.entries:
        digest = condense(entry, feed.title)
        assert digest.lede
        assert 1 <= len(digest.key_points) <= 3
        assert digest.lang == entry.lang
        assert digest.url == entry.link
