from __future__ import annotations

import gettext
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.callbacks import MAX_CALLBACK_BYTES, Action, decode
from bot.core.i18n import Translator
from bot.core.models import Digest, LinkPreview, Page, Source
from bot.core.render import (
    MAX_MESSAGE_CHARS,
    Rendered,
    preview_url,
    render_bundle,
    render_key_points,
    render_page,
    render_push,
    render_sources,
    render_text,
    shorten,
    utf16_len,
)
from bot.locales import load_translators

EN = Translator("en", gettext.NullTranslations())
JA = load_translators()["ja"]
ALLOWED_TAGS = {"b", "i", "a"}

DIGEST = Digest(
    title="Rust & <Python> at 10%",
    url="https://example.com/a?x=1&y=2",
    source_name="Example News",
    published=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    lang="en",
    lede="A lede about <tags>.",
    key_points=("First point.", "Second point.", "Third point."),
    pages=(Page("Background", ("One.", "Two.")), Page("", ("Three.",))),
    sources=(Source("Cited", "https://cited.example/x"),),
)


class TelegramHtml(HTMLParser):
    """Parses a message the way Telegram does, enough to check tags and visible length."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open, f"</{tag}> closes nothing"
        assert self.open.pop() == tag, f"</{tag}> closes another tag"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> TelegramHtml:
    parser = TelegramHtml()
    parser.feed(html)
    parser.close()
    assert parser.open == []
    return parser


def test_push_in_english() -> None:
    rendered = render_push(DIGEST, 7, EN)
    assert rendered.html == (
        '<b><a href="https://example.com/a?x=1&amp;y=2">Rust &amp; &lt;Python&gt; at 10%</a></b>'
        "\n\nA lede about &lt;tags&gt;."
        "\n\n<b>📘 What you'll learn</b>"
        "\n💡 First point.\n💡 Second point.\n💡 Third point."
        '\n\nRead more ⇒ <a href="https://example.com/a?x=1&amp;y=2">Example News</a>'
    )
    # The push shows every key point: 💡 would add nothing.
    assert [(b.text, b.data) for b in rendered.buttons[0]] == [
        ("🔗 Sources", "s:7"),
        ("▶ Next page", "n:7:0"),
    ]


def test_push_in_japanese_follows_the_seed() -> None:
    rendered = render_push(DIGEST, 7, JA)
    assert "<b>📘 この記事で分かる事！</b>" in rendered.html
    assert "さらに読む ⇒" in rendered.html
    assert [b.text for b in rendered.buttons[0]] == ["🔗 出典", "▶ 次のページ"]


def test_lede_equal_to_the_first_point_is_not_repeated() -> None:
    digest = Digest("T", "https://e.x/", "E", None, "en", "Only.", ("Only.",))
    assert render_push(digest, 1, EN).html.count("Only.") == 1


def test_sources_list_the_article_then_each_cited_source() -> None:
    html = render_sources(DIGEST, 7, EN).html
    assert html.splitlines()[2:] == [
        '• <a href="https://example.com/a?x=1&amp;y=2">Example News</a>',
        '• <a href="https://cited.example/x">Cited</a>',
    ]


def test_page_shows_its_bullets_and_links_to_the_next() -> None:
    rendered = render_page(DIGEST, 7, 0, EN)
    assert "<i>Page 1 of 2</i>" in rendered.html
    assert "<b>Background</b>\n\n✅ One.\n\n✅ Two." in rendered.html
    assert rendered.buttons[0][0].data == "n:7:1"
    assert "2ページ中1ページ目" in render_page(DIGEST, 7, 0, JA).html


def test_key_points_message() -> None:
    assert render_key_points(DIGEST, 7, EN).html.endswith("💡 Third point.")


def test_non_http_links_are_not_linked() -> None:
    digest = Digest("T", "javascript:alert(1)", "E", None, "en", "L.", ("P.",))
    assert "href" not in render_push(digest, 1, EN).html


def test_plain_text_for_the_terminal() -> None:
    text = render_text(DIGEST, EN)
    assert text.splitlines()[:2] == [DIGEST.title, DIGEST.url]
    assert "  💡 First point." in text
    assert "    ✅ Three." in text
    assert "📘 What you'll learn" in text.splitlines()
    assert "Read more ⇒" in text.splitlines()


def test_plain_text_is_labelled_in_the_readers_language() -> None:
    lines = render_text(DIGEST, JA).splitlines()
    assert JA.gettext("📘 What you'll learn") in lines
    assert f"{JA.gettext('Read more')} ⇒" in lines
    assert "📘 What you'll learn" not in lines


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        pytest.param("short", 10, "short", id="fits"),
        pytest.param("abcdefghij", 5, "abcd…", id="cut"),
        pytest.param("😀😀😀", 4, "😀…", id="astral-counts-two"),
        pytest.param("a\ud800b", 5, "a\ufffdb", id="lone-surrogate-replaced"),
    ],
)
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert utf16_len(shorten(text, limit)) <= limit


feed_text = st.lists(
    st.characters(exclude_categories=("Cc",))
    | st.sampled_from(
        ["<", ">", "&", '"', "&amp;", "<b>", "</a>", "\u202e", "😀", "日本", "\ud800"]
    )
    | st.just("x" * 3000),
    max_size=40,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(
    title=feed_text,
    lede=feed_text,
    points=st.lists(feed_text, max_size=5),
    bullets=st.lists(feed_text, min_size=1, max_size=8),
    source=feed_text,
    article_id=st.integers(min_value=1, max_value=2**62),
)
def test_every_message_stays_within_telegram_limits(
    title: str, lede: str, points: list[str], bullets: list[str], source: str, article_id: int
) -> None:
    digest = Digest(
        title=title,
        url="https://e.x/" + title[:50],
        source_name=source,
        published=None,
        lang="en",
        lede=lede,
        key_points=tuple(points),
        pages=(Page(title, tuple(bullets)),),
        sources=tuple(Source(s, f"https://s.x/{i}") for i, s in enumerate(bullets)),
    )
    for tr in (EN, JA):
        messages: list[Rendered] = [
            render_push(digest, article_id, tr),
            render_key_points(digest, article_id, tr),
            render_sources(digest, article_id, tr),
            render_page(digest, article_id, 0, tr),
            render_bundle(title, [(article_id, digest)] * 12, tr),
        ]
        for rendered in messages:
            parsed = parse(rendered.html)
            assert parsed.tags <= ALLOWED_TAGS
            assert 0 < utf16_len("".join(parsed.text)) <= MAX_MESSAGE_CHARS
            for row in rendered.buttons:
                for button in row:
                    assert button.data is not None
                    assert len(button.data.encode()) <= MAX_CALLBACK_BYTES
                    decoded = decode(button.data)
                    assert decoded is not None
                    assert decoded.int_arg() == article_id
                    assert decoded.action in Action


@settings(max_examples=60, deadline=None)
@given(title=st.text(alphabet="<>&\"'ab", min_size=1, max_size=40))
def test_feed_text_is_escaped_not_interpreted(title: str) -> None:
    digest = Digest(title, "https://e.x/", "", None, "en", "", ("p",))
    parsed = parse(render_push(digest, 1, EN).html)
    assert " ".join(title.split()) in "".join(parsed.text)


def test_bundle_lists_titles_with_a_key_point_and_open_buttons() -> None:
    items = [(i, DIGEST) for i in range(1, 13)]
    rendered = render_bundle("Tech: 12 new articles", items, EN)
    lines = rendered.html.split("\n\n")
    assert lines[0] == "<b>Tech: 12 new articles</b>"
    assert lines[1] == (
        '1. <a href="https://example.com/a?x=1&amp;y=2">Rust &amp; &lt;Python&gt; at 10%</a>'
        "\n💡 First point."
    )
    assert lines[-1] == "…and 2 more"
    assert [row[0].data for row in rendered.buttons] == [f"o:{i}" for i in range(1, 11)]


IMAGE = "https://img.example/lead.jpg"


@pytest.mark.parametrize(
    ("mode", "image", "url", "expected"),
    [
        pytest.param(LinkPreview.IMAGE, IMAGE, DIGEST.url, IMAGE, id="image"),
        pytest.param(LinkPreview.IMAGE, "", DIGEST.url, "", id="image-but-none"),
        pytest.param(LinkPreview.ARTICLE, IMAGE, DIGEST.url, DIGEST.url, id="article"),
        pytest.param(LinkPreview.ARTICLE, IMAGE, "urn:x", "", id="article-not-a-web-link"),
        pytest.param(LinkPreview.OFF, IMAGE, DIGEST.url, "", id="off"),
        pytest.param(LinkPreview.IMAGE, "ftp://img.example/a.jpg", DIGEST.url, "", id="not-http"),
        pytest.param(
            LinkPreview.IMAGE, "https://img.example/" + "a" * 2048, DIGEST.url, "", id="too-long"
        ),
        pytest.param(
            LinkPreview.IMAGE,
            "https://img.example/\ud800.jpg",
            DIGEST.url,
            "https://img.example/\ufffd.jpg",
            id="lone-surrogate",
        ),
    ],
)
def test_preview_url(mode: LinkPreview, image: str, url: str, expected: str) -> None:
    digest = replace(DIGEST, image=image, url=url)
    assert preview_url(digest, mode) == expected


def test_rendered_messages_preview_nothing_unless_given_a_url() -> None:
    digest = replace(DIGEST, image=IMAGE)
    assert render_push(digest, 1, EN).preview == ""
    assert render_sources(digest, 1, EN).preview == ""
    assert render_bundle("Tech", [(1, digest)], EN).preview == ""
