"""Sentences made fit to stand alone as a key point or a bullet.

Trimmed of what readers skip (datelines, asides, parentheticals, leading connectives) and
shortened only at a clause end: a Japanese sentence keeps its opening clauses closed as a
sentence, others are cut at a clause or word boundary with "…".
"""

from __future__ import annotations

import re
from typing import Final

from bot.core.sentences import BRACKET_PAIRS

ELLIPSIS: Final = "…"
# Dropping an opening clause must leave a main clause at least this long.
MIN_MAIN_CLAUSE_CHARS: Final = 60
# Datelines open an article's first sentence: 【ソウル聯合ニュース】, WASHINGTON (AP) —, (CNN) --.
_DATELINE_RE: Final = re.compile(
    r"^(?:【[^】]{1,24}】\s*|■\s*"
    r"|(?:[A-Z][\w.'’]*(?:[ ,]+[A-Z][\w.'’]*){0,3}\s*)?\([A-Z][\w ]{0,20}\)\s*(?:--|—|–|-)\s+"
    r"|[A-Z][A-Z.'’]+(?:[ ,]+[A-Z][\w.'’]*){0,3}\s*(?:--|—|–)\s*"
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+)?\s+--\s+)"
)
# Asides: "（参考記事：…）" links and "（ニューデリー＝奈良部健）" bylines.
_ASIDE_RE: Final = re.compile(
    r"[（(](?:参考記事|関連記事|写真|画像|動画)[^（()）]*[)）]|（[^（）＝]{1,15}＝[^（）＝]{1,15}）"
)
# Kana readings and Latin spellings glossing Japanese words: 誹謗（ひぼう）, ガルズル（Gardur）.
_GLOSS_RE: Final = re.compile(
    r"（[\u3041-\u30ff・ー]{1,20}）|[（(][A-Za-z][A-Za-z0-9 .,'&-]{0,40}[)）]"
)
# List and heading markers in front of a line: "◇ 韓国銀行が発表した…", "■徹底して…";
# photo credits glued in front ("©AFLO 被害を受けた…") and separator runs ("※ ※ ※", "＊＊＊").
_MARKER_RE: Final = re.compile(
    r"^(?:[◇◆■□●○▼▽★☆◎►▶・•]+|©[^\s「『]*|(?:[※＊*][\s\u3000]*){2,})[\s\u3000]*(?=\S)"
)
# A section heading glued to the first sentence under it: "はじめにFusicのレオナです。".
_JA_HEADING_WORD_RE: Final = re.compile(r"^(?:はじめに|概要|前置き)[\s\u3000]*(?=\S)")
# Everything a Japanese reader can skip in brackets: ages, sources, 【写真】 labels, notes.
_JA_PARENTHETICAL_RE: Final = re.compile(r"（[^（）]{0,60}）|\([^()]{0,60}\)|【[^【】]{0,40}】")
_OPENING_CLAUSE_RE: Final = re.compile(
    r"(?:In|At|On|After|Before|While|Although|Though|Despite|Since|As|When|Following|Amid|"
    r"According to|Earlier|Later|Last|For|With|Without|Under|During|Because|If|Unlike)"
    r"\b[^,;:]{0,100}, (?=[\w\"“'‘])"
)
_CONNECTIVE_RE: Final = re.compile(
    r"^(?:(?:But|And|Yet|Or)\s+(?=\w)|(?:However|Instead|Meanwhile|Still|Also|Indeed|So),\s+"
    r"|(?:しかし|だが|ところが|ただし|とはいえ|しかも|そして)[、，,]?"
    r"|(?:また|一方で?|さらに|ただ|なお|それでも|でも|実は|実際|このため|そのため"
    r"|それに|加えて|もっとも|ちなみに|つまり|結局|むしろ)[、，,])"
)


def strip_dateline(sentence: str) -> str:
    """An article's first sentence without its dateline ("WASHINGTON (AP) —", "【共同】")."""
    return _DATELINE_RE.sub("", sentence).strip() or sentence


def strip_asides(sentence: str, *, cjk: bool) -> str:
    """Drop "（参考記事：…）" asides; in Japanese also every parenthetical, 【label】 and a
    heading word glued in front ("はじめに"): what readers of a three-line summary skip."""
    cleaned = sentence
    if "(" in cleaned or "（" in cleaned:
        cleaned = _ASIDE_RE.sub("", cleaned)
    if not cleaned[:1].isalnum():
        cleaned = _MARKER_RE.sub("", cleaned)
    if cjk:
        cleaned = _JA_PARENTHETICAL_RE.sub("", _GLOSS_RE.sub("", cleaned))
        cleaned = _JA_HEADING_WORD_RE.sub("", cleaned)
    return cleaned.strip() or sentence


def opens_with_connective(sentence: str) -> bool:
    """True for "But …", "However, …", "しかし、…": sentences that lean on the one before."""
    return _CONNECTIVE_RE.match(sentence) is not None


def drop_connective(sentence: str) -> str:
    """The sentence without a leading "But", "However," or "一方で、": a bullet stands alone."""
    rest = _CONNECTIVE_RE.sub("", sentence, count=1)
    return rest[0].upper() + rest[1:] if rest and rest != sentence else sentence


