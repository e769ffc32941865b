"""The feeds a web page names with <link rel="alternate">."""

from __future__ import annotations

from pathlib import Path

from bot.core.discovery import FoundFeed, discover_feeds

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"


def test_a_wordpress_style_page_gives_its_feed_and_not_its_comments_feed() -> None:
    html = (
        "<html><head><base href='/blog/'>"
        '<link rel="alternate" type="application/rss+xml" title="Site &raquo; Feed" href="feed/">'
        '<link rel="alternate" type="application/rss+xml" title="Site &raquo; Comments Feed"'
        ' href="comments/feed/">'
        '<link rel="stylesheet" href="/style.css"><link rel="alternate" hreflang="en" href="/en/">'
        "</head><body></body></html>"
    )
    assert discover_feeds(html, "https://example.com/blog/post") == (
        FoundFeed("https://example.com/blog/feed/", "Site » Feed", "RSS"),
    )


def test_several_formats_case_and_duplicates() -> None:
    html = (
        '<LINK REL="Alternate Home" TYPE="application/atom+xml" HREF="https://ex.com/atom.xml">'
        '<link rel="alternate" type="application/feed+json" href="/feed.json" title="JSON">'
        '<link rel="alternate" type="application/atom+xml" href="https://EX.com/atom.xml">'
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
    )
    assert discover_feeds(html, "https://ex.com/") == (
        FoundFeed("https://ex.com/atom.xml", "", "Atom"),
        FoundFeed("https://ex.com/feed.json", "JSON", "JSON Feed"),
    )


def test_a_page_with_no_feed() -> None:
    html = (PAGES / "nhk-news-web_2019-03-14.html").read_bytes().decode("utf-8", "replace")
    assert discover_feeds(html, "https://www3.nhk.or.jp/news/") == ()
    assert discover_feeds("", "https://ex.com/") == ()
