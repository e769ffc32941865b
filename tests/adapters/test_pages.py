"""Article pages read through the real Fetcher from the local feed server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.http import Fetcher
from bot.adapters.pages import (
    PAGE_ACCEPT,
    PageResult,
    decode_html,
    extract_main_text,
    fetch_article_text,
)
from bot.core.models import Source
from bot.core.structure import Structure
from tests.fakes.feedserver import FeedServer

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
ITMEDIA = "itmedia-mobile_2015-09-10_p1_sjis.html"


@pytest.fixture
def path() -> str:
    """A path no other test uses on the shared server."""
    return f"/t/{uuid.uuid4().hex}"


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(allow_private=True) as fetcher:
        yield fetcher


async def test_nhk_main_text_is_the_article_without_navigation(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    url = feed_server.url("/pages/nhk-news-web_2019-03-14.html")
    page = await fetch_article_text(fetcher, url)
    assert page.error is None
    assert page.url == url
    paragraphs = page.text.split("\n\n")
    assert paragraphs[1] == (
        "東京 江東区のマンションで80歳の女性を縛って殺害したとして逮捕された３人は、"
        "他人名義の携帯電話を持っていたことが捜査関係者への取材でわかりました。"
        "逃走に使われた車も他人名義で、警視庁は、身元が特定されないように準備したとみて"
        "犯行グループの全容を解明する方針です。"
    )
    assert (
        "現場からは所沢ナンバーの軽自動車が神奈川県方面に逃走したことがわかっていますが"
        in page.text
    )
    for navigation in ("社会ニュース一覧へ戻る", "ページの先頭へ戻る", "20190314/10011848211000"):
        assert navigation not in page.text
    assert page.structure.canonical_url == (
        "https://www3.nhk.or.jp/news/html/20190314/k10011848211000.html"
    )
    request = feed_server.requests("/pages/nhk-news-web_2019-03-14.html")[-1]
    assert request.headers["accept"] == PAGE_ACCEPT


async def test_shift_jis_page_is_decoded_despite_a_utf8_label(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    # The feed server labels every .html file utf-8; the page's <meta> says shift_jis.
    page = await fetch_article_text(fetcher, feed_server.url(f"/pages/{ITMEDIA}"))
    assert page.error is None
    assert "サンフランシスコは、夏の盛りを思わせる暑さに包まれていた。" in page.text
    assert "\ufffd" not in page.text
    assert page.structure.next_url == feed_server.url("/pages/news166_2.html")
    assert page.structure.next_title == "iPhone 6s／6s Plusの3D Touchがもたらすもの"


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("text/html; charset=Shift_JIS", id="http-charset"),
        pytest.param("text/html", id="meta-charset-only"),
    ],
)
async def test_shift_jis_page_with_honest_headers(
    fetcher: Fetcher, feed_server: FeedServer, path: str, content_type: str
) -> None:
    feed_server.route(
        path, body=(PAGES / ITMEDIA).read_bytes(), headers={"Content-Type": content_type}
    )
    page = await fetch_article_text(fetcher, feed_server.url(path))
    assert "iPad Proは、iPad Air 2より78％大きい12.9型のRetinaディスプレイを搭載し" in page.text


async def test_seed_page_gives_its_structure(fetcher: Fetcher, feed_server: FeedServer) -> None:
    page = await fetch_article_text(fetcher, feed_server.url("/pages/seed-digest-ja.html"))
    assert page.error is None
    structure = page.structure
    assert len(structure.key_points) == 3
    assert (
        structure.key_points[1] == "ウクライナ戦争は3年目を迎え、停戦の見通しは依然として不透明。"
    )
    assert structure.sources[1:] == (
        Source("学研キッズネット", "https://kids.gakken.co.jp/kagaku/nandemo/ukraine2022/"),
        Source(
            "朝日新聞+:世界のいまを伝えるウェブメディア",
            "https://globe.asahi.com/article/15630313",
        ),
    )
    assert [(p.heading, len(p.bullets)) for p in structure.pages] == [
        ("ロシアによるウクライナ侵攻", 3),
        ("トランプ氏とプーチン氏の和平交渉案", 3),
    ]
    # Relative links resolve against the page as fetched, not against its canonical URL.
    assert structure.next_url == feed_server.url("/articles/putin-on-the-invasion/")
    assert structure.next_title == "プーチン、ウクライナ侵攻について語る!核使用の可能性も示唆!"
    assert "2022年2月24日、ロシアはウクライナに侵攻を開始しました。" in page.text
    assert "プライバシーポリシー" not in page.text


async def test_missing_page_is_an_error_value(
    fetcher: Fetcher, feed_server: FeedServer, path: str
) -> None:
    feed_server.route(path, status=404, body=b"<html><body>Not here</body></html>")
    page = await fetch_article_text(fetcher, feed_server.url(path))
    assert page == PageResult(url=feed_server.url(path), error="HTTP 404 Not Found")
    assert len(feed_server.requests(path)) == 1  # fetched once, not retried


@pytest.mark.parametrize(
    ("content_type", "body", "error"),
    [
        pytest.param(
            "application/pdf", b"%PDF-1.4\n", "not an HTML page: application/pdf", id="pdf"
        ),
        pytest.param(
            "application/json", b'{"a": 1}', "not an HTML page: application/json", id="json"
        ),
        pytest.param("text/plain", b"just words", "not an HTML page: text/plain", id="plain-text"),
        pytest.param(
            "text/html",
            (PAGES / "gihyo-dp-top_2020-01_listing.html").read_bytes(),
            "no article text: mostly short lines, a listing page?",
            id="listing",
        ),
        pytest.param("text/html", b"<html><body></body></html>", "no main text found", id="empty"),
    ],
)
async def test_page_without_article_text_is_an_error_value(
    fetcher: Fetcher,
    feed_server: FeedServer,
    path: str,
    content_type: str,
    body: bytes,
    error: str,
) -> None:
    feed_server.route(path, body=body, headers={"Content-Type": content_type})
    page = await fetch_article_text(fetcher, feed_server.url(path))
    assert (page.text, page.error) == ("", error)


async def test_html_served_as_octet_stream_is_sniffed(
    fetcher: Fetcher, feed_server: FeedServer, path: str
) -> None:
    body = (PAGES / "nhk-news-web_2019-03-14.html").read_bytes()
    feed_server.route(path, body=body, headers={"Content-Type": "application/octet-stream"})
    page = await fetch_article_text(fetcher, feed_server.url(path))
    assert page.error is None
    assert "警視庁" in page.text


async def test_unreachable_host_is_an_error_value(fetcher: Fetcher) -> None:
    page = await fetch_article_text(fetcher, "http://127.0.0.1:9/none")
    assert page.error is not None
    assert page.structure == Structure()


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        pytest.param(
            "日本語".encode("euc_jp"), "text/html; charset=EUC-JP", "日本語", id="euc-jp"
        ),
        pytest.param(
            b'<meta charset="x-sjis">' + "①".encode("cp932"),
            "",
            '<meta charset="x-sjis">①',
            id="x-sjis-as-cp932",
        ),
        pytest.param("café".encode(), "text/html; charset=nonsense", "café", id="unknown-label"),
        pytest.param(b"\xef\xbb\xbfok", "text/html; charset=cp932", "ok", id="bom-wins"),
        pytest.param("日本".encode("euc_jp"), "", "日本", id="sniffed-euc-jp"),
        # Undecodable as utf-8, cp932 and euc-jp alike: the declared charset, replaced.
        pytest.param(b"a\x81 \xfd", "text/html; charset=utf-8", "a\ufffd \ufffd", id="junk"),
    ],
)
def test_decode_html(body: bytes, content_type: str, expected: str) -> None:
    assert decode_html(body, content_type) == expected


def test_extract_main_text_of_junk_is_empty() -> None:
    assert extract_main_text("") == ""
    assert extract_main_text("<<<>>>") == ""
