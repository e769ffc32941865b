from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import (
    condense,
    drop_title_copy,
    guess_lang,
    html_to_text,
    shorten,
    split_sentences,
    strip_asides,
    strip_dateline,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "東京は晴れ。大阪は雨！本当？はい。",
            ["東京は晴れ。", "大阪は雨！", "本当？", "はい。"],
            id="ja",
        ),
        pytest.param(
            "日本が商業捕鯨を再開した。\u3000韓国は憂慮を表明した。",
            ["日本が商業捕鯨を再開した。", "韓国は憂慮を表明した。"],
            id="ja-ideographic-space",
        ),
        pytest.param(
            "The vote passed. Critics objected! Will it last? Nobody knows.",
            ["The vote passed.", "Critics objected!", "Will it last?", "Nobody knows."],
            id="en",
        ),
        pytest.param(
            "Mr. Smith met Dr. Jones in the U.S. capital. They discussed e.g. taxes, i.e. money. "
            "Acme Inc. agreed.",
            [
                "Mr. Smith met Dr. Jones in the U.S. capital.",
                "They discussed e.g. taxes, i.e. money.",
                "Acme Inc. agreed.",
            ],
            id="abbreviations",
        ),
        pytest.param(
            "He moved to the U.S. The move was hard.",
            ["He moved to the U.S.", "The move was hard."],
            id="abbreviation-ends-sentence",
        ),
        pytest.param(
            "The library will be open until 10 p.m. on weekdays from April. Entry is free.",
            [
                "The library will be open until 10 p.m. on weekdays from April.",
                "Entry is free.",
            ],
            id="short-form-before-a-lowercase-word",
        ),
        pytest.param(
            "Shares of Acme Inc. on Friday rose 5%. U.S. officials agreed.",
            ["Shares of Acme Inc. on Friday rose 5%.", "U.S. officials agreed."],
            id="inc-on-friday",
        ),
        pytest.param(
            "【写真】調印式の様子\u3000当時は協力が進んだ。\u3000両国は合意した。",
            ["【写真】調印式の様子", "当時は協力が進んだ。", "両国は合意した。"],
            id="ja-caption-before-an-ideographic-space",
        ),
        pytest.param(
            "日本、\u3000韓国と中国。", ["日本、 韓国と中国。"], id="ja-space-after-comma"
        ),
        pytest.param(
            "The cat sat. The answer was no. So did I. Martin Luther King Jr. The end.",
            [
                "The cat sat.",
                "The answer was no.",
                "So did I.",
                "Martin Luther King Jr.",
                "The end.",
            ],
            id="words-that-look-like-short-forms",
        ),
        pytest.param(
            "John F. Kennedy spoke. Smith et al. agreed.",
            ["John F. Kennedy spoke.", "Smith et al. agreed."],
            id="initials",
        ),
        pytest.param(
            "Growth was 3.14 percent. Prices rose 2.5% in May. It costs $3.50. Fine.",
            ["Growth was 3.14 percent.", "Prices rose 2.5% in May.", "It costs $3.50.", "Fine."],
            id="decimals",
        ),
        pytest.param(
            "成長率は３．１４％だった。物価は上がった。",
            ["成長率は３．１４％だった。", "物価は上がった。"],
            id="ja-decimals",
        ),
        pytest.param(
            "Wait... what happened? It ended… Then silence.",
            ["Wait... what happened?", "It ended…", "Then silence."],
            id="ellipses",
        ),
        pytest.param(
            '"We won." He smiled. She said \'yes.\' "Really?" he asked.',
            ['"We won."', "He smiled.", "She said 'yes.'", '"Really?" he asked.'],
            id="en-quotes",
        ),
        pytest.param(
            "彼は「もう帰る。明日また来る」と言った。『本当に？』と聞いた。「行く。」彼は出た。",
            [
                "彼は「もう帰る。明日また来る」と言った。",
                "『本当に？』と聞いた。",
                "「行く。」",
                "彼は出た。",
            ],
            id="ja-quotes",
        ),
        pytest.param(
            "（これで終わり。）次の話。(An aside.) Next one.",
            ["（これで終わり。）", "次の話。", "(An aside.)", "Next one."],
            id="closing-brackets",
        ),
        pytest.param(
            "Yahoo!ニュースによると、Apple Inc.が発表した。The price is $999. 発売は９月。",
            [
                "Yahoo!ニュースによると、Apple Inc.が発表した。",
                "The price is $999.",
                "発売は９月。",
            ],
            id="mixed",
        ),
        pytest.param(
            "成功するのか?米ロが停戦交渉へ",
            ["成功するのか?", "米ロが停戦交渉へ"],
            id="ja-ascii-question-mark",
        ),
        pytest.param(
            "Headline without stop\n\nFirst sentence. Second one",
            ["Headline without stop", "First sentence.", "Second one"],
            id="paragraph-break",
        ),
        pytest.param(
            "ざっくり言うと\n韓国が憂慮を表明\n影響を注視",
            ["ざっくり言うと", "韓国が憂慮を表明", "影響を注視"],
            id="ja-line-breaks",
        ),
        pytest.param(
            "A sentence wrapped\nacross lines ends here.",
            ["A sentence wrapped across lines ends here."],
            id="en-wrapped-line",
        ),
        pytest.param(
            "Highlights:\n- faster\n- cheaper", ["Highlights:", "- faster", "- cheaper"], id="list"
        ),
        pytest.param("  \n\n ", [], id="blank"),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


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


