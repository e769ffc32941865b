from __future__ import annotations

import pytest

from bot.core.lede import dek, is_boilerplate, is_news_sentence
from bot.core.summarize import summarize


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("こんにちは、富士通人工知能研究所の内田・佐藤・茂木です。", id="ja-greeting"),
        pytest.param("データ本部データ基盤開発部の阿部です。", id="ja-self-introduction"),
        pytest.param("株式会社TOKIUMでエンジニアをしているsomaです！", id="ja-role-introduction"),
        pytest.param("この記事は、CYBOZU SUMMER BLOG FES '26の記事です。", id="ja-series-note"),
        pytest.param("In his free time, he makes beer, jewelry and furniture.", id="credit"),
        pytest.param(
            "John Taylor Williams is a full-time self-employed audio engineer, producer, "
            "composer, and sound designer.",
            id="bio",
        ),
        pytest.param("By Lucy Crossley", id="byline"),
        pytest.param("Photo: Reuters", id="photo-credit"),
        pytest.param("submitted by /u/dropstop to /r/movies [link] [624 comments]", id="reddit"),
        pytest.param("※週刊ポスト2019年9月6日号", id="ja-note"),
        pytest.param("events.example.org 昨年に続き、今年も開催されました！", id="link-card"),
        pytest.param(
            "本連載では今回が2020年最初の回なので，ずいぶん遅ればせになるものの，"
            "皆さま，明けましておめでとうございます。",
            id="ja-new-year-greeting",
        ),
        pytest.param("今年もまったりとお付き合いいただければ幸いです。", id="ja-pleasantry"),
        pytest.param("本年もどうぞよろしくお願いいたします。", id="ja-regards"),
        # Key points of real entries in feeds-ja, before these were known for what they are.
        pytest.param("SCSK永見です。", id="ja-company-and-name"),
        pytest.param("株式会社エクサウィザーズの櫻井です。", id="ja-company-of-name"),
        pytest.param("SREのたっちです。", id="ja-team-and-name"),
        pytest.param("ありがとうございます。", id="ja-thanks"),
        pytest.param("お世話になってます。", id="ja-pleasantry-alone"),
        pytest.param("前回の記事はこちら!", id="ja-pointer"),
        pytest.param("過去の連載はこちら。", id="ja-series-pointer"),
        pytest.param("自己紹介続きをみる", id="ja-read-on"),
    ],
)
def test_boilerplate(sentence: str) -> None:
    assert is_boilerplate(sentence)
    assert not is_news_sentence(sentence, cjk=not sentence.isascii())


@pytest.mark.parametrize(
    ("sentence", "cjk"),
    [
        pytest.param(
            "大手の同人誌通販サイトで、成人向け書籍の決済ができなくなった。", True, id="ja"
        ),
        pytest.param("この問題の原因は設定ミスです。", True, id="ja-desu-not-an-introduction"),
        pytest.param("ソフトバンクの新料金は月額3000円です。", True, id="ja-price"),
        pytest.param(
            "By 2030, the city will have banned cars from its center.", False, id="by-year"
        ),
        pytest.param("NJ.com reports that neighbors were woken up by sirens.", False, id="site"),
        pytest.param(
            "The city council voted on Tuesday to ban cars from the old town center.",
            False,
            id="en",
        ),
    ],
)
def test_news_sentences(sentence: str, cjk: bool) -> None:
    assert not is_boilerplate(sentence)
    assert is_news_sentence(sentence, cjk=cjk)


@pytest.mark.parametrize(
    "sentence",
    [
        "世界初です。",
        "過去最高です。",
        "AWSの新サービスです。",
        "GoogleのGeminiです。",
        "本日発売です。",
    ],
)
def test_a_short_japanese_sentence_is_no_name_alone(sentence: str) -> None:
    assert not is_boilerplate(sentence)


def test_a_description_ending_in_a_short_sentence_is_still_a_dek() -> None:
    text = "トヨタは新型プリウスを来月発売すると発表した。国内販売は3年ぶりの新型です。"
    assert dek(text, cjk=True, limit=300) == text