def shorten(sentence: str, limit: int, *, cjk: bool) -> str:
    """A sentence in at most `limit` characters and "…".

    Whole when it fits. Japanese over JA_CLAUSE_TARGET_CHARS keeps its opening clauses when
    they fit, closed as a sentence ("…逮捕されましたが、…" becomes "…逮捕されました。").
    Else it is cut at its last clause boundary (in Japanese one not right after a particle
    such as は or が), else at a word boundary, with "…".
    """
    target = min(limit, JA_CLAUSE_TARGET_CHARS)
    if cjk and len(sentence) > target:
        head = _ja_head(sentence, target)
        if head:
            return head
    if len(sentence) <= limit:
        return sentence
    head = sentence[:limit]
    boundaries = (_JA_CLAUSE_CUT_RE, _JA_ANY_COMMA_RE) if cjk else (_EN_CLAUSE_CUT_RE,)
    cut = -1
    for boundary in boundaries:
        cut = max((m.start() for m in boundary.finditer(head)), default=-1)
        if cut >= limit // 3:
            break
    if cut < limit // 3:
        # No clause boundary early enough: the last word boundary, or the limit itself.
        cut = max((m.end() for m in _WORD_END_RE.finditer(head)), default=-1)
        if cut <= limit // 2:
            cut = limit
    kept = sentence[:cut].rstrip(" 、，,;；:：—–-")
    return (kept or head[: limit - 1]) + ELLIPSIS


# Where a clause may be cut: not inside a number ("£75,532"), not after a Japanese particle.
_EN_CLAUSE_CUT_RE: Final = re.compile(r",(?!\d)|[;:—–]| - ")
_JA_CLAUSE_CUT_RE: Final = re.compile(r"(?<![はがをにでもとのへや])[、，,；;：:]")
_JA_ANY_COMMA_RE: Final = re.compile(r"[、，,；;：:]")
# The end of a word: before a space, after a closing bracket, before an opening one.
_WORD_END_RE: Final = re.compile(r"\S(?=\s)|[」』）)】](?=\S)|\S(?=[「『（(【])")


# A clause of a Japanese sentence that can end it: (clause end, ending if past, if present).
_JA_CLAUSE_END_RE: Final = re.compile(
    r"(?P<finite>(?:ました|ません|ます|でした|です|ない|ある|いる|た|だ|る|い))"
    r"(?:が|けれども|けれど|けど|ものの|ため|ので)、"
    r"|(?P<teori>ており)、|(?P<deari>であり)、|(?P<ari>あり)、|(?P<nari>[とに]なり)、"
    r"|(?<=[\u4e00-\u9fff\u30a1-\u30fa])(?P<suru>し(?:て)?)、|(?P<sare>され(?:て)?)、"
)
# A sentence ending in the past or a resulting state ("〜されている") puts its clauses in the past.
_JA_PAST_END_RE: Final = re.compile(r"(?:た|だ|でした|てい(?:る|ます))[。！]?[」』）)]*$")
MIN_JA_HEAD_CHARS: Final = 15
# A Japanese sentence longer than this ends at an earlier clause end when one fits.
JA_CLAUSE_TARGET_CHARS: Final = 80


def _ja_head(sentence: str, limit: int) -> str:
    """The longest opening clauses of a ja sentence that fit `limit`, closed as a sentence."""
    past = _JA_PAST_END_RE.search(sentence) is not None
    best = ""
    for match in _JA_CLAUSE_END_RE.finditer(sentence):
        kind = match.lastgroup
        start = match.start(kind) if kind else match.start()
        head = sentence[:start]
        if kind == "finite":
            head += match.group("finite")
        elif kind == "teori":
            head += "ていた" if past else "ている"
        elif kind == "deari":
            head += "であった" if past else "である"
        elif kind == "ari":
            head += "あった" if past else "ある"
        elif kind == "nari":
            head += match.group("nari")[0] + ("なった" if past else "なる")
        elif kind == "suru":
            head += "した" if past else "する"
        elif kind == "sare":
            head += "された" if past else "される"
        if len(head) + 1 > limit:
            break
        if len(head) >= MIN_JA_HEAD_CHARS and _balanced(head):
            best = head + "。"
    return best


def _balanced(text: str) -> bool:
    """No bracket or quote left open."""
    return all(text.count(o) == text.count(c) for o, c in BRACKET_PAIRS.items())


def condense(sentence: str, limit: int, *, cjk: bool) -> str:
    """A sentence as a bullet: no leading "But", no long opening clause, at most limit+1."""
    sentence = drop_connective(sentence)
    if len(sentence) > limit and not cjk:
        # "In a case that would have been impossible five years ago, Love is sued…": the
        # clause cut would keep only the preamble, so the preamble goes instead.
        match = _OPENING_CLAUSE_RE.match(sentence)
        if match and len(sentence) - match.end() >= MIN_MAIN_CLAUSE_CHARS:
            rest = sentence[match.end() :]
            sentence = rest[0].upper() + rest[1:]
    return shorten(sentence, limit, cjk=cjk)


def drop_title_copy(paragraph: str, title: str) -> str:
    """The paragraph without a leading copy of the title (feed excerpts often start so)."""
    if not title.strip():
        return paragraph
    i = j = matched = 0
    while i < len(paragraph) and j < len(title):
        if paragraph[i].isspace() or title[j].isspace():
            i += paragraph[i].isspace()
            j += title[j].isspace()
        elif paragraph[i] == title[j]:
            i, j, matched = i + 1, j + 1, matched + 1
        else:
            break
    title_chars = sum(1 for c in title if not c.isspace())
    # A short title opening a paragraph is more likely its first words than a copy.
    if matched < max(12, 0.6 * title_chars):
        return paragraph
    before, after = paragraph[i - 1], paragraph[i : i + 1]
    if after and before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
        return paragraph  # "Apple ships iPhone" is not a copy of the title "Apple ships iP"
    return paragraph[i:].lstrip(" -|:：｜－―—.。、，,!！?？")
