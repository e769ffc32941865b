from __future__ import annotations

import json
import statistics
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer

from bot.core.models import Page, Summary
from bot.core.rank import rank_sentences
from bot.core.summarize import (
    MAX_POINT_CHARS_EN,
    MAX_POINT_CHARS_JA,
    lead_sentences,
    summarize,
)
from bot.core.text import guess_lang, html_to_text

DATA = Path(__file__).resolve().parents[1] / "data"

JA_ARTICLE = (
    "【ソウル聯合ニュース】日本が１日から商業捕鯨を再開したことについて、韓国の海洋水産部は同日、"
    "深刻な憂慮を表明する声明を発表した。\u3000韓国の近海には日本の商業捕鯨の対象に含まれている"
    "ミンククジラなど計３１種のクジラ類が分布している。\u3000ミンククジラはＪ系群とＯ系群に分けられ、"
    "Ｊ系群は朝鮮半島水域や日本の西側の沿岸などに生息している。\u3000同部の関係者は「われわれの水域"
    "のクジラ資源に及ぼす影響について分析する」と述べた。\u3000日本はＩＷＣ（国際捕鯨委員会）が"
    "１９８２年に商業捕鯨の中止を決めたことを受け、８８年から商業捕鯨を中止していた。"
)
EN_ARTICLE = (
    "WASHINGTON (AP) — The city council voted on Tuesday to ban cars from the old town center "
    "starting next spring, after a decade of debate.\n\n"
    "Shop owners in the old town had warned that the car ban would cost them customers.\n\n"
    "But the council said the car ban would cut pollution and make the old town center safer "
    "for walkers.\n\n"
    "Scroll down for video\n\n"
    "The mayor, who proposed the ban in 2015, called the vote a turning point for the city.\n\n"
    "Buses will still be allowed in the center."
)
EN_SECTIONS = (
    "A strong storm hit the coast on Monday, flooding streets in three towns. Officials warned "
    "residents to stay indoors until the storm passed.\n\n"
    "Damage\n\n"
    "The storm knocked down power lines across the county. Thousands of homes lost power "
    "overnight. Crews worked through the night to restore power to the homes.\n\n"
    "Recovery\n\n"
    "Volunteers cleared fallen trees from the main roads on Tuesday. Schools will reopen on "
    "Wednesday after the cleanup."
)


def test_summarize_ja_article() -> None:
    # The opening sentence is the first key point: the digest says it once, with no lede.
    assert summarize("", JA_ARTICLE, "ja") == Summary(
        lede="",
        key_points=(
            "日本が１日から商業捕鯨を再開したことについて、韓国の海洋水産部は同日、深刻な憂慮を表明する"
            "声明を発表した。",
            "韓国の近海には日本の商業捕鯨の対象に含まれているミンククジラなど計３１種のクジラ類が分布して"
            "いる。",
            "ミンククジラはＪ系群とＯ系群に分けられ、Ｊ系群は朝鮮半島水域や日本の西側の沿岸などに生息して"
            "いる。",
        ),
    )


def test_summarize_en_article_drops_dateline_noise_and_but() -> None:
    assert summarize("City council bans cars from old town", EN_ARTICLE, "en") == Summary(
        lede="",
        key_points=(
            "The city council voted on Tuesday to ban cars from the old town center starting next "
            "spring, after a decade of debate.",
            "Shop owners in the old town had warned that the car ban would cost them customers.",
            "The council said the car ban would cut pollution and make the old town center "
            "safer for walkers.",
        ),
    )