@pytest.mark.parametrize(
    ("sentence", "limit", "cjk", "expected"),
    [
        pytest.param("Short enough.", 160, False, "Short enough.", id="en-unchanged"),
        pytest.param(
            "The council voted on Tuesday to ban cars from the old town, after a decade of "
            "debate, and the mayor said the decision was a turning point for the city center "
            "and its people.",
            160,
            False,
            "The council voted on Tuesday to ban cars from the old town, after a decade of "
            "debate…",
            id="en-clause",
        ),
        pytest.param(
            "In the first place, " + "word " * 40,
            160,
            False,
            "In the first place, " + "word " * 27 + "word…",
            id="en-word-boundary",
        ),
        pytest.param(
            "日本が１日から商業捕鯨を再開したことについて、韓国の海洋水産部は同日、「日本の商業捕鯨に"
            "深刻な憂慮を表明する」として、声明を発表した。",
            50,
            True,
            "日本が１日から商業捕鯨を再開したことについて、韓国の海洋水産部は同日…",
            id="ja-clause",
        ),
        pytest.param("あ" * 100, 80, True, "あ" * 80 + "…", id="ja-no-boundary"),
        pytest.param(
            "Millward pocketed £75,532 in income support and £24,692 in disability living "
            "allowance by the time the scam was uncovered",
            60,
            False,
            "Millward pocketed £75,532 in income support and £24,692 in…",
            id="en-no-cut-inside-a-number",
        ),
        pytest.param(
            "男は窃盗の疑いで警視庁に逮捕されましたが、調べに対し「自分はやっていない」と容疑を否認して"
            "おり、警視庁は余罪についても詳しく調べる方針で、近く送検する見通しです。",
            80,
            True,
            "男は窃盗の疑いで警視庁に逮捕されましたが、調べに対し「自分はやっていない」と容疑を否認"
            "している。",
            id="ja-clause-end-closed-as-a-sentence",
        ),
        pytest.param(
            "男は窃盗の疑いで警視庁に逮捕されましたが、調べに対し「自分はやっていない」と容疑を否認して"
            "いる。",
            30,
            True,
            "男は窃盗の疑いで警視庁に逮捕されました。",
            id="ja-but-clause-dropped",
        ),
        pytest.param(
            "ボララップと呼ばれる道具が米国で開発され、警察で試験導入されており、テーザー銃の代わりと"
            "なる可能性があるとして全米の警察から注目を集めている。",
            50,
            True,
            "ボララップと呼ばれる道具が米国で開発され、警察で試験導入されていた。",
            id="ja-teori-in-the-past-of-a-resulting-state",
        ),
        pytest.param(
            "政府は来年度から新しい制度を導入し、全国の自治体で順次運用を始めるとともに、その効果を"
            "検証する有識者会議を設置する。",
            50,
            True,
            "政府は来年度から新しい制度を導入する。",
            id="ja-suru-in-the-present",
        ),
        pytest.param(
            "韓国の海洋水産部は同日、「日本の商業捕鯨に深刻な憂慮を表明する」として、声明を発表した"
            "ということで、関係者によると今後も日本側との協議を続ける方針だという。",
            50,
            True,
            "韓国の海洋水産部は同日、「日本の商業捕鯨に深刻な憂慮を表明する」として…",
            id="ja-no-cut-after-a-particle",
        ),
    ],
)
def test_shorten(sentence: str, limit: int, cjk: bool, expected: str) -> None:
    assert shorten(sentence, limit, cjk=cjk) == expected


