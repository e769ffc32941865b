"""The lead image: the publisher's choice, from the feed, the page or the content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.feeds import parse_feed
from bot.core.images import content_image, image_url, page_image

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"'


def rss_item(inner: str) -> bytes:
    return (
        f'<rss version="2.0" {MEDIA}><channel><title>T</title>'
        f"<item><title>x</title><link>https://news.example/a/1</link>{inner}</item>"
        "</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("inner", "image"),
    [
        pytest.param(
            '<media:content url="/img/a.jpg" medium="image"/>'
            '<enclosure url="https://cdn.example/b.jpg" type="image/jpeg" length="1"/>',
            "https://news.example/img/a.jpg",
            id="media-content-first-resolved-against-the-entry",
        ),
        pytest.param(
            '<media:content url="https://cdn.example/a.mp3" type="audio/mpeg"/>'
            '<media:thumbnail url="https://cdn.example/thumb.jpg"/>',
            "https://cdn.example/thumb.jpg",
            id="audio-skipped-thumbnail-taken",
        ),
        pytest.param(
            '<enclosure url="https://cdn.example/b.png" type="image/png" length="1"/>',
            "https://cdn.example/b.png",
            id="image-enclosure",
        ),
        pytest.param(
            '<enclosure url="https://cdn.example/b.mp3" type="audio/mpeg" length="1"/>',
            "",
            id="audio-enclosure-only",
        ),
        pytest.param(
            '<media:content url="data:image/gif;base64,R0lGOD" medium="image"/>',
            "",
            id="data-uri",
        ),
    ],
)
def test_feed_images(inner: str, image: str) -> None:
    (entry,) = parse_feed(rss_item(inner), "https://news.example/feed").entries
    assert entry.image == image


def test_a_real_feeds_media_content() -> None:
    feed = parse_feed((FEEDS / "node-feedparser__mediacontent-dupes.xml").read_bytes(), "u")
    assert feed.entries[0].image == (
        "http://i.mol.im/i/pix/2013/02/03/article-2272640-174FCEE2000005DC-697_154x115.jpg"
    )


def test_hatena_bookmarks_image_not_its_favicon() -> None:
    feed = parse_feed((FEEDS / "hatena-hotentry-it_2020-01-25_ncr.rdf").read_bytes(), "u")
    entry = feed.entries[0]
    # The content opens with the site's favicon; hatena:imageurl is the article's og:image.
    assert "favicon.st-hatena.com" in entry.html
    assert entry.image == (
        "https://ogimage.blog.st-hatena.com/17391345971629222720/26006613502012013/1579870780"
    )


def test_json_feed_image_then_banner() -> None:
    items = [
        {"id": "1", "url": "https://ex.org/1", "image": "/i/1.jpg", "banner_image": "/b.jpg"},
        {"id": "2", "url": "https://ex.org/2", "banner_image": "https://ex.org/b.jpg"},
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}).encode()
    first, second = parse_feed(body, "https://ex.org/feed.json").entries
    assert (first.image, second.image) == ("https://ex.org/i/1.jpg", "https://ex.org/b.jpg")


def test_the_seed_page_declares_its_og_image() -> None:
    html = (PAGES / "seed-digest-ja.html").read_text(encoding="utf-8")
    url = "https://chrysanthemum-digest.example/articles/ukraine-peace-talks/"
    assert page_image(html, url) == (
        "https://chrysanthemum-digest.example/img/ukraine-peace-talks.jpg"
    )


def test_twitter_image_when_there_is_no_og_image() -> None:
    html = '<meta name="twitter:image" content="//cdn.example/t.jpg">'
    assert page_image(html, "https://ex.com/a") == "https://cdn.example/t.jpg"


def test_the_first_sizable_content_image_not_a_pixel() -> None:
    html = (
        '<p><img src="https://stats.wordpress.com/b.gif?x=1" width="1" height="1">'
        '<img src="data:image/png;base64,AAAA">'
        '<img src="https://feeds.feedburner.com/~r/site/~4/abc">'
        '<img src="/spacer.gif"><img src="/a/photo.jpg" width="640"></p>'
    )
    assert content_image(html, "https://ex.com/post") == "https://ex.com/a/photo.jpg"
    assert content_image("<p>no images</p>", "https://ex.com/") == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("javascript:alert(1)", ""),
        ("ftp://ex.com/a.jpg", ""),
        ("https://ex.com/clear-skies.jpg", "https://ex.com/clear-skies.jpg"),
        ("https://ex.com/pixel.gif", ""),
        ("https://ad.doubleclick.net/x.jpg", ""),
        ("https://cdn-ak2.favicon.st-hatena.com/?url=https%3A%2F%2Fex.com%2F", ""),
        ("https://ex.com/favicon.ico", ""),
        ("https://ex.com/icon.ico?v=2", ""),
    ],
)
def test_image_urls(url: str, expected: str) -> None:
    assert image_url(url, "https://ex.com/") == expected
