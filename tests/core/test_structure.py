from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.models import Page, Source
from bot.core.structure import Structure, canonical_url, find_structure

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
SEED_URL = "https://chrysanthemum-digest.example/articles/ukraine-peace-talks/"
SEED_TITLE = (
    "ウクライナ戦争、トランプ氏とプーチン氏の和平交渉は成功するのか?"
    "米ロによる停戦交渉案とウクライナ情勢の現状"
)


def page(name: str, encoding: str = "utf-8") -> str:
    return (PAGES / name).read_bytes().decode(encoding)


def test_seed_page_gives_the_publishers_digest() -> None:
    structure = find_structure(page("seed-digest-ja.html"), SEED_URL)
    assert structure.key_points == (
        "2024年1月にトランプ氏が大統領に就任し、プーチン大統領との停戦交渉を開始した。",
        "ウクライナ戦争は3年目を迎え、停戦の見通しは依然として不透明。",
        "ロシアはウクライナ侵攻の目標達成には至らず、欧州では防衛力強化の動きが加速している。",
    )
    assert structure.sources == (
        Source(SEED_TITLE, SEED_URL),
        Source("学研キッズネット", "https://kids.gakken.co.jp/kagaku/nandemo/ukraine2022/"),
        Source(
            "朝日新聞+:世界のいまを伝えるウェブメディア",
            "https://globe.asahi.com/article/15630313",
        ),
    )
    assert [p.heading for p in structure.pages] == [
        "ロシアによるウクライナ侵攻",
        "トランプ氏とプーチン氏の和平交渉案",
    ]
    assert [len(p.bullets) for p in structure.pages] == [3, 3]
    assert structure.pages[0].bullets[0] == (
        "2022年2月24日にロシアがウクライナに侵攻を開始し、首都キーウ周辺への侵攻に続き、"
        "東部と南部に攻撃を集中し占領。ロシアは2022年9月30日に占領した4州を併合すると宣言。"
    )
    assert structure.pages[1].bullets[2].endswith("今後の交渉の行方は不透明です。")
    assert not any(b.startswith("✅") for p in structure.pages for b in p.bullets)
    assert (
        structure.next_url
        == "https://chrysanthemum-digest.example/articles/putin-on-the-invasion/"
    )
    assert structure.next_title == "プーチン、ウクライナ侵攻について語る!核使用の可能性も示唆!"
    assert structure.canonical_url == SEED_URL


def test_seed_bullets_are_the_seed_lines_verbatim() -> None:
    lines = [line.strip() for line in page("seed-digest-ja.txt").splitlines()]
    structure = find_structure(page("seed-digest-ja.html"), SEED_URL)
    assert [f"💡 {point}" for point in structure.key_points] == [
        line for line in lines if line.startswith("💡")
    ]
    bullets = [f"✅ {bullet}" for p in structure.pages for bullet in p.bullets]
    assert bullets == [line for line in lines if line.startswith("✅")]


def test_english_story_highlights_are_key_points() -> None:
    url = "http://www.cnn.com/2013/11/27/travel/weather-thanksgiving/index.html"
    structure = find_structure(page("cnn-weather-thanksgiving_2013-11-27.html"), url)
    assert structure.key_points == (
        "The worst of holiday travel fears fail to materialize",
        '"Tomorrow will be a quieter day," says CNN meteorologist',
        "Fate of Macy's Thanksgiving Day Parade balloons still up in the air",
    )
    assert structure.canonical_url == url
    assert structure.pages == ()
    assert structure.next_url is None


KEY_TAKEAWAYS = """
<html><head><title>Rates rise</title></head><body>
<nav><ul><li>Home</li><li>Markets</li></ul></nav>
<article><h1>The Fed raises rates again</h1>
<h2>Key takeaways</h2>
<ul><li>Rates rise by a quarter point.</li><li>Two more rises are pencilled in.</li>
<li>Markets shrugged.</li><li>A fourth point the digest has no room for.</li></ul>
<p>WASHINGTON - The Federal Reserve raised its benchmark rate on Wednesday.</p>
<p>Officials said inflation was still too high.</p>
<p>Source: <a href="https://www.federalreserve.gov/newsevents/pressreleases/monetary.htm?utm_source=x">
the Fed's statement</a></p>
</article></body></html>
"""


def test_key_takeaways_list_gives_three_key_points_and_the_labelled_source() -> None:
    structure = find_structure(KEY_TAKEAWAYS, "https://news.example.com/fed")
    assert structure.key_points == (
        "Rates rise by a quarter point.",
        "Two more rises are pencilled in.",
        "Markets shrugged.",
    )
    assert structure.sources == (
        Source(
            "the Fed's statement",
            "https://www.federalreserve.gov/newsevents/pressreleases/monetary.htm",
        ),
    )


