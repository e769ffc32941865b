"""Every entry of every real feed in tests/data condenses to at most three key points and a lede
that repeats none of them; an entry with text of its own has key points, one without has none."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.condense import Method, condense, condense_entry
from bot.core.feeds import parse_feed
from bot.core.lede import is_boilerplate
from bot.core.models import Entry
from bot.core.sentences import split_sentences
from bot.core.structure import find_structure
from bot.core.text import html_to_text
from bot.errors import ParseError

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"
# The not-a-feed files are refused by parse_feed; test_feeds.test_not_a_feed covers them.
NOT_FEEDS = {
    "node-feedparser__notafeed.html",
    "py-feedparser-illformed__aaa_illformed.xml",
}
FEEDS = sorted(p for p in DATA.glob("*.*") if p.suffix != ".md" and p.name not in NOT_FEEDS)


def letters(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())


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
        sentences = split_sentences(html_to_text(entry.html))
        own = [s for s in sentences if letters(s) not in letters(entry.title)]
        # Greetings, credits and pleasantries are text of the entry's own, but never a point.
        news = [s for s in own if not is_boilerplate(s)]
        assert len(digest.key_points) <= 3
        assert not any(is_boilerplate(point) for point in digest.key_points)
        if len(news) >= 2:
            assert digest.key_points
        if not own:
            # A title-only entry (Yahoo! topics, Science's RSS 1.0): the title alone.
            assert (digest.lede, digest.key_points) == ("", ())
        assert digest.lede not in digest.key_points
        assert digest.lang == entry.lang
        assert digest.url == entry.link


def test_the_seed_in_a_feeds_own_content_gives_the_seeds_digest() -> None:
    """A digest site that carries the whole article in content:encoded: the same digest as
    its page gives, with the publisher's key points, sources, pages and next page."""
    html = (DATA.parent / "pages" / "seed-digest-ja.html").read_text(encoding="utf-8")
    article = html[html.index("<article") : html.index("</article>") + len("</article>")]
    url = "https://chrysanthemum-digest.example/articles/ukraine-peace-talks/"
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Chrysanthemum Digest</title><link>https://chrysanthemum-digest.example/</link>"
        f"<item><title>ウクライナ戦争</title><link>{url}</link>"
        f"<content:encoded><![CDATA[{article}]]></content:encoded></item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(body, "https://chrysanthemum-digest.example/feed").entries

    from_content = condense(entry, "Chrysanthemum Digest")
    from_page = condense(entry, "Chrysanthemum Digest", structure=find_structure(html, url))

    assert from_content.key_points == (
        "2024年1月にトランプ氏が大統領に就任し、プーチン大統領との停戦交渉を開始した。",
        "ウクライナ戦争は3年目を迎え、停戦の見通しは依然として不透明。",
        "ロシアはウクライナ侵攻の目標達成には至らず、欧州では防衛力強化の動きが加速している。",
    )
    assert [s.url for s in from_content.sources] == [
        "https://kids.gakken.co.jp/kagaku/nandemo/ukraine2022/",
        "https://globe.asahi.com/article/15630313",
    ]
    assert [p.heading for p in from_content.pages] == [
        "ロシアによるウクライナ侵攻",
        "トランプ氏とプーチン氏の和平交渉案",
    ]
    assert from_content.next_url == (
        "https://chrysanthemum-digest.example/articles/putin-on-the-invasion/"
    )
    assert from_content.next_title == "プーチン、ウクライナ侵攻について語る!核使用の可能性も示唆!"
    assert from_content == from_page


PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
CNN_DEK = (
    "A strong storm struck much of the eastern United States on Wednesday, complicating "
    "holiday plans for many of the 43 million Americans expected to travel."
)


def test_a_pages_og_description_is_the_lede_when_the_feed_gives_none() -> None:
    html = (PAGES / "cnn-weather-thanksgiving_2013-11-27.html").read_text()
    url = "https://edition.cnn.com/2013/11/27/travel/weather-thanksgiving/"
    structure = find_structure(html, url)
    assert structure.description == CNN_DEK
    entry = Entry(
        key="k",
        title="Thanksgiving travel: Storm brings rain, snow",
        link=url,
        html="<p>Millions of travelers faced delays.</p>",
        published=None,
        lang="en",
    )
    page_text = html_to_text(html)
    digest = condense(entry, "CNN", page_text=page_text, structure=structure)
    assert digest.lede == CNN_DEK
    # The feed's own description, when it is a real sentence, comes first.
    described = replace(entry, description="Storms delayed millions of travelers on Wednesday.")
    digest = condense(described, "CNN", page_text=page_text, structure=structure)
    assert digest.lede == "Storms delayed millions of travelers on Wednesday."


def test_a_teaser_cut_off_with_an_ellipsis_is_no_lede() -> None:
    html = (PAGES / "nhk-news-web_2019-03-14.html").read_text()
    structure = find_structure(html, "https://www3.nhk.or.jp/news/html/20190314/k10011848.html")
    assert structure.description.endswith("捜査関…")
    entry = Entry("k", "高齢女性殺害", structure.canonical_url or "", "", None, "ja")
    digest = condense(entry, "NHK", page_text=html_to_text(html), structure=structure)
    # The teaser is not the lede: the whole opening sentence is said once, as the first point.
    assert digest.lede == ""
    assert digest.key_points[0] == (
        "東京 江東区のマンションで80歳の女性を縛って殺害したとして逮捕された３人は、"
        "他人名義の携帯電話を持っていたことが捜査関係者への取材でわかりました。"
    )


def test_the_method_says_whose_points_a_digest_has() -> None:
    """The publisher's key points or sections make it "structure"; else the summarizer's."""
    html = (DATA.parent / "pages" / "seed-digest-ja.html").read_text(encoding="utf-8")
    url = "https://chrysanthemum-digest.example/articles/ukraine-peace-talks/"
    feed = parse_feed((DATA / "gihyo-rss2_2020-01-25.xml").read_bytes(), "u")
    entry = feed.entries[0]

    plain = condense_entry(entry, "Feed")
    structured = condense_entry(entry, "Feed", structure=find_structure(html, url))

    assert plain.method is Method.SUMMARIZER
    assert plain.digest == condense(entry, "Feed")
    assert structured.method is Method.STRUCTURE
    assert structured.digest.key_points[0].startswith("2024年1月にトランプ氏")
