"""Keyword filters: /filter arguments, and which texts pass a topic's filters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.filters import (
    MAX_KEYWORD_CHARS,
    MAX_KEYWORDS,
    FilterArgsError,
    parse_filter_args,
    passes,
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["+rust", "-crypto"], (("rust",), ("crypto",)), id="signed"),
        pytest.param(["python", "+AI"], (("python", "AI"), ()), id="bare-word-includes"),
        pytest.param(["+ai", "-AI"], ((), ("AI",)), id="last-mention-wins"),
        pytest.param(["+Rust", "+rust"], (("rust",), ()), id="duplicates-kept-once"),
        pytest.param(["+", "-", "+半導体"], (("半導体",), ()), id="empty-signs-ignored"),
        pytest.param(["-c++"], ((), ("c++",)), id="punctuation-kept"),
        pytest.param([], ((), ()), id="nothing"),
    ],
)
def test_parse_filter_args(args: list[str], expected: tuple[tuple[str, ...], ...]) -> None:
    assert parse_filter_args(args) == expected


def test_parse_filter_args_refuses_too_many_keywords() -> None:
    with pytest.raises(FilterArgsError, match=f"more than {MAX_KEYWORDS}"):
        parse_filter_args([f"+w{n}" for n in range(MAX_KEYWORDS + 1)])


def test_parse_filter_args_refuses_a_long_keyword() -> None:
    with pytest.raises(FilterArgsError, match="keyword over"):
        parse_filter_args(["+" + "x" * (MAX_KEYWORD_CHARS + 1)])


@pytest.mark.parametrize(
    ("include", "exclude", "text", "expected"),
    [
        pytest.param((), (), "anything", True, id="no-filters"),
        pytest.param(("rust",), (), "Rust 2.0 released", True, id="include-case-insensitive"),
        pytest.param(("rust",), (), "Go 2.0 released", False, id="include-missing"),
        pytest.param(("ai",), (), "He said so", False, id="word-not-inside-word"),
        pytest.param(("ai",), (), "AI-powered search", True, id="word-before-hyphen"),
        pytest.param(("ai",), (), "AIが仕事を変える", True, id="latin-word-before-kana"),
        pytest.param(("ai",), (), "生成AIの時代", True, id="latin-word-inside-japanese"),
        pytest.param(("ＡＩ",), (), "AI news", True, id="full-width-keyword"),
        pytest.param(("ai",), (), "ＡＩ規制の動き", True, id="full-width-text"),
        pytest.param(("半導体",), (), "米国の半導体輸出規制", True, id="cjk-substring"),
        pytest.param(("半導体",), (), "米国の輸出規制", False, id="cjk-missing"),
        pytest.param(("c++",), (), "Modern C++ tips", True, id="symbol-ending"),
        pytest.param(("rust",), ("crypto",), "Rust crypto wallet", False, id="exclude-wins"),
        pytest.param((), ("広告",), "【広告】新製品", False, id="exclude-japanese"),
        pytest.param((), ("広告",), "新製品の発表", True, id="exclude-absent"),
        pytest.param(("rust", "go"), (), "Go 1.24", True, id="any-include"),
        pytest.param((" ",), (), "whatever", True, id="blank-include-ignored"),
        pytest.param(("straße",), (), "STRASSE gesperrt", True, id="casefold"),
    ],
)
def test_passes(
    include: tuple[str, ...], exclude: tuple[str, ...], text: str, expected: bool
) -> None:
    assert passes(include, exclude, text) is expected


words = st.text(alphabet="abcXYZ09_あア漢", min_size=1, max_size=12)


@given(before=st.text(max_size=30), word=words, after=st.text(max_size=30))
def test_a_word_standing_alone_is_always_found(before: str, word: str, after: str) -> None:
    text = f"{before} {word} {after}"
    assert passes((word,), (), text) is True
    assert passes((), (word,), text) is False


@given(st.text())
def test_no_filters_pass_everything(text: str) -> None:
    assert passes((), (), text) is True
