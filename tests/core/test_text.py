from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import guess_lang, html_to_text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            "<p>Fish &amp; Chips &lt;3 &quot;fresh&quot; &copy; 2024</p>",
            'Fish & Chips <3 "fresh" © 2024',
            id="entities",
        ),
        pytest.param(
            "<p>&#x306F;&#x3066;&#x306A; &#12354;&#12356;</p>",
            "はてな あい",
            id="numeric-references",
        ),
        pytest.param(
            # The channel title of feeds-ja/hatena-hotentry-it_2020-01-25_ncr.rdf, as written.
            "&#x306F;&#x3066;&#x306A;&#x30D6;&#x30C3;&#x30AF;&#x30DE;&#x30FC;&#x30AF; - "
            "&#x4EBA;&#x6C17;&#x30A8;&#x30F3;&#x30C8;&#x30EA;&#x30FC;",
            "はてなブックマーク - 人気エントリー",
            id="numeric-references-plain-text",
        ),
        pytest.param(
            "<h1>Title</h1><p>One.</p><div>Two<br>three</div><ul><li>a</li><li>b</li></ul>"
            "<blockquote>Quote</blockquote><table><tr><td>x</td><td>y</td></tr></table>",
            "Title\n\nOne.\n\nTwo\nthree\n\na\n\nb\n\nQuote\n\nx y",
            id="blocks",
        ),
        pytest.param(
            '<p>Keep</p><script>var a = "<p>no</p>";</script><style>p{color:red}</style>'
            "<nav><a>Home</a></nav><p>this</p><footer>© Site</footer>",
            "Keep\n\nthis",
            id="script-style-nav-removed",
        ),
        pytest.param("<p>  lots   of\n\tspace  </p>", "lots of space", id="whitespace"),
        pytest.param(
            "<p>日本語の文章です。</p><p>二段落目。</p>",
            "日本語の文章です。\n\n二段落目。",
            id="ja",
        ),
        pytest.param(
            "First paragraph.\n\n\nSecond &amp; last.\nSame paragraph.",
            "First paragraph.\n\nSecond & last.\nSame paragraph.",
            id="plain-text",
        ),
        pytest.param(
            'One <b>bold</b> line.\n\nAnother <a href="x">link</a>.',
            "One bold line.\n\nAnother link.",
            id="inline-tags-keep-blank-lines",
        ),
        pytest.param("<p>a<!-- hidden -->b&nbsp;c</p>", "ab c", id="comment-nbsp"),
        pytest.param(
            # An entry of feeds-ja/tech-blog-rss-feed_atom_2026-08-08.xml, as feedparser
            # gives it: its HTML escaped twice in a CDATA section.
            '&amp;lt;img fetchpriority="high" src="/images/2026/20260806a/top.jpg" alt="" '
            'width="720" height="402"&amp;gt;&amp;lt;p&amp;gt;The Go gopher was designed by Renee',
            "The Go gopher was designed by Renee",
            id="html-escaped-twice",
        ),
        pytest.param(
            # Another entry of the same feed: text whose "<" and ">" were escaped twice.
            "はじめにHono RPCでは、サーバー側のrouteから得たAppTypeをhc&amp;lt;AppType&amp;gt;()"
            "へ渡すことで、requestとresponseの型をクライアントへ共有できます。",
            "はじめにHono RPCでは、サーバー側のrouteから得たAppTypeをhc<AppType>()"
            "へ渡すことで、requestとresponseの型をクライアントへ共有できます。",
            id="entities-escaped-twice",
        ),
        pytest.param(
            "&lt;p&gt;Fish &amp;amp; chips.&lt;/p&gt;&lt;p&gt;Two.&lt;/p&gt;",
            "Fish & chips.\n\nTwo.",
            id="html-escaped-once-more",
        ),
        pytest.param(
            "Use the &lt;p&gt; element for paragraphs.",
            "Use the <p> element for paragraphs.",
            id="a-tag-named-in-plain-text",
        ),
        pytest.param(
            "<p>Write &amp;lt;p&amp;gt; to show &lt;p&gt;.</p>",
            "Write &lt;p&gt; to show <p>.",
            id="an-entity-named-in-html",
        ),
        pytest.param(
            "&lt;dialog&gt; is now baseline in every browser.",
            "<dialog> is now baseline in every browser.",
            id="a-tag-named-first",
        ),
        pytest.param(
            # A third entry of that feed.
            "AI Dev Day 2026のコミュニティーブースにて、GitHub dockyard Radio &amp;amp; VS Code "
            "Monthly Update @ AI Dev Day 2026というセッションで登壇しました。",
            "AI Dev Day 2026のコミュニティーブースにて、GitHub dockyard Radio & VS Code "
            "Monthly Update @ AI Dev Day 2026というセッションで登壇しました。",
            id="an-ampersand-escaped-twice",
        ),
        pytest.param(
            "Escape &lt; as &amp;lt; in attributes.",
            "Escape < as &lt; in attributes.",
            id="an-entity-and-what-it-escapes",
        ),
        pytest.param("List&lt;T&gt; and &amp;amp; Map", "List<T> and &amp; Map", id="generics"),
        pytest.param(
            "&amp;lt;![CDATA[&amp;lt;p&amp;gt;Hi&amp;lt;/p&amp;gt;]]&amp;gt;",
            "Hi",
            id="cdata-escaped-twice",
        ),
        pytest.param("", "", id="empty"),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("これは日本語です。", "ja", id="ja"),
        pytest.param("Appleが新型iPhoneを発表", "ja", id="ja-with-latin"),
        pytest.param("Hello world", None, id="en"),
        pytest.param("短缺药品保供稳价", None, id="kanji-only-may-be-chinese"),
        pytest.param(
            "iPhone 15 Pro review: the best camera yet, with some ア", None, id="stray-kana"
        ),
        pytest.param("", None, id="empty"),
    ],
)
def test_guess_lang(text: str, expected: str | None) -> None:
    assert guess_lang(text) == expected


@given(st.text())
def test_html_to_text_never_raises(html: str) -> None:
    html_to_text(html)
