"""Plain text to sentences, Japanese and English: where a sentence really ends.

A sentence ends at 。！？!? and at a dot that is not a decimal point or a short form ("Dr.",
"U.S. officials", "10 p.m. on weekdays"), at a paragraph break, and at a line break or an
ideographic space after unfinished Japanese text. Quoted sentences stay inside their quote.
"""

from __future__ import annotations

import re
from typing import Final

_PARAGRAPH_RE: Final = re.compile(r"\n\s*\n")
_DOTTED_RE: Final = re.compile(r"[a-z]{1,2}(?:\.[a-z]{1,2})+")  # u.s, e.g, a.m, ph.d
# A quote longer than this is more likely an unclosed bracket than one quoted passage.
MAX_QUOTE_CHARS: Final = 300

_STRONG_ENDS: Final = frozenset("。！？｡!?")
_DOTS: Final = frozenset(".．")
_CLOSERS: Final = frozenset("」』）)］]｝}〉》】〕\"'”’»")
_CLOSING: Final = "".join(sorted(_CLOSERS))
_ENDS_AND_CLOSERS: Final = _STRONG_ENDS | _DOTS | _CLOSERS | {"…"}
BRACKET_PAIRS: Final = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "〔": "〕"}
_BRACKET_RE: Final = re.compile(
    "[" + re.escape("".join(BRACKET_PAIRS) + "".join(set(BRACKET_PAIRS.values()))) + "]"
)
# A run of terminators with the closing quotes after it, or a line break.
_TERMINATOR_RE: Final = re.compile(
    "[" + re.escape("".join(sorted(_STRONG_ENDS | _DOTS | {"…"}))) + "]"
    "[" + re.escape("".join(sorted(_ENDS_AND_CLOSERS))) + "]*|\n|\u3000+(?=\\S)"
)
_WORD_AFTER_RE: Final = re.compile(r"[\s\"'“‘(]*([^\s\"'”’)]*)")
_NO_CUT_BEFORE_SPACE: Final = frozenset("、，・：:\u3000")
_BULLET_RE: Final = re.compile(r"[^\S\n]*(?:[・•●◆■□◇▶▷※✅💡*]|-\s|\d+[.)．]\s)")

# Words after which a dot never ends a sentence: titles and Latin short forms. Short forms
# that are also words ("no", "sat", "sun") are left out or wait for a typical opener.
_NEVER_FINAL: Final = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "gov", "sen", "rep", "lt", "col",
        "capt", "sgt", "rev", "hon", "pres", "vs", "e.g", "i.e", "cf", "fig", "nos", "vol",
        "pp", "approx", "dept", "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec", "ave", "blvd", "rd", "ft", "eds", "al", "mme", "mlle", "feat", "ver",
    }
)  # fmt: skip
# Short forms that often end a sentence too: the dot ends one only before a typical opener.
_MAYBE_FINAL: Final = frozenset(
    {"etc", "inc", "ltd", "co", "corp", "llc", "plc", "bros", "a.m", "p.m", "jr", "sr", "no", "ca"}
)
_SENTENCE_OPENERS: Final = frozenset(
    {
        "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "but", "and", "in", "on",
        "at", "this", "that", "these", "those", "there", "his", "her", "its", "their", "our",
        "when", "while", "after", "before", "as", "if", "so", "then", "now", "however", "also",
        "for", "with", "what", "why", "how", "who", "some", "many", "most", "one", "two",
    }
)  # fmt: skip


def _is_cjk(char: str) -> bool:
    """True for kana, kanji, full-width forms and CJK punctuation."""
    return "\u3001" <= char <= "\u9fff" or "\uf900" <= char <= "\uffef"


def _matched_brackets(text: str) -> list[tuple[int, int]]:
    """Spans of balanced Japanese-style brackets, so quoted sentences stay in their sentence."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for match in _BRACKET_RE.finditer(text):
        char, i = match.group(), match.start()
        if char in BRACKET_PAIRS:
            stack.append((BRACKET_PAIRS[char], i))
            continue
        # Pop to the matching opener; unmatched openers inside are dropped.
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == char:
                spans.append((stack[depth][1], i))
                del stack[depth:]
                break
    return spans


def _word_before(text: str, end: int) -> str:
    """The token just before a dot at `end`, lowercased, dots inside kept (u.s, e.g)."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
        start -= 1
    return text[start:end].lower().strip(".")


def _word_after(text: str, start: int) -> str:
    """The word starting at or after `start`, skipping spaces and opening quotes."""
    match = _WORD_AFTER_RE.match(text, start)
    return match.group(1) if match else ""


