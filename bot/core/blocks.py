"""An HTML page as a flat stream of text blocks with their links and surroundings.

Paragraphs, list items, headings and lines between <br>s each become a Block, marked with the
furniture (nav, header, footer, aside, form) around it; html.parser tolerates broken markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final

_SKIPPED_TAGS: Final = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "select", "textarea",
     "button", "object", "canvas", "title"}
)  # fmt: skip
_CHROME_TAGS: Final = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
_BLOCK_TAGS: Final = frozenset(
    {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
     "blockquote", "tr", "td", "th", "table", "section", "article", "main", "header", "footer",
     "nav", "aside", "figure", "figcaption", "pre", "hr", "address", "details", "summary",
     "body", "html", "form", "br"}
)  # fmt: skip
_VOID_TAGS: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
_HEADINGS: Final = {f"h{n}": n for n in range(1, 7)}


@dataclass(frozen=True)
class Link:
    """A link in a block."""

    href: str
    text: str
    start: int  # where the link's text starts in its block's text


@dataclass(frozen=True)
class Block:
    """A block of visible text."""

    text: str
    links: tuple[Link, ...]
    level: int  # 1-6 for a heading, else 0
    in_list: bool
    chrome: str  # the outermost nav/header/footer/aside/form around it, or ""


class BlockPage(HTMLParser):
    """A page read as blocks of visible text with their links, tolerating broken markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.canonical: str | None = None
        self.og_url: str | None = None
        self.og_title: str | None = None
        # The page's summary for sharing (og:description), and its <meta name="description">.
        self.descriptions: dict[str, str] = {}
        self.title = ""
        self.base_href: str | None = None
        self.rel_next: list[str] = []
        self._stack: list[tuple[str, str]] = []  # open tags and the chrome each one starts
        self._skipping = 0
        self._text = ""
        self._links: list[Link] = []
        self._link: tuple[str, int] | None = None  # the open <a>: href and start

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        if tag in ("link", "a") and "next" in rel and values.get("href"):
            self.rel_next.append(values["href"])
        if tag == "link" and "canonical" in rel and self.canonical is None:
            self.canonical = values.get("href") or None
        elif tag == "meta":
            prop = values.get("property", values.get("name", "")).lower()
            if prop == "og:url" and self.og_url is None:
                self.og_url = values.get("content") or None
            elif prop == "og:title" and self.og_title is None:
                self.og_title = " ".join(values.get("content", "").split()) or None
            elif prop in ("og:description", "description") and values.get("content"):
                self.descriptions.setdefault(prop, values["content"])
        elif tag == "base" and self.base_href is None:
            self.base_href = values.get("href") or None
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "a" and not self._skipping:
            self._close_link()
            self._link = (values.get("href", ""), len(self._text))
        if tag in _VOID_TAGS:
            return
        opened = {name for name, _ in self._stack}
        chrome = tag if tag in _CHROME_TAGS else ""
        if tag == "header" and opened & {"article", "main"}:
            chrome = ""  # an article's own header holds its headline
        self._stack.append((tag, chrome))
        self._skipping += tag in _SKIPPED_TAGS

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_link()
        if not any(name == tag for name, _ in self._stack):
            return  # a stray end tag
        if tag in _BLOCK_TAGS:
            self._flush()
        while self._stack:
            name, _ = self._stack.pop()
            self._skipping -= name in _SKIPPED_TAGS
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skipping:
            if self._stack and self._stack[-1][0] == "title":
                self.title = " ".join((self.title + data).split())
            return
        # Whitespace runs become one space, kept at the edges to part words across tags.
        text = " ".join(f"x{data}x".replace("\u200b", "").split())[1:-1]
        self._text += text.lstrip(" ") if self._text[-1:] in ("", " ") else text

    def _close_link(self) -> None:
        if self._link is not None:
            href, start = self._link
            self._links.append(Link(href, self._text[start:], start))
            self._link = None

    def _flush(self) -> None:
        """End the current block: its text, links, heading level and surroundings."""
        open_link = self._link
        self._close_link()
        if text := self._text.rstrip():
            links = tuple(Link(k.href, k.text.strip(), k.start) for k in self._links if k.href)
            names = [name for name, _ in self._stack]
            level = max((_HEADINGS.get(name, 0) for name in names), default=0)
            chrome = next((chrome for _, chrome in self._stack if chrome), "")
            self.blocks.append(Block(text, links, level, "li" in names, chrome))
        self._text, self._links = "", []
        if open_link is not None:
            self._link = (open_link[0], 0)  # a link wrapping blocks goes on into the next


def scan_blocks(html: str) -> BlockPage:
    """Read a page into blocks, keeping what was read if the markup breaks the parser."""
    page = BlockPage()
    try:
        # html.parser asserts on unknown "<![keyword[" sections; HTML has none that matter.
        page.feed(html.replace("<![", "<!"))
        page.close()
    except AssertionError:
        pass  # keep what was read before the markup broke the parser
    page._flush()
    return page
