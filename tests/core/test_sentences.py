from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.sentences import split_sentences


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
