"""Feed text: HTML to plain text, read once, and the language it is written in."""

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
# HTML escaped once more than its type says, as some feeds write it: read as it is, its markup
# and entities show as text (`_unescape_escaped`). Text that names a tag or an entity stays.
_ESCAPED_ENTITY_RE: Final = re.compile(r"&amp;(?:[A-Za-z]+|#[0-9]+|#[Xx][0-9A-Fa-f]+);")
_ENTITY_RE: Final = re.compile(r"&(?:[A-Za-z]+|#[0-9]+|#[Xx][0-9A-Fa-f]+);")
_ESCAPED_START_RE: Final = re.compile(r"\s*&lt;[A-Za-z][^<>]*?&gt;")
_ESCAPED_END_RE: Final = re.compile(r"&lt;/[A-Za-z][A-Za-z0-9]*&gt;")
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
    if not _TAG_RE.search(html):
        html = _unescape_escaped(html)
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


def _unescape_escaped(html: str) -> str:
    """A tagless fragment as the HTML it escapes, if it was escaped once too often."""
    # Escaped twice: every entity in it is one escaped again ("hc&amp;lt;T&amp;gt;()" for
    # "hc<T>()", "Radio &amp;amp; VS Code"); "Escape &lt; as &amp;lt;" names both.
    entities = _ENTITY_RE.findall(html)
    twice = len(_ESCAPED_ENTITY_RE.findall(html)) == len(entities) >= 1 and all(
        entity == "&amp;" for entity in entities
    )
    if twice:
        html = _CDATA_RE.sub("", unescape(html))
    # Escaped whole: it opens with a tag as text, and closes one ("&lt;p&gt;…&lt;/p&gt;"),
    # unless escaped twice, when a teaser cut short may close none; "&lt;dialog&gt; is now
    # baseline" names a tag.
    if (
        _ESCAPED_START_RE.match(html)
        and (twice or _ESCAPED_END_RE.search(html))
        and not _TAG_RE.search(html)
    ):
        html = _CDATA_RE.sub("", unescape(html))
    return html
