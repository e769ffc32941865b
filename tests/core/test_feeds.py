from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.feeds import (
    MAX_ENTRIES_PER_POLL,
    backlog_to_digest,
    entry_key,
    new_entries,
    parse_feed,
)
from bot.core.models import Entry
from bot.errors import ParseError

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"


@pytest.mark.parametrize(
    ("name", "entries", "lang"),
    [
        pytest.param("rss-parser__reddit-home.rss", 25, "en", id="reddit-atom"),
        pytest.param("node-feedparser__wapoasection.xml", 32, "en", id="wapo-rss2"),
        pytest.param("node-feedparser__intertwingly.atom", 20, "en", id="intertwingly-xhtml"),
        pytest.param("rss-parser__rss-1.rss", 69, "en", id="rss1-rdf"),
        pytest.param("gihyo-rss2_2020-01-25.xml", 20, "ja", id="gihyo-ja"),
        pytest.param("hatena-hotentry-it_2020-01-25_ncr.rdf", 30, "ja", id="hatena-ncr"),
        pytest.param("tdiary-ishinao_2006_eucjp.rdf", 15, "ja", id="tdiary-euc-jp"),
        pytest.param("yahoo-topics-top-picks_2023-02-10.xml", 8, "ja", id="yahoo-titles-only"),
    ],
)
def test_real_feeds(name: str, entries: int, lang: str) -> None:
    feed = parse_feed((FEEDS / name).read_bytes(), f"https://example.com/{name}")
    assert len(feed.entries) == entries
    assert feed.lang == lang
    assert sum(e.lang == lang for e in feed.entries) >= 0.9 * len(feed.entries)
    assert all(e.key and e.title for e in feed.entries)
    assert len({e.key for e in feed.entries}) == len(feed.entries)


def test_numeric_references_become_japanese() -> None:
    feed = parse_feed((FEEDS / "hatena-hotentry-it_2020-01-25_ncr.rdf").read_bytes(), "u")
    english = [e.title for e in feed.entries if e.lang == "en"]
    assert english == ["VisualSitemaps | Autogenerate Beautiful Sitemaps & Screenshots"]
    assert "&#x" not in feed.entries[0].title
    assert any("\u3040" <= ch <= "\u30ff" for ch in feed.entries[0].title + feed.entries[0].html)


def test_euc_jp_is_decoded() -> None:
    feed = parse_feed((FEEDS / "tdiary-ishinao_2006_eucjp.rdf").read_bytes(), "u")
    assert feed.title == "いしなお!"


def test_entry_fields() -> None:
    feed = parse_feed((FEEDS / "gihyo-rss2_2020-01-25.xml").read_bytes(), "u")
    first = feed.entries[0]
    assert first.link.startswith("https://gihyo.jp/")
    assert first.published is not None
    assert first.published.tzinfo is UTC
    assert first.html


def test_ill_formed_feed_with_entries_is_used_and_the_problem_kept() -> None:
    body = (FEEDS / "rss-parser__uolNoticias.rss").read_bytes()
    feed = parse_feed(body, "u", {"Content-Type": "application/rss+xml"})
    assert feed.entries
    assert feed.problem is not None
    assert "parsed as windows-1252" in feed.problem


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        pytest.param("node-feedparser__notafeed.html", "HTML page", id="html"),
        pytest.param("py-feedparser-illformed__aaa_illformed.xml", "", id="ill-formed"),
    ],
)
def test_not_a_feed(name: str, reason: str) -> None:
    with pytest.raises(ParseError, match="not an RSS or Atom feed") as caught:
        parse_feed((FEEDS / name).read_bytes(), "u")
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        pytest.param(b"", {}, "the body is empty", id="empty"),
        pytest.param(b'{"a": 1}', {}, "it is JSON, but not a JSON Feed", id="json-not-a-feed"),
        pytest.param(b'{"a": ', {}, "it is not valid JSON", id="broken-json"),
        pytest.param(b"[" * 100_000, {}, "it is not valid JSON", id="deep-json"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\0\0", {"Content-Type": "image/png"}, "image/png", id="image"
        ),
    ],
)
def test_not_a_feed_reasons(body: bytes, headers: dict[str, str], reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_feed(body, "u", headers)


def test_a_body_naming_a_local_file_is_not_read() -> None:
    with pytest.raises(ParseError):
        parse_feed(b"/etc/hostname", "u")


def test_content_type_charset_is_used() -> None:
    body = "<rss version='2.0'><channel><title>café</title><item><title>é</title></item>"
    feed = parse_feed(
        (body + "</channel></rss>").encode("latin-1"),
        "u",
        {"content-type": "application/rss+xml; charset=iso-8859-1"},
    )
    assert feed.title == "café"


def test_ttl_in_minutes() -> None:
    body = b"<rss version='2.0'><channel><title>t</title><ttl>60</ttl></channel></rss>"
    assert parse_feed(body, "u").ttl == timedelta(hours=1)


def test_entries_are_capped_per_poll() -> None:
    items = "".join(f"<item><guid>{i}</guid><title>t{i}</title></item>" for i in range(300))
    body = f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()
    assert len(parse_feed(body, "u").entries) == MAX_ENTRIES_PER_POLL


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        pytest.param({"id": "guid-1", "link": "https://x/1"}, "guid-1", id="guid"),
        pytest.param({"link": "https://x/1"}, "https://x/1", id="link"),
        pytest.param(
            {"title": "T", "published": "D"},
            "sha1:" + hashlib.sha1(b"T\x00D").hexdigest(),
            id="hash-of-title-and-date",
        ),
        pytest.param({"id": "  ", "link": "https://x/2"}, "https://x/2", id="blank-guid"),
    ],
)
def test_entry_key(raw: dict[str, str], key: str) -> None:
    assert entry_key(raw) == key


def test_duplicate_guids_in_one_feed_count_once() -> None:
    feed = parse_feed((FEEDS / "node-feedparser__guid-dupes.xml").read_bytes(), "u")
    fresh = new_entries(feed.entries, known=set())
    assert len({e.key for e in fresh}) == len(fresh)


def entry(key: str, day: int | None) -> Entry:
    published = datetime(2026, 1, day, tzinfo=UTC) if day else None
    return Entry(key, key, f"https://x/{key}", "", published, "en")


def test_new_entries_skip_known_keys() -> None:
    entries = [entry("a", 1), entry("b", 2), entry("a", 1)]
    assert [e.key for e in new_entries(entries, {"b"})] == ["a"]


def test_first_poll_digests_only_the_newest_three() -> None:
    entries = [entry("old", 1), entry("new", 9), entry("mid", 5), entry("x", 3), entry("y", 2)]
    assert backlog_to_digest(entries) == {"new", "mid", "x"}
    assert backlog_to_digest(
        [entry("u1", None), entry("u2", None), entry("u3", None), entry("u4", None)]
    ) == {"u1", "u2", "u3"}
