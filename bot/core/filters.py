"""Keyword filters per topic: parse `/filter` arguments and decide whether a text passes."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final

MAX_KEYWORDS: Final = 30
MAX_KEYWORD_CHARS: Final = 40
INCLUDE: Final = "+"
EXCLUDE: Final = "-"


class FilterArgsError(ValueError):
    """The /filter arguments are not keywords we can store."""


def parse_filter_args(args: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`+word` or a bare word to include, `-word` to exclude; repeated words kept once.

    Raises FilterArgsError for more than MAX_KEYWORDS keywords or one over MAX_KEYWORD_CHARS.
    """
    include: dict[str, str] = {}
    exclude: dict[str, str] = {}
    for arg in args:
        sign, word = (arg[0], arg[1:]) if arg[:1] in (INCLUDE, EXCLUDE) else (INCLUDE, arg)
        word = word.strip()
        if not word:
            continue
        if len(word) > MAX_KEYWORD_CHARS:
            raise FilterArgsError(f"keyword over {MAX_KEYWORD_CHARS} characters: {word[:20]}…")
        key = _normalize(word)
        # The last mention of a word wins: "+ai -ai" excludes it.
        include.pop(key, None)
        exclude.pop(key, None)
        (include if sign == INCLUDE else exclude)[key] = word
    if len(include) + len(exclude) > MAX_KEYWORDS:
        raise FilterArgsError(f"more than {MAX_KEYWORDS} keywords")
    return tuple(include.values()), tuple(exclude.values())


def passes(include: Sequence[str], exclude: Sequence[str], text: str) -> bool:
    """No excluded keyword occurs, and some included one does (if there are any)."""
    folded = _normalize(text)
    if _any_match(exclude, folded):
        return False
    wanted = [k for k in include if k.strip()]
    return not wanted or _any_match(wanted, folded)


def _normalize(text: str) -> str:
    """NFKC (full-width ＡＩ is AI) and case-folded, for comparing keywords with text."""
    return unicodedata.normalize("NFKC", text).casefold()


def _any_match(keywords: Iterable[str], folded_text: str) -> bool:
    return any(_occurs(_normalize(k), folded_text) for k in keywords if k.strip())


def _occurs(word: str, text: str) -> bool:
    """Substring search with a word boundary on each side that starts or ends in a letter.

    A CJK character counts as a boundary: Japanese has no spaces, so "AI" is found in
    "AIが進化" and "半導体" anywhere, while "ai" is not found in "said".
    """
    if not word:
        return False
    check_start = _is_word_char(word[0])
    check_end = _is_word_char(word[-1])
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        before_ok = not check_start or start == 0 or not _is_word_char(text[start - 1])
        after_ok = not check_end or end == len(text) or not _is_word_char(text[end])
        if before_ok and after_ok:
            return True
        start = text.find(word, start + 1)
    return False


def _is_word_char(char: str) -> bool:
    """A letter, digit or _ of a script that separates words with spaces (not CJK)."""
    return (char.isalnum() or char == "_") and not _is_cjk(char)


def _is_cjk(char: str) -> bool:
    """Kana, kanji, hangul, full-width forms and CJK punctuation."""
    return (
        "\u3000" <= char <= "\u9fff"
        or "\uac00" <= char <= "\ud7af"
        or "\uf900" <= char <= "\uffef"
        or "\U00020000" <= char <= "\U0003ffff"
    )
