"""JSON Feed 1.0 and 1.1 into the same entries as RSS and Atom."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.core.condense import condense
from bot.core.feeds import MAX_ENTRIES_PER_POLL, parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
URL = "https://example.org/feed.json"


def feed(version: str, items: list[dict[str, object]], **extra: object) -> bytes:
    document = {"version": f"https://jsonfeed.org/version/{version}", "title": "Ex", **extra}
    return json.dumps({**document, "items": items}).encode()


def test_json_feed_1_1_items() -> None:
    body = feed(
        "1.1",
        [
            {
                "id": "https://example.org/a",
                "url": "https://example.org/a",
                "title": "A &amp; B",
                "content_html": "<p>First paragraph of the story. It goes on.</p>",
                "summary": "short",
                "date_published": "2026-03-01T09:00:00+09:00",
                "authors": [{"name": "Ann"}],
                "language": "ja-JP",
            },
            {
                "id": "b",
                "external_url": "https://elsewhere.example/story",
                "content_text": "Plain text with <b> in it.\nSecond line.",
                "date_modified": "2026-03-02T00:00:00Z",
            },
        ],
        language="en",
        home_page_url="https://example.org/",
    )
    parsed = parse_feed(body, URL, {"Content-Type": "application/feed+json"})
    first, second = parsed.entries
    assert (parsed.title, parsed.link, parsed.lang) == ("Ex", "https://example.org/", "en")
    # JSON Feed titles are plain text: "&amp;" is what the publisher typed.
    assert (first.key, first.title, first.link, first.lang) == (
        "https://example.org/a",
        "A &amp; B",
        "https://example.org/a",
        "ja",
    )
    assert first.published == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert first.html == "<p>First paragraph of the story. It goes on.</p>"
    assert (second.key, second.title, second.link) == ("b", "", "https://elsewhere.example/story")
    assert second.html == "Plain text with &lt;b&gt; in it.<br>Second line."
    assert second.published == datetime(2026, 3, 2, tzinfo=UTC)


def test_json_feed_1_0_with_numeric_ids_and_relative_urls() -> None:
    body = feed(
        "1",
        [{"id": 19317, "url": "/journal/19317", "title": "T", "summary": "S."}],
        home_page_url="https://adactio.com/journal/",
    )
    (entry,) = parse_feed(body, URL).entries
    assert (entry.key, entry.link, entry.html) == (
        "19317",
        "https://adactio.com/journal/19317",
        "S.",
    )


def test_items_without_links_or_ids_and_odd_values() -> None:
    body = feed(
        "1.1",
        [
            {"title": "No id", "url": "urn:x:1", "date_published": "yesterday"},
            {"id": None, "title": 5, "content_html": ["not", "text"]},
            "not an item",
        ],
    )
    first, second = parse_feed(body, URL).entries
    assert (first.link, first.published, first.title) == ("", None, "No id")
    assert first.key.startswith("sha1:")
    assert (second.title, second.html) == ("", "")


def test_the_entry_cap_applies() -> None:
    items = [{"id": str(n), "title": f"t{n}"} for n in range(MAX_ENTRIES_PER_POLL + 50)]
    assert len(parse_feed(feed("1.1", items), URL).entries) == MAX_ENTRIES_PER_POLL


def test_a_real_json_feed_condenses() -> None:
    parsed = parse_feed((FEEDS / "feed-reader__json-feed-realworld.json").read_bytes(), URL)
    assert parsed.title == "Adactio: Journal"
    assert len(parsed.entries) == 10
    digest = condense(parsed.entries[0], parsed.title)
    assert digest.title == "The line-up for dConstruct 2022 …revealed!"
    assert digest.url == "https://adactio.com/journal/19317"
    assert digest.lede
    assert 1 <= len(digest.key_points) <= 3
