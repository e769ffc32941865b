"""The lede: the one line under a digest's title that says what happened.

It is the publisher's own description (the dek) when that is a real sentence, else the
article's opening news sentence. Greetings ("こんにちは、…研究所の…です。"), bylines, credit
lines ("In his free time, he makes beer…"), boilerplate, questions and fragments never are.
"""

from __future__ import annotations

import re
from typing import Final

from bot.core.sentences import split_sentences
from bot.core.trim import opens_with_connective, strip_dateline

MIN_LEDE_WORDS: Final = 6
MIN_LEDE_CHARS_JA: Final = 15
# Running text is mostly lowercase words; a headline in title case is not.
MIN_LOWERCASE_SHARE: Final = 0.4
# A description longer than this is the article's text, not its dek.
MAX_DEK_SENTENCES: Final = 3

_TERMINATORS: Final = ("。", "．", ".", "!", "！")
_CLOSERS: Final = "」』\"'”’)）]］"
_TRUNCATED_RE: Final = re.compile(
    r"(?:\.\.|…|‥|\[…\]|\[\.\.\.\]|»|→)\s*$"
    r"|(?:read more|continue reading|続きを読む|続きはこちら|もっと見る)\W*$",
    re.IGNORECASE,
)
# How a greeting, a self-introduction, a byline, a credit line or page furniture opens.
_BOILERPLATE_START_RE: Final = re.compile(
    r"""(?:
    こんにちは|こんばんは|おはようございます|はじめまして|初めまして|皆さん、|みなさん、
    |お疲れ様|ご無沙汰|明けましておめでとう|あけましておめでとう
    |この記事は[^。]{0,60}記事です
    |(?:文|写真|撮影|取材|構成|編集|提供|出典|参照|関連記事|画像|動画|記事|筆者)\s*[：:・／/＝=]
    |[※＊*@＠#＃]
    |(?:Hi|Hello|Hey|Greetings|Dear|Welcome|Good\ (?:morning|afternoon|evening))\b
    |(?:Thanks|Thank\ you)\ for\b|In\ (?:this|today's)\ (?:episode|post|article|video|issue)\b
    |By\ [A-Z]\S*(?:\ (?:[A-Z]\S*|and))*\s*$|(?:Posted|Written|Reporting|Editing)\ by\b
    |(?:Photo|Photos|Image|Images|Credit|Credits|Source|Updated|Published|Copyright|Read\ more
        |Related|Advertisement|Sponsored)\s*[:：]
    |(?:Subscribe|Sign\ up|Follow\ us|Click\ here|Scroll\ down|Download)\b|submitted\ by\ /?u/
    # A line that opens on a bare domain ("events.example.org 昨年に続き…") is a link card.
    |[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|dev|jp|co|info|me|app)\b(?!\.)
    )""",
    re.VERBOSE,
)
# A bio: "John Williams is a full-time audio engineer, producer and composer.", "In his free
# time, he makes beer."
_BIO_RE: Final = re.compile(
    r"""(?:
    In\ (?:his|her|their)\ (?:free|spare)\ time\b
    |[A-Z][\w.'’-]*(?:\ [A-Z][\w.'’-]*){1,3}\ is\ an?\ [^.]{0,80}\b
        (?:writer|journalist|reporter|author|contributor|editor|host|podcaster|columnist
        |correspondent|photographer|engineer|producer|composer|designer)s?\b[^.]{0,60}\.$
    )""",
    re.VERBOSE,
)
_INTRODUCTION_ENDS: Final = ("です。", "です！", "です!")
# How a self-introduction or a pleasantry to the reader ends: "…皆さま、明けましておめでとう
# ございます。", "今年もお付き合いいただければ幸いです。".
_POLITE_ENDS: Final = (
    "と申します。",
    "と申します！",
    "おめでとうございます。",
    "おめでとうございます！",
    "いただければ幸いです。",
    "いただけると幸いです。",
    "よろしくお願いします。",
    "よろしくお願いいたします。",
    "よろしくお願いします！",
    "よろしくお願いいたします！",
)
# Self-introductions: "データ基盤開発部の阿部です。", "エンジニアをしている soma です！".
_SELF_INTRODUCTION_RE: Final = re.compile(
    r"""(?:
    (?:私|僕|わたし|ぼく)は[^。]{0,40}
    |[^。]{0,40}(?:部|課|室|チーム|グループ|研究所|研究室|ラボ|会社|社|センター|大学|年目|担当)の
        \s*[^\s、。はがをにで]{1,12}(?:\s[^\s、。はがをにで]{1,8})?\s*
    |[^。はが]{0,50}(?:を|として)[^\s、。はが]{0,8}?(?:ている|ています|てる)
        \s*「?[^\s、。はがをにで「」]{1,12}」?\s*
    )です[。！!]$""",
    re.VERBOSE,
)
# A name and "です" alone, after the writer's team or company: "SREのたっちです。", "SCSK永見
# です。", "株式会社エクサウィザーズの櫻井です。". A name alone ("久保田です。") looks like news
# ("世界初です。", "AWSのサービスです。"), and stays.
_NAME_ONLY_RE: Final = re.compile(
    r"""(?:
    [A-Za-z0-9ァ-ヶー・]{1,16}の[ぁ-ゖー]{2,8}
    |(?:株式会社[ァ-ヶー・A-Za-z0-9]{1,16}|[ァ-ヶー・A-Za-z0-9]{1,16}株式会社)の[一-龥々]{1,4}
    |[A-Z]{2,8}[一-龥々]{1,4}
    )です[。！!]$""",
    re.VERBOSE,
)
# A pleasantry on its own: "ありがとうございます。", "いつもお世話になっております。".
_PLEASANTRY_RE: Final = re.compile(
    r"(?:いつも|皆さん、|みなさん、|皆様、|本当に|大変)*"
    r"(?:ありがとうございます|ありがとうございました|お世話になって(?:おり|い)?ます)[。！!]*$"
)
# A line pointing elsewhere: "前回の記事はこちら！", "過去の連載はこちら。", "続きをみる".
_POINTER_RE: Final = re.compile(r".{0,24}(?:はこちら(?:から)?|続きを(?:読む|みる|見る))[。！!]*$")
# Marks of a credit or a notice anywhere in a line. Substrings: a regex search of every
# line costs more than the rest of the lede rules together.
_BOILERPLATE_MARKS: Final = ("©", "(c) ", "(C) ", "ll rights reserved", "無断転載", "転載禁止")
_FOLLOW_RE: Final = re.compile(r"\b[Ff]ollow (?:him|her|them|us|me) on\b")
_OPENING_QUOTES: Final = "\"'“‘「『"