def _dot_ends_sentence(text: str, dot: int, after: int) -> bool:
    """Whether a single Latin dot at `dot`, followed by whitespace at `after`, ends a sentence."""
    nxt = _word_after(text, after)
    word = _word_before(text, dot)
    if not nxt or not word:
        return True
    if word in _NEVER_FINAL or (len(word) == 1 and word.isalpha() and word != "i"):
        return False  # Dr. Smith, John F. Kennedy
    if word in _MAYBE_FINAL or _DOTTED_RE.fullmatch(word):
        # "in the U.S. The …" ends one; "U.S. officials", "10 p.m. on weekdays", "Inc. on
        # Friday" go on: a sentence opens with a capital.
        return nxt[0].isupper() and nxt.lower() in _SENTENCE_OPENERS
    # A lowercase continuation means an unknown short form, not a new sentence.
    return not nxt[0].islower()


def _split_paragraph(text: str) -> list[str]:
    """Sentences of one paragraph, each stripped and with its whitespace collapsed."""
    n = len(text)
    inside = bytearray(n)
    if _BRACKET_RE.search(text):
        for start, end in _matched_brackets(text):
            if 1 < end - start <= MAX_QUOTE_CHARS:
                inside[start + 1 : end] = b"\x01" * (end - start - 1)
    cuts: list[int] = []
    for match in _TERMINATOR_RE.finditer(text):
        i, j = match.start(), match.end()
        if text[i] == "\u3000":
            # An ideographic space after unfinished Japanese text ends a caption or a heading:
            # "【写真】調印式の様子　当時は…".
            if i and _is_cjk(text[i - 1]) and text[i - 1] not in _NO_CUT_BEFORE_SPACE:
                cuts.append(i)
            continue
        if text[i] == "\n":
            # A line break is a boundary after Japanese text or before a list item.
            k = i - 1
            while k >= 0 and text[k].isspace():
                k -= 1
            if k >= 0 and (_is_cjk(text[k]) or _BULLET_RE.match(text, i + 1)):
                cuts.append(i)
            continue
        # Inside a quote only a terminator that closes the quote (。」, 。）) may end a sentence.
        closes_quote = text[j - 1] in _CLOSERS and (j >= n or not inside[j])
        if (not inside[i] or closes_quote) and _is_boundary(text, i, j):
            cuts.append(j)
    pieces = []
    start = 0
    for cut in [*cuts, n]:
        piece = " ".join(text[start:cut].split())
        if piece:
            pieces.append(piece)
        start = cut
    return pieces


def _is_boundary(text: str, i: int, j: int) -> bool:
    """Whether the terminator run text[i:j] (closing quotes included) ends a sentence."""
    core = text[i:j].rstrip(_CLOSING)
    at_end = j >= len(text)
    nxt = "" if at_end else text[j]
    if core == "." and (at_end or nxt.isspace()):
        # The common case first: a Latin full stop, or a short form, before a space.
        return at_end or _dot_ends_sentence(text, i, j)
    prev = text[i - 1] if i else ""
    if core in (".", "．") and prev.isdigit() and nxt.isdigit():
        return False  # a decimal: 3.14, ３．１４
    if "。" in core or "！" in core or "？" in core or "｡" in core:
        # 「…。」と: an unbalanced quote closed and continued by a particle stays one sentence.
        return not (core != text[i:j] and "\u3041" <= nxt <= "\u309f")
    if "…" in core or (len(core) > 1 and not core.strip(".．")):
        # An ellipsis trails off; it ends a sentence only before a capitalized Latin word.
        return at_end or (nxt.isspace() and _word_after(text, j)[:1].isupper())
    if nxt and _is_cjk(nxt):
        # Yahoo!ニュース, U.S.の: a Latin word glued to Japanese; ですか?次は: a sentence end.
        return not (prev.isascii() and prev.isalnum())
    if at_end:
        return True
    if not nxt.isspace():
        return False  # 3.14, e.g., example.com, "?!" inside a word
    if "!" in core or "?" in core:
        # '"Really?" she asked.' goes on in lowercase: one sentence.
        return not _word_after(text, j)[:1].islower()
    return _dot_ends_sentence(text, i, j)


def split_sentences(text: str) -> list[str]:
    """Sentences of ja/en text: ends at 。！？!?. (not abbreviations/decimals) and paragraphs."""
    sentences: list[str] = []
    for paragraph in _PARAGRAPH_RE.split(text):
        if paragraph.strip():
            sentences.extend(_split_paragraph(paragraph))
    return sentences