def test_summarize_pages_follow_headings() -> None:
    summary = summarize("Storm floods coastal towns", EN_SECTIONS, "en")
    assert (
        summary.lede == "A strong storm hit the coast on Monday, flooding streets in three towns."
    )
    assert summary.pages == (
        Page(
            heading="A strong storm hit the coast on Monday…",
            bullets=("Officials warned residents to stay indoors until the storm passed.",),
        ),
        Page(
            heading="Damage",
            bullets=(
                "The storm knocked down power lines across the county.",
                "Thousands of homes lost power overnight.",
                "Crews worked through the night to restore power to the homes.",
            ),
        ),
        Page(
            heading="Recovery",
            bullets=(
                "Volunteers cleared fallen trees from the main roads on Tuesday.",
                "Schools will reopen on Wednesday after the cleanup.",
            ),
        ),
    )


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        pytest.param("Title only", "", Summary("", ()), id="title-only-has-no-summary"),
        pytest.param("", " \n ", Summary("", ()), id="nothing-at-all"),
        pytest.param(
            "Apple ships iOS 18",
            "Apple ships iOS 18",
            Summary("", ()),
            id="text-only-repeats-title",
        ),
        pytest.param(
            "Apple ships iOS 18",
            "Apple ships iOS 18. The update adds a new home screen.",
            Summary("", ("The update adds a new home screen.",)),
            id="title-sentence-skipped",
        ),
        pytest.param(
            "T",
            "One short sentence here.",
            Summary("", ("One short sentence here.",)),
            id="one-sentence",
        ),
        pytest.param(
            "",
            "The cat sat on the mat today. The cat sat on the mat today! Dogs bark at night.",
            Summary("", ("The cat sat on the mat today.", "Dogs bark at night.")),
            id="near-duplicate-skipped",
        ),
        pytest.param(
            "Rates",
            "The bank raised rates on Monday. Markets fell after the decision. Bonds rallied.",
            Summary(
                "",
                (
                    "The bank raised rates on Monday.",
                    "Markets fell after the decision.",
                    "Bonds rallied.",
                ),
            ),
            id="short-entry-no-padding",
        ),
    ],
)
def test_summarize_short_and_fallback(title: str, text: str, expected: Summary) -> None:
    assert summarize(title, text, "en") == expected


def test_summarize_max_points_one() -> None:
    # The second sentence shares the most with the rest; the opening one is the lede.
    summary = summarize("", JA_ARTICLE, "ja", max_points=1)
    assert summary.key_points == (
        "韓国の近海には日本の商業捕鯨の対象に含まれているミンククジラなど計３１種のクジラ類が分布して"
        "いる。",
    )
    assert summary.lede.startswith("日本が１日から商業捕鯨を再開した")


def test_summarize_rejects_zero_points() -> None:
    with pytest.raises(ValueError, match="max_points"):
        summarize("t", "Some text here.", "en", max_points=0)


def test_summarize_one_paragraph_has_no_pages() -> None:
    assert summarize("", JA_ARTICLE, "ja").pages == ()


def test_lead_sentences() -> None:
    text = "The vote passed. Critics objected. Nobody knows. Later news."
    assert lead_sentences(text, 3) == ["The vote passed.", "Critics objected.", "Nobody knows."]


def test_rank_sentences_prior_breaks_ties_by_position() -> None:
    same = ["Cars are banned downtown."] * 3
    with_prior = rank_sentences(same, "en")
    assert with_prior == sorted(with_prior, reverse=True)
    assert len(set(rank_sentences(same, "en", position_prior=False))) == 1


# Properties.

LANGS = st.sampled_from(["en", "ja", "zh", "de", ""])


@settings(max_examples=200)
@given(st.text(), st.text(), LANGS, st.integers(min_value=1, max_value=5))
def test_summarize_never_raises_and_respects_limits(
    title: str, text: str, lang: str, max_points: int
) -> None:
    summary = summarize(title, text, lang, max_points=max_points)
    limit = MAX_POINT_CHARS_JA if lang in ("ja", "zh") else MAX_POINT_CHARS_EN
    assert len(summary.key_points) <= max_points
    assert all(len(point) <= limit + 1 for point in summary.key_points)
    assert len(summary.lede) <= limit + 1
    assert not summary.lede or summary.lede not in summary.key_points


@given(st.text(alphabet="ABC XYZ.!?。東京あ\n", min_size=1), LANGS)
def test_summarize_any_text_without_title_has_key_points(text: str, lang: str) -> None:
    summary = summarize("", text, lang)
    assert bool(summary.key_points) == any(c.isalnum() for c in text)


WORDS = st.sampled_from(["storm", "river", "bridge", "mayor", "budget", "school", "rail", "port"])
TITLE_WORDS = st.sampled_from(["apple", "orange", "lemon", "grape"])


@st.composite
def article_with_title(draw: st.DrawFn) -> tuple[str, str, int]:
    title = " ".join(draw(st.lists(TITLE_WORDS, min_size=2, max_size=5))).capitalize()
    sentences = [
        " ".join(draw(st.lists(WORDS, min_size=3, max_size=30))).capitalize() + "."
        for _ in range(draw(st.integers(min_value=1, max_value=8)))
    ]
    sentences.insert(draw(st.integers(min_value=0, max_value=len(sentences))), title + ".")
    return title, " ".join(sentences), draw(st.integers(min_value=1, max_value=4))


