from __future__ import annotations

import pytest

from bot.core.trim import condense, drop_title_copy, shorten, strip_asides, strip_dateline


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
