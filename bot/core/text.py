"""Feed text: HTML to plain text, plain text to sentences, sentences to bullets; ja or not."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Final

# Content a reader never sees, or that is page furniture rather than the article.
_SKIPPED_TAGS: Final = frozenset(
    {
        "script", "style", "noscript", "template", "head", "nav", "aside", "footer", "form",
        "svg", "iframe", "button", "select", "textarea", "object", "canvas", "map",
    }
)  # fmt: skip
_BLOCK_TAGS: Final = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "tr", "table", "thead", "tbody", "section", "article", "main", "header",
        "figure", "figcaption", "pre", "hr", "address", "details", "summary", "body", "html",
    }
)  # fmt: skip
_VOID_TAGS: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_TAG_RE: Final = re.compile(r"</?[A-Za-z][^<>]*>|<!--")
_BREAK_TAG_RE: Final = re.compile(
    r"<(?:p|div|br|li|h[1-6]|blockquote|tr|table|section|article|pre)\b", re.IGNORECASE
)
_BLANK_LINES_RE: Final = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+")
_SPACES_RE: Final = re.compile(r"[^\S\n]+")
_PARAGRAPH_RE: Final = re.compile(r"\n\s*\n")
_DOTTED_RE: Final = re.compile(r"[a-z]{1,2}(?:\.[a-z]{1,2})+")  # u.s, e.g, a.m, ph.d
# A quote longer than this is more likely an unclosed bracket than one quoted passage.
MAX_QUOTE_CHARS: Final = 300

_STRONG_ENDS: Final = frozenset("。！？｡!?")
_DOTS: Final = frozenset(".．")
_CLOSERS: Final = frozenset("」』）)］]｝}〉》】〕\"'”’»")
_CLOSING: Final = "".join(sorted(_CLOSERS))
_ENDS_AND_CLOSERS: Final = _STRONG_ENDS | _DOTS | _CLOSERS | {"…"}
_OPENERS: Final = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "〔": "〕"}
_BRACKET_RE: Final = re.compile(
    "[" + re.escape("".join(_OPENERS) + "".join(set(_OPENERS.values()))) + "]"
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


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, with breaks where blocks end."""

    def __init__(self, *, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []
        self._keep_newlines = keep_newlines

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            if tag == self._skipping[-1] and tag not in _VOID_TAGS:
                self._skipping.append(tag)
            return
        if tag in _SKIPPED_TAGS:
            self._skipping.append(tag)
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self._skipping:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if not self._keep_newlines:
            # Source newlines in HTML with block tags are layout: only the tags make breaks.
            data = data.replace("\r", " ").replace("\n", " ")
        self.parts.append(data)


# Characters a reader must never get: C0 and C1 controls (but tab and newline), zero-width
# spaces and the word joiner, byte order marks, and bidi controls, which can reverse what
# follows them. ZWJ and ZWNJ stay: emoji sequences and Persian or Indic words need them.
_INVISIBLE_RE: Final = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_CDATA_RE: Final = re.compile(r"<!\[CDATA\[|\]\]>|&lt;!\[CDATA\[|\]\]&gt;")
PLAIN_TEXT_TYPES: Final = frozenset({"text/plain", "text"})


def clean_text(text: str) -> str:
    """One line of plain text a reader may see: invisible characters out, spaces collapsed."""
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def feed_text(value: str, content_type: str | None) -> str:
    """A feed string (a title, a name) as one line of plain text, read by its declared type.

    Plain text stays as it is ("<p>" in it is what the publisher wrote); HTML, XHTML and
    anything else (base64 content is decoded by feedparser) lose their tags, keep their
    link text, and have their entities decoded, once.
    """
    if (content_type or "").lower() in PLAIN_TEXT_TYPES:
        return clean_text(value)
    return clean_text(html_to_text(value))


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment: paragraphs split by blank lines, entities decoded."""
    # A feed that escaped its CDATA section gives HTML wrapped in "<![CDATA[…]]>", as markup
    # or as text: the HTML inside is the content.
    html = _CDATA_RE.sub("", html)
    if _TAG_RE.search(html):
        # Text with inline tags only (<a>, <b>) keeps its own blank lines as paragraphs.
        parser = _TextExtractor(keep_newlines=not _BREAK_TAG_RE.search(html))
        parser.feed(html)
        parser.close()
        raw = "".join(parser.parts)
    else:
        # Plain text: keep its own line structure, only decode entities.
        raw = unescape(html)
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    raw = raw.replace("\xa0", " ")
    raw = _INVISIBLE_RE.sub("", raw)
    lines = (_SPACES_RE.sub(" ", line).strip() for line in raw.split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def _is_cjk(char: str) -> bool:
    """True for kana, kanji, full-width forms and CJK punctuation."""
    return "\u3001" <= char <= "\u9fff" or "\uf900" <= char <= "\uffef"


def _matched_brackets(text: str) -> list[tuple[int, int]]:
    """Spans of balanced Japanese-style brackets, so quoted sentences stay in their sentence."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for match in _BRACKET_RE.finditer(text):
        char, i = match.group(), match.start()
        if char in _OPENERS:
            stack.append((_OPENERS[char], i))
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
    prev = text[i - 1] if i else ""
    if core in (".", "．") and prev.isdigit() and nxt.isdigit():
        return False  # a decimal: 3.14, ３．１４
    if any(c in "。｡！？" for c in core):
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


def primary_lang(tag: object) -> str | None:
    """A language tag's primary subtag: 'ja-JP' -> 'ja'; None or junk -> None."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def valid_unicode(text: str) -> str:
    """Lone surrogates (from numeric references such as &#xD800;) become U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def guess_lang(text: str) -> str | None:
    """Guess "ja" when kana and kanji are a meaningful share of the letters, else None."""
    kana = kanji = letters = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        if "\u3041" <= char <= "\u30ff" or "\uff66" <= char <= "\uff9f":
            kana += 1
        elif "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
            kanji += 1
    if not letters or (kana + kanji) / letters < 0.2:
        return None
    # Kanji without kana is as likely Chinese: leave it to the feed's own language.
    return "ja" if kana and kana >= 0.05 * (kana + kanji) else None


# Sentences made fit to stand alone as a bullet.

ELLIPSIS: Final = "…"
# Dropping an opening clause must leave a main clause at least this long.
MIN_MAIN_CLAUSE_CHARS: Final = 60
_CLAUSE_ENDS_JA: Final = "、，,；;：:"
_CLAUSE_ENDS_EN: Final = ",;:—–"
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
# Everything a Japanese reader can skip in brackets: ages, sources, 【写真】 labels, notes.
# List and heading markers in front of a line: "◇ 韓国銀行が発表した…", "■徹底して…".
# Photo credits glued in front ("©AFLO 被害を受けた…") and separator runs ("※ ※ ※", "＊＊＊").
_MARKER_RE: Final = re.compile(
    r"^(?:[◇◆■□●○▼▽★☆◎►▶・•]+|©[^\s「『]*|(?:[※＊*][\s\u3000]*){2,})[\s\u3000]*(?=\S)"
)
# A section heading glued to the first sentence under it: "はじめにFusicのレオナです。".
_JA_HEADING_WORD_RE: Final = re.compile(r"^(?:はじめに|概要|前置き)[\s\u3000]*(?=\S)")
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
    return all(text.count(o) == text.count(c) for o, c in _OPENERS.items())


def condense(sentence: str, limit: int, *, cjk: bool) -> str:
    """A sentence as a bullet: no leading "But", no long opening clause, at most limit+1."""
    rest = _CONNECTIVE_RE.sub("", sentence, count=1)
    if rest and rest != sentence:
        sentence = rest[0].upper() + rest[1:]
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