@pytest.mark.parametrize(
    ("sentence", "cjk"),
    [
        pytest.param("on weekdays from April.", False, id="fragment"),
        pytest.param("Prompt Injection / Context Injection 7.", False, id="heading"),
        pytest.param("Kevin Durant Requested A Trade And Left The Team.", False, id="headline"),
        pytest.param("Will the council ban cars from the old town?", False, id="question"),
        pytest.param("But the council said the ban would cut pollution.", False, id="connective"),
        pytest.param('"We will win," the mayor of the city said on Monday.', False, id="quote"),
        pytest.param("The new routes will start in March and run", False, id="unterminated"),
        pytest.param("しかし、物価は上がり続けている。", True, id="ja-connective"),
        pytest.param("物価は上がった。", True, id="ja-too-short"),
    ],
)
def test_not_news_sentences(sentence: str, cjk: bool) -> None:
    assert not is_news_sentence(sentence, cjk=cjk)


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        pytest.param(
            "The city council banned cars from the old town center on Tuesday.",
            "The city council banned cars from the old town center on Tuesday.",
            id="sentence",
        ),
        pytest.param(
            "The council banned cars from the old town center. Shops fear for their trade.",
            "The council banned cars from the old town center. Shops fear for their trade.",
            id="two-sentences",
        ),
        pytest.param("The city council banned cars from the old town center…", "", id="teaser"),
        pytest.param("The city council banned cars from the old [...]", "", id="bracketed"),
        pytest.param("Cars banned. Read more", "", id="read-more"),
        pytest.param("Temperature and music.", "", id="too-short"),
        pytest.param("<p>Not plain text", "", id="unterminated"),
        pytest.param("", "", id="none"),
    ],
)
def test_dek(description: str, expected: str) -> None:
    assert dek(description, cjk=False, limit=400) == expected


TEXT = (
    "The city council voted on Tuesday to ban cars from the old town center starting next "
    "spring, after a decade of debate.\n\n"
    "Shop owners in the old town had warned that the car ban would cost them customers.\n\n"
    "The mayor, who proposed the ban in 2015, called the vote a turning point for the city.\n\n"
    "Buses will still be allowed in the center."
)


def test_the_dek_is_the_lede_and_no_key_point_repeats_it() -> None:
    description = "The city council voted to ban cars from the old town center from next spring."
    summary = summarize("Cars banned", TEXT, "en", description=description)
    assert summary.lede == description
    assert len(summary.key_points) == 3
    assert not any(point.startswith("The city council voted") for point in summary.key_points)


def test_without_a_dek_the_opening_sentence_is_said_once() -> None:
    summary = summarize("Cars banned", TEXT, "en", description="Cars banned from the…")
    assert summary.lede == ""
    assert summary.key_points[0].startswith("The city council voted on Tuesday")


def test_a_dek_that_is_all_the_text_gives_way_to_key_points() -> None:
    text = "The council banned cars from the old town center on Tuesday."
    summary = summarize("Cars banned", text, "en", description=text)
    assert summary == summarize("Cars banned", text, "en")
    assert summary.key_points == (text,)


def test_a_greeting_never_opens_the_digest() -> None:
    text = (
        "こんにちは、富士通人工知能研究所の内田です。\n\n"
        "当研究所は新しい言語モデルの評価手法を開発し、その成果を国際会議で発表した。\n\n"
        + "".join(
            f"評価には{n}種類の業務データを使い、精度は従来より{n}割向上した。"
            for n in range(2, 9)
        )
    )
    summary = summarize("新しい評価手法", text, "ja", max_points=2)
    assert summary.lede == ""
    assert summary.key_points == (
        "当研究所は新しい言語モデルの評価手法を開発し、その成果を国際会議で発表した。",
        "評価には2種類の業務データを使い、精度は従来より2割向上した。",
    )


def test_a_bio_paragraph_gives_no_key_point() -> None:
    text = (
        "Here's a transcript of my keynote at the 28th Chaos Communications Congress in Berlin "
        'over Christmas week, "The Coming War on General Purpose Computation."\n\n'
        "Mastering by John Taylor Williams: wryneckstudio@gmail.com\n\n"
        "John Taylor Williams is a full-time self-employed audio engineer, producer, composer, "
        "and sound designer. In his free time, he makes beer, jewelry, odd musical instruments "
        "and furniture. He likes to meditate, to read and to cook."
    )
    summary = summarize("The Coming War on General Purpose Computation", text, "en")
    assert summary.key_points == (
        "Here's a transcript of my keynote at the 28th Chaos Communications Congress in Berlin "
        'over Christmas week, "The Coming War on General Purpose Computation."',
    )


def test_a_teaser_cut_off_at_the_end_gives_no_key_point() -> None:
    text = (
        "市は新しい図書館を来年4月に開館すると発表した。 蔵書は約20万冊で、県内最大の規模となる。 "
        "館長に就任する田中氏からは「地域の皆さんに..."
    )
    summary = summarize("新図書館が来春開館", text, "ja")
    assert summary.key_points == (
        "市は新しい図書館を来年4月に開館すると発表した。",
        "蔵書は約20万冊で、県内最大の規模となる。",
    )