@pytest.mark.parametrize(
    ("html", "points"),
    [
        pytest.param(
            "<p>TL;DR: the council approved the budget after a long night.</p><p>Body.</p>",
            ("the council approved the budget after a long night.",),
            id="inline-tldr",
        ),
        pytest.param(
            "<h2>この記事のポイント</h2><p>・円安が進んだ<br>・株価は上昇</p><p>本文。</p>",
            ("円安が進んだ", "株価は上昇"),
            id="ja-label-with-dots",
        ),
        pytest.param(
            "<p>💡 一つ目の要点。</p><p>💡 二つ目の要点。</p><p>本文が続く。</p>",
            ("一つ目の要点。", "二つ目の要点。"),
            id="bulb-run-without-label",
        ),
        pytest.param("<p>💡 ひとつだけの豆知識。</p><p>本文。</p>", (), id="single-bulb"),
        pytest.param(
            "<p>💡 円安が進んだ。</p><p>💡 一方で、株価は上昇した。</p>"
            "<p>💡 However, bonds fell.</p>",
            ("円安が進んだ。", "株価は上昇した。", "Bonds fell."),
            id="bullets-stand-alone",
        ),
        pytest.param(
            "<p>今なら5,000ポイントもらえるチャンス!</p><ul><li>a</li></ul>", (), id="promo"
        ),
    ],
)
def test_key_points(html: str, points: tuple[str, ...]) -> None:
    assert find_structure(html, "https://example.com/a").key_points == points


def test_itmedia_next_page_is_its_real_link_with_the_next_pages_title() -> None:
    url = "http://www.itmedia.co.jp/mobile/articles/1509/10/news166.html"
    structure = find_structure(page("itmedia-mobile_2015-09-10_p1_sjis.html", "cp932"), url)
    assert structure.next_url == "http://www.itmedia.co.jp/mobile/articles/1509/10/news166_2.html"
    assert structure.next_title == "iPhone 6s／6s Plusの3D Touchがもたらすもの"
    assert structure.canonical_url == url  # from og:url: the page has no rel=canonical


@pytest.mark.parametrize(
    ("url", "html", "next_url", "next_title"),
    [
        pytest.param(
            "https://example.com/story",
            '<head><link rel="next" href="/story?page=2"></head><p>text</p>',
            "https://example.com/story?page=2",
            None,
            id="link-rel-next",
        ),
        pytest.param(
            "https://example.com/story",
            '<p><a rel="next" href="/story/2/">Why it matters</a></p>',
            "https://example.com/story/2/",
            "Why it matters",
            id="a-rel-next",
        ),
        pytest.param(
            "https://example.com/story?page=2",
            '<p><a href="?page=1">1</a> <a href="?page=3">3</a></p>',
            "https://example.com/story?page=3",
            None,
            id="query-page-n-plus-1",
        ),
        pytest.param(
            "https://example.com/story/",
            '<div class="pager"><a href="/story/2/">2</a></div>',
            "https://example.com/story/2/",
            None,
            id="path-page-2",
        ),
        pytest.param(
            "https://example.com/story/3/",
            '<p><a href="/story/2/">2</a><a href="/story/4/">4</a></p>',
            "https://example.com/story/4/",
            None,
            id="path-page-n-plus-1",
        ),
        pytest.param(
            "https://example.com/a",
            '<p><a href="/b">Continue reading</a></p><p><a href="/b">The second half</a></p>',
            "https://example.com/b",
            "The second half",
            id="continue-reading",
        ),
        pytest.param(
            "https://example.com/a",
            '<p>次のページを読む ⇒</p><p><a href="/b">後半の見出し</a></p>',
            "https://example.com/b",
            "後半の見出し",
            id="label-then-link-in-next-block",
        ),
        pytest.param(
            "https://example.com/a",
            '<p><a href="/toc">目次へ</a></p><footer><a href="/page/2/">次のページ</a></footer>',
            None,
            None,
            id="not-toc-not-footer",
        ),
    ],
)
def test_next_page(url: str, html: str, next_url: str | None, next_title: str | None) -> None:
    structure = find_structure(html, url)
    assert (structure.next_url, structure.next_title) == (next_url, next_title)


def test_a_page_with_none_of_it_gives_an_empty_structure() -> None:
    assert find_structure(page("hukumusume_aesop.html"), "https://example.com/a") == Structure()


def test_listing_page_has_no_key_points_sections_or_next_page() -> None:
    structure = find_structure(page("gihyo-dp-top_2020-01_listing.html"), "https://gihyo.jp/dp")
    assert structure.key_points == ()
    assert structure.pages == ()
    assert structure.next_url is None  # its pager says 次のページ only in a title attribute
    assert [s.url for s in structure.sources] == ["https://gihyo.jp/dp"]