def is_boilerplate(sentence: str) -> bool:
    """A greeting, self-introduction, pleasantry, byline, credit line or page furniture."""
    if sentence.endswith(_INTRODUCTION_ENDS) and (
        _SELF_INTRODUCTION_RE.match(sentence) or _NAME_ONLY_RE.match(sentence)
    ):
        return True
    if ("こちら" in sentence or "続きを" in sentence) and _POINTER_RE.match(sentence):
        return True
    if ("ありがとう" in sentence or "お世話" in sentence) and _PLEASANTRY_RE.match(sentence):
        return True
    if _BOILERPLATE_START_RE.match(sentence) or sentence.endswith(_POLITE_ENDS):
        return True
    if is_bio(sentence):
        return True
    for mark in _BOILERPLATE_MARKS:
        if mark in sentence:
            return True
    return "ollow " in sentence and _FOLLOW_RE.search(sentence) is not None


def is_truncated(sentence: str) -> bool:
    """A teaser cut off with "…", "..." or "Read more": the rest is on the page."""
    return _TRUNCATED_RE.search(sentence) is not None


def is_bio(sentence: str) -> bool:
    """A line about the author or a contributor rather than the news."""
    return _BIO_RE.match(sentence) is not None


def is_news_sentence(sentence: str, *, cjk: bool) -> bool:
    """A full declarative sentence that can stand alone: no greeting, credit or fragment."""
    stripped = sentence.rstrip(_CLOSERS)
    if not stripped.endswith(_TERMINATORS) or is_truncated(sentence):
        return False
    if sentence[:1] in _OPENING_QUOTES or opens_with_connective(sentence):
        return False
    if is_boilerplate(sentence):
        return False
    if cjk:
        return len(sentence) >= MIN_LEDE_CHARS_JA
    # "on weekdays from April." is the tail of a sentence cut in two, not a sentence; "Prompt
    # Injection / Context Injection 7." and "Kevin Durant Requested A Trade" are headings.
    words = [w for w in sentence.split() if w[:1].isalpha()]
    lowercase = sum(1 for w in words if w[:1].islower())
    first = sentence[:1]
    return (
        len(words) >= MIN_LEDE_WORDS
        and lowercase >= MIN_LOWERCASE_SHARE * len(words)
        and (first.isupper() or first.isdigit())
    )


def dek(description: str, *, cjk: bool, limit: int) -> str:
    """The publisher's description as a lede, or "" when it is no real sentence.

    A teaser cut off with "…" or "Read more", a greeting, a credit line and a text as long as
    an article are not a dek.
    """
    text = " ".join(description.split())
    if not text or len(text) > limit or is_truncated(text):
        return ""
    sentences = split_sentences(strip_dateline(text))
    if not sentences or len(sentences) > MAX_DEK_SENTENCES:
        return ""
    first, *rest = sentences
    if not is_news_sentence(first, cjk=cjk):
        return ""
    if any(not s.rstrip(_CLOSERS).endswith(_TERMINATORS) or is_boilerplate(s) for s in rest):
        return ""
    return " ".join(sentences) if not cjk else "".join(sentences)