@given(article_with_title())
def test_summarize_never_repeats_the_title(case: tuple[str, str, int]) -> None:
    title, text, max_points = case
    summary = summarize(title, text, "en", max_points=max_points)
    assert 1 <= len(summary.key_points) <= max_points
    assert all(point.rstrip(".…") != title for point in summary.key_points)
    assert all(len(point) <= MAX_POINT_CHARS_EN + 1 for point in summary.key_points)


JA_SENTENCE = st.text(
    alphabet="東京都日本政府発表計画あいうえおかきアイウエオ、", min_size=5, max_size=120
)


@given(st.lists(JA_SENTENCE, min_size=1, max_size=8), st.integers(min_value=1, max_value=4))
def test_summarize_ja_points_fit(sentences: list[str], max_points: int) -> None:
    summary = summarize("東京都の計画", "。".join(sentences) + "。", "ja", max_points=max_points)
    assert len(summary.key_points) <= max_points
    assert all(len(point) <= MAX_POINT_CHARS_JA + 1 for point in summary.key_points)


# Regression: digestbot's key points must not fall below lead-3 on real data.


class CharTokenizer:
    """Characters without whitespace or punctuation: rouge-score's own tokenizer drops kana."""

    def tokenize(self, text: str) -> list[str]:
        norm = unicodedata.normalize("NFKC", text).lower()
        return [c for c in norm if unicodedata.category(c)[0] not in "PZC"]


def load_jsonl(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_key_points_beat_lead3_on_sample(lang: str) -> None:
    rows = [row for row in load_jsonl("summaries-sample.jsonl") if row["lang"] == lang]
    scorer = (
        rouge_scorer.RougeScorer(["rouge1"], tokenizer=CharTokenizer())
        if lang == "ja"
        else rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    )

    def rouge1(candidate: str, reference: str) -> float:
        return float(scorer.score(reference, candidate)["rouge1"].fmeasure)

    ours = statistics.fmean(
        rouge1("\n".join(summarize(r["title"], r["text"], lang).key_points), r["reference"])
        for r in rows
    )
    lead3 = statistics.fmean(
        rouge1("\n".join(lead_sentences(r["text"], 3)), r["reference"]) for r in rows
    )
    assert len(rows) == 10
    assert ours >= lead3


@pytest.mark.parametrize(
    "entry", load_jsonl("feed-entries-ja.jsonl"), ids=lambda e: f"{e['origin']}#{e['item']}"
)
def test_real_ja_feed_entries_give_ja_key_points(entry: dict[str, Any]) -> None:
    text = html_to_text(entry["html"])
    lang = guess_lang(text)
    summary = summarize(entry["title"], text, lang or "en")
    assert lang == "ja"
    assert summary.key_points
    assert all(guess_lang(point) == "ja" for point in summary.key_points)
    assert all(point != entry["title"] for point in summary.key_points)
    assert all(len(point) <= MAX_POINT_CHARS_JA + 1 for point in summary.key_points)


def test_real_ja_feed_entry_exact() -> None:
    nhk = next(e for e in load_jsonl("feed-entries-ja.jsonl") if "NHK" in e["title"])
    assert summarize(nhk["title"], html_to_text(nhk["html"]), "ja") == Summary(
        lede="",
        key_points=(
            "サッカーワールドカップロシア大会の１次リーグ、グループＨ、日本は初戦でコロンビアと対戦し、"
            "香川真司選手と大迫勇也選手のゴールで２対１で勝ちました。",
            "日本はワールドカップ、２大会ぶりの勝利です。",
        ),
    )


@pytest.mark.parametrize("row", load_jsonl("summaries-sample.jsonl"), ids=lambda row: row["id"])
def test_pages_keep_the_articles_order(row: dict[str, Any]) -> None:
    """A page's heading and bullets, and the pages themselves, come in the text's order."""
    text = " ".join(row["text"].split())
    summary = summarize(row["title"], row["text"], row["lang"])
    cursor, found_lines = 0, 0
    for page in summary.pages:
        for line in (page.heading, *page.bullets):
            key = line[:12]
            found = text.find(key, cursor)
            # Not found after the line before it: nowhere at all (shortened), or earlier.
            assert found >= 0 or key not in text, line
            if found >= 0:
                cursor, found_lines = found, found_lines + 1
    assert found_lines >= sum(1 + len(page.bullets) for page in summary.pages) // 2