@pytest.mark.parametrize(
    ("sentence", "cjk", "expected"),
    [
        pytest.param(
            "But the council said the ban would cut pollution.",
            False,
            "The council said the ban would cut pollution.",
            id="but",
        ),
        pytest.param(
            "However, prices fell sharply in May.",
            False,
            "Prices fell sharply in May.",
            id="however",
        ),
        pytest.param("しかし、物価は上がった。", True, "物価は上がった。", id="shikashi"),
        pytest.param(
            "ところが一見ホワイトでもブラックな会社もある。",
            True,
            "一見ホワイトでもブラックな会社もある。",
            id="tokoroga-without-comma",
        ),
        pytest.param(
            "So, when they met, everyone knew it was absurd.",
            False,
            "When they met, everyone knew it was absurd.",
            id="so",
        ),
        pytest.param(
            "In a case that would have been impossible even five years ago, rocker Courtney Love "
            "is being sued for libel by a fashion designer for allegedly slamming the woman on "
            "Twitter.",
            False,
            "Rocker Courtney Love is being sued for libel by a fashion designer for allegedly "
            "slamming the woman on Twitter.",
            id="opening-clause-dropped",
        ),
        pytest.param(
            "In Tokyo, the city opened a park.",
            False,
            "In Tokyo, the city opened a park.",
            id="short-sentence-kept-whole",
        ),
    ],
)
def test_condense(sentence: str, cjk: bool, expected: str) -> None:
    assert condense(sentence, 80 if cjk else 160, cjk=cjk) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param("WASHINGTON (AP) — The vote passed.", "The vote passed.", id="ap"),
        pytest.param(
            "(CNN) -- Despite claims, it went on.", "Despite claims, it went on.", id="cnn"
        ),
        pytest.param("Beijing (CNN) -- Bowing to pressure.", "Bowing to pressure.", id="city-cnn"),
        pytest.param("WASHINGTON—Tax receipts surged.", "Tax receipts surged.", id="caps-dash"),
        pytest.param(
            "【ソウル聯合ニュース】韓国が表明した。", "韓国が表明した。", id="ja-bracket"
        ),
        pytest.param(
            "Apple Inc. — the maker — rose.", "Apple Inc. — the maker — rose.", id="none"
        ),
    ],
)
def test_strip_dateline(sentence: str, expected: str) -> None:
    assert strip_dateline(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "cjk", "expected"),
    [
        pytest.param(
            "（参考記事：北朝鮮は）北朝鮮の軍は疲弊している。",
            True,
            "北朝鮮の軍は疲弊している。",
            id="ref",
        ),
        pytest.param(
            "（ニューデリー＝奈良部健） インド西部で。", True, "インド西部で。", id="byline"
        ),
        pytest.param(
            "誹謗（ひぼう）中傷とガルズル（Gardur）の浜辺。",
            True,
            "誹謗中傷とガルズルの浜辺。",
            id="glosses",
        ),
        pytest.param("吉野彰さん（７１）の妻。", True, "吉野彰さんの妻。", id="age-dropped"),
        pytest.param("◇ 韓国銀行が発表した。", True, "韓国銀行が発表した。", id="marker"),
        pytest.param(
            "©AFLO 被害は流域に集中した。", True, "被害は流域に集中した。", id="photo-credit"
        ),
        pytest.param("※ ※ ※ 一般道も整備された。", True, "一般道も整備された。", id="separator"),
        pytest.param(
            "はじめにFusicのレオナです。", True, "Fusicのレオナです。", id="heading-word"
        ),
        pytest.param(
            "【写真】調印式の様子。首相（当時）は（東京都内で）述べた。",
            True,
            "調印式の様子。首相は述べた。",
            id="parentheticals-dropped",
        ),
        pytest.param(
            "The agency (FDA) agreed.", False, "The agency (FDA) agreed.", id="en-untouched"
        ),
    ],
)
def test_strip_asides(sentence: str, cjk: bool, expected: str) -> None:
    assert strip_asides(sentence, cjk=cjk) == expected


@pytest.mark.parametrize(
    ("paragraph", "title", "expected"),
    [
        pytest.param(
            "ITエンジニアが投票した「ITエンジニア本大賞2020」ベスト10発表。「ドラゴンクエストXを支える"
            "技術」など ITエンジニア本大賞は、技術書を選ぶイベントです。",
            "ITエンジニアが投票した「ITエンジニア本大賞2020」ベスト10発表。「ドラゴンクエストXを支える"
            "技術」など － Publickey",
            "ITエンジニア本大賞は、技術書を選ぶイベントです。",
            id="hatena-excerpt",
        ),
        pytest.param(
            "Apple ships new iPhones today. Stores open early.",
            "Apple ships new iPhone",
            "Apple ships new iPhones today. Stores open early.",
            id="mid-word",
        ),
        pytest.param(
            "Rates rose again today.", "Rates rose", "Rates rose again today.", id="short-title"
        ),
        pytest.param("No title here.", "", "No title here.", id="no-title"),
    ],
)
def test_drop_title_copy(paragraph: str, title: str, expected: str) -> None:
    assert drop_title_copy(paragraph, title) == expected


def non_space(text: str) -> str:
    return "".join(c for c in text if not c.isspace())


@given(st.text())
def test_split_sentences_never_loses_characters(text: str) -> None:
    assert non_space("".join(split_sentences(text))) == non_space(text)


@given(st.text(alphabet="ab 。．.!?！？「」（）()\"'…\n3", max_size=40))
def test_split_sentences_never_loses_punctuation(text: str) -> None:
    assert non_space("".join(split_sentences(text))) == non_space(text)


JA_CLAUSE = st.text(alphabet="日本語東京大阪あいうえおアイウエオ、０１２", min_size=1, max_size=12)


@given(st.lists(st.tuples(JA_CLAUSE, st.sampled_from("。！？")), min_size=1, max_size=6))
def test_split_sentences_splits_after_each_ja_terminator(parts: list[tuple[str, str]]) -> None:
    sentences = [clause + end for clause, end in parts]
    assert split_sentences("".join(sentences)) == sentences


@given(st.text())
def test_html_to_text_never_raises(html: str) -> None:
    html_to_text(html)