def test_sections_come_from_the_top_heading_level_and_skip_the_sidebar() -> None:
    html = """
    <h1>Title</h1><h2>First</h2><h3>A question?</h3><p>✅ one</p><p>• two</p>
    <h2>No bullets here</h2><p>Just prose.</p>
    <h2>Second</h2><p>・three</p>
    <aside><h2>Popular</h2><ul><li>・ranked link</li></ul></aside>
    """
    assert find_structure(html, "https://example.com/").pages == (
        Page("First", ("one", "two")),
        Page("Second", ("three",)),
    )


@pytest.mark.parametrize(
    ("html", "sources"),
    [
        pytest.param(
            '<p>出典：<a href="https://www.nhk.or.jp/a.html#top">NHK</a></p>',
            (Source("NHK", "https://www.nhk.or.jp/a.html"),),
            id="ja-label-colon",
        ),
        pytest.param(
            '<p>Via <a href="https://www.theverge.com/x">The Verge</a></p>',
            (Source("The Verge", "https://www.theverge.com/x"),),
            id="via",
        ),
        pytest.param(
            '<p>ロイター通信 <a href="https://jp.reuters.com/article/x">元記事を読む</a></p>',
            (Source("ロイター通信", "https://jp.reuters.com/article/x"),),
            id="link-worded-as-label",
        ),
        pytest.param(
            '<p>Source: <a href="https://www.cnn.com/">CNN</a></p>', (), id="home-page-skipped"
        ),
        pytest.param(
            '<p>The source said <a href="https://x.example/y">more</a> things.</p>',
            (),
            id="source-in-a-sentence",
        ),
        pytest.param(
            '<p>参考: <a href="javascript:void(0)">x</a><a href="mailto:a@b.c">y</a></p>',
            (),
            id="not-http",
        ),
    ],
)
def test_sources(html: str, sources: tuple[Source, ...]) -> None:
    assert find_structure(html, "https://example.com/a").sources == sources


def test_canonical_link_leads_the_sources_once() -> None:
    html = (
        '<link rel="canonical" href="https://Example.com/a?utm_medium=rss">'
        '<meta property="og:title" content="A story"><p>参考: <a href="/a">same page</a></p>'
    )
    structure = find_structure(html, "https://example.com/a?utm_source=feed")
    assert structure.canonical_url == "https://example.com/a"
    assert structure.sources == (Source("A story", "https://example.com/a"),)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("HTTPS://Example.COM/Path", "https://example.com/Path", id="lower-host-only"),
        pytest.param("https://example.com/a#section-2", "https://example.com/a", id="fragment"),
        pytest.param(
            "https://example.com/a?utm_source=rss&utm_medium=feed&id=7",
            "https://example.com/a?id=7",
            id="utm",
        ),
        pytest.param(
            "https://example.com/a?fbclid=abc&gclid=def&msclkid=g&_ga=1&mc_eid=2",
            "https://example.com/a",
            id="click-ids",
        ),
        pytest.param(
            "https://example.com/a?z=1&b=2&a=3&b=1",
            "https://example.com/a?a=3&b=2&b=1&z=1",
            id="sorted",
        ),
        pytest.param(
            "https://example.com/s?q=%E6%97%A5%E6%9C%AC&x=a+b",
            "https://example.com/s?q=%E6%97%A5%E6%9C%AC&x=a+b",
            id="encoding-kept",
        ),
        pytest.param("http://example.com:80/a", "http://example.com/a", id="default-port"),
        pytest.param("https://example.com:8443/a", "https://example.com:8443/a", id="other-port"),
        pytest.param("https://example.com", "https://example.com/", id="empty-path"),
        pytest.param("https://example.com/a?", "https://example.com/a", id="empty-query"),
        pytest.param("  https://example.com/a  ", "https://example.com/a", id="whitespace"),
        pytest.param("\x1b\x85https://example.com/a? #x", "https://example.com/a", id="edges"),
        pytest.param("https://[::1]:8080/a", "https://[::1]:8080/a", id="ipv6"),
        pytest.param("https://[bad/a", "https://[bad/a", id="unparsable-kept"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@given(st.text())
def test_find_structure_never_raises(html: str) -> None:
    assert isinstance(find_structure(html, "https://example.com/a"), Structure)


@given(st.text(alphabet="<>/!-[]ap =\"'h2liu✅💡次のページ出典:?&#", max_size=200))
def test_find_structure_survives_tag_soup(html: str) -> None:
    structure = find_structure(html, "https://example.com/a")
    assert len(structure.key_points) <= 3


URLISH = st.from_regex(r"[a-zA-Z]{1,5}:/{0,4}[^#]{0,20}(#.*)?", fullmatch=True)


@given(st.one_of(st.text(), URLISH))
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
