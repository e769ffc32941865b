"""The /stats chart drawn: a PNG Pillow decodes, in a font that has every character it draws."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from bot.adapters.chart_png import draw_stats_chart, font_path
from bot.core.chart import StatsChart, ThrottleHour, TopicHour, shape_stats_chart
from bot.core.i18n import LANGUAGES
from bot.locales import load_translators

TRANSLATORS = load_translators()
NOW = datetime(2026, 12, 6, 12, 5, tzinfo=UTC)
TOPICS = {
    1: "テクノロジー",
    2: "国際ニュース",
    3: "経済・ビジネス",
    4: "Science",
    5: "スポーツ＆健康",
    6: "Python",
    7: "Rust",
    8: "ゲーム",
}


def sample_chart(lang: str, *, kept_days: int = 7, topics: dict[int, str] = TOPICS) -> StatsChart:
    pushes = [
        TopicHour(NOW - timedelta(hours=h), topic_id, topic_id * 3 + h % 5, int(h % 37 == 0))
        for h in range(0, 14 * 24, 5)
        for topic_id in topics
    ]
    throttles = [ThrottleHour(NOW - timedelta(days=2), 3, 31.0)]
    chart = shape_stats_chart(
        TRANSLATORS[lang],
        now=NOW,
        tz=ZoneInfo("Asia/Tokyo" if lang == "ja" else "Europe/London"),
        topics=topics,
        pushes=pushes,
        throttles=throttles,
        health=(12, 2, 1),
        kept=timedelta(days=kept_days),
    )
    assert chart is not None
    return chart


@cache
def font_characters() -> frozenset[int]:
    """The code points the shipped font has a glyph for."""
    font = TTFont(font_path())
    cmap = font.getBestCmap()
    assert cmap is not None
    return frozenset(cmap)


def missing_glyphs(texts: list[str]) -> set[str]:
    return {char for text in texts for char in text if char not in "\n"} - {
        chr(code) for code in font_characters()
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_chart_is_a_png_of_a_sensible_size(lang: str) -> None:
    png = draw_stats_chart(sample_chart(lang))
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    width, height = image.size
    assert 800 <= width <= 2000
    assert 400 <= height <= 1500
    # Not a blank canvas: bars, labels and the grey of the days not kept.
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or []) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_font_has_every_character_of_every_label(lang: str) -> None:
    chart = sample_chart(lang)
    assert missing_glyphs(chart.texts()) == set()


def test_the_font_has_every_translated_chart_string_and_the_weekdays() -> None:
    texts: list[str] = []
    for lang in LANGUAGES:
        for kept_days in (1, 7):
            texts += sample_chart(lang, kept_days=kept_days).texts()
        empty = shape_stats_chart(
            TRANSLATORS[lang],
            now=NOW,
            tz=ZoneInfo("UTC"),
            topics={},
            pushes=[],
            throttles=[],
            health=(1, 0, 0),
            kept=timedelta(days=30),
        )
        assert empty is not None
        texts += empty.texts()
        # Every weekday and month name the day labels can use.
        for day in range(0, 366, 1):
            week = shape_stats_chart(
                TRANSLATORS[lang],
                now=NOW + timedelta(days=day),
                tz=ZoneInfo("UTC"),
                topics={},
                pushes=[],
                throttles=[],
                health=(1, 0, 0),
                kept=timedelta(days=30),
            )
            assert week is not None
            texts += week.days
    assert any("月" in text for text in texts)
    assert any("Wed" in text for text in texts)
    assert missing_glyphs(texts) == set()


def test_the_font_misses_what_it_should_miss() -> None:
    # The check itself works: an emoji is not in IPAexGothic.
    assert missing_glyphs(["OK 📊"]) == {"📊"}


def test_a_chart_of_nothing_sent_and_one_of_forty_topics_draw() -> None:
    forty = sample_chart("en", kept_days=30, topics={i: f"トピック{i}" for i in range(1, 41)})
    nothing = shape_stats_chart(
        TRANSLATORS["ja"],
        now=NOW,
        tz=ZoneInfo("Asia/Tokyo"),
        topics={},
        pushes=[],
        throttles=[],
        health=(0, 1, 2),
        kept=timedelta(days=1),
    )
    assert nothing is not None
    for chart in (forty, nothing):
        assert Image.open(io.BytesIO(draw_stats_chart(chart))).size == (1200, 800)


def test_importing_the_bot_does_not_import_matplotlib() -> None:
    code = (
        "import sys, bot.app, bot.chat.admin_feeds, bot.adapters.chart_png; "
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_bot_draws_in_a_process_of_its_own_and_keeps_no_matplotlib() -> None:
    code = (
        "import asyncio, io, sys\n"
        "from PIL import Image\n"
        "from bot.adapters.chart_png import draw_apart\n"
        "from tests.adapters.test_chart_png import sample_chart\n"
        "png = asyncio.run(draw_apart(sample_chart('ja')))\n"
        "print(Image.open(io.BytesIO(png)).size, 'matplotlib' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "(1200, 800) False"
