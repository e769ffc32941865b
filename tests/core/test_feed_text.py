"""Feed strings read by their declared type, once: what a reader sees of titles and links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.feeds import parse_feed
from bot.core.links import MAX_LINK_CHARS, normalize_link
from bot.core.text import clean_text, feed_text, html_to_text

FEED_URL = "https://feed.example/dir/feed.xml"


def atom(entry: str) -> bytes:
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        f"<entry>{entry}<updated>2026-01-01T00:00:00Z</updated></entry></feed>"
    ).encode()


def rss(item: str) -> bytes:
    return (
        f'<rss version="2.0"><channel><title>T</title><item>{item}</item></channel></rss>'.encode()
    )


def first(body: bytes) -> tuple[str, str]:
    entry = parse_feed(body, FEED_URL).entries[0]
    return entry.title, entry.link


@pytest.mark.parametrize(
    ("body", "title"),
    [
        pytest.param(
            atom('<title type="html">&lt;p&gt;Item Title&lt;/p&gt;</title>'),
            "Item Title",
            id="atom-html",
        ),
        pytest.param(
            atom(
                '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                "<p>Entry Title</p></div></title>"
            ),
            "Entry Title",
            id="atom-xhtml",
        ),
        pytest.param(
            atom('<title type="text">&lt;p&gt;Entry Title&lt;/p&gt;</title>'),
            "<p>Entry Title</p>",
            id="atom-text-that-contains-a-tag",
        ),
        pytest.param(
            atom(
                '<title type="application/octet-stream" mode="base64">'
                "RXhhbXBsZSA8YSBocmVmPSJodHRwOi8vZXhhbXBsZS5jb20vIj50ZXN0PC9hPg==</title>"
            ),
            "Example test",
            id="atom-base64",
        ),
        pytest.param(
            rss(
                "<title>Example &lt;a href=&quot;http://example.com/test/test.html&quot;&gt;"
                "test&lt;/a&gt;</title>"
            ),
            "Example test",
            id="rss-inline-link",
        ),
        pytest.param(
            rss("<title>Back\bspace &amp;amp; more</title>"), "Backspace & more", id="bs"
        ),
        pytest.param(
            rss("<title>\u202eevil\u200b \ufeffname\u2066</title>"), "evil name", id="bidi-zwsp"
        ),
    ],
)
def test_titles_are_plain_text(body: bytes, title: str) -> None:
    assert first(body)[0] == title


@pytest.mark.parametrize(
    ("body", "link"),
    [
        pytest.param(atom("<title>x</title><id>urn:uuid:60a76c80</id>"), "", id="urn-id"),
        pytest.param(
            atom("<title>x</title><id>tag:blogger.com,1999:blog-1.post-2</id>"), "", id="tag-id"
        ),
        pytest.param(
            atom("<title>x</title><id>https://example.com/2026/01/post</id>"),
            "https://example.com/2026/01/post",
            id="absolute-http-id",
        ),
        pytest.param(rss("<title>x</title><guid>abc123</guid>"), "", id="relative-guid"),
        pytest.param(
            rss('<title>x</title><guid isPermaLink="false">https://a.example/1</guid>'),
            "",
            id="guid-not-a-permalink",
        ),
        pytest.param(
            rss("<title>x</title><guid>https://a.example/1</guid>"),
            "https://a.example/1",
            id="permalink-guid",
        ),
        pytest.param(
            rss(
                '<title>x</title><link uri="at://did:plc:abc/app.bsky.feed.post/1">'
                "http://example.com/item</link>"
            ),
            "http://example.com/item",
            id="at-uri-attribute",
        ),
        pytest.param(
            rss("<title>x</title><link>https://gigazine.net/news/20231017&amp;#45;gpt/</link>"),
            "https://gigazine.net/news/20231017-gpt/",
            id="entity-in-link",
        ),
        pytest.param(
            rss("<title>x</title><link>HTTPS://Example.COM/A?b=1&amp;copy=2</link>"),
            "https://example.com/A?b=1&copy=2",
            id="scheme-and-host-case",
        ),
        pytest.param(rss("<title>x</title><link>mailto:a@example.com</link>"), "", id="mailto"),
        pytest.param(
            rss(f"<title>x</title><link>https://example.com/{'a' * MAX_LINK_CHARS}</link>"),
            "",
            id="too-long",
        ),
    ],
)
def test_links_lead_somewhere(body: bytes, link: str) -> None:
    assert first(body)[1] == link


def test_escaped_cdata_descriptions_are_read_as_text() -> None:
    body = rss(
        "<title>GPT</title><link>https://gigazine.net/news/1/</link>"
        "<description>&lt;![CDATA[大規模言語モデルには、セーフガードが設けられています。"
        "&lt;p&gt;&lt;b&gt;&lt;a href=&quot;https://gigazine.net/news/1/&quot;&gt;続きを読む..."
        "&lt;/a&gt;&lt;/b&gt;&lt;/p&gt;]]&gt;</description>"
    )
    entry = parse_feed(body, FEED_URL).entries[0]
    assert html_to_text(entry.html) == (
        "大規模言語モデルには、セーフガードが設けられています。\n\n続きを読む..."
    )


def test_a_plain_text_summary_keeps_its_angle_brackets_as_text() -> None:
    body = atom('<title>x</title><summary type="text">if a &lt;b&gt; c</summary>')
    assert parse_feed(body, FEED_URL).entries[0].html == "if a &lt;b&gt; c"


@given(st.text())
def test_cleaning_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert "\n" not in once
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in once)


@given(st.text(), st.sampled_from(["text/plain", "text/html", "application/xhtml+xml", None]))
def test_feed_text_is_one_clean_line(value: str, content_type: str | None) -> None:
    text = feed_text(value, content_type)
    assert clean_text(text) == text


@given(st.text())
def test_normalized_links_are_http_and_stable(url: str) -> None:
    link = normalize_link(url)
    assert link == "" or link.startswith(("http://", "https://"))
    assert normalize_link(link) == link
