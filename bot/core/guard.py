"""The last guard before a send: Telegram HTML that Telegram will take, whatever went into it.

Telegram counts a message's text after parsing its entities (4,096 UTF-16 units), and refuses a
request whose raw text is over 32 KiB or whose HTML it cannot parse (a NUL inside a tag, say).
Every renderer stays within these; the guard makes sure of it at the edge, cutting at a safe
boundary: never inside a tag, an entity or a surrogate pair, and closing the tags left open.
"""

from __future__ import annotations

import html
import re
from typing import Final

from bot.core.render import shorten, utf16_len
from bot.core.text import valid_unicode

MAX_VISIBLE_UNITS: Final = 4096  # UTF-16 units of the text once entities are parsed
MAX_RAW_BYTES: Final = 32 * 1024  # the Bot API server's bound on a request's text
ELLIPSIS: Final = "…"
_TOKEN_RE: Final = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});"
)
# C0 controls but tab, newline and carriage return: a NUL inside a tag breaks Telegram's parser.
_CONTROLS_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TAG_RE: Final = re.compile(r"<[^<>]*>")


def fit_message(text: str) -> str:
    """Telegram HTML within both limits: as it is when it fits, else cut with "…"."""
    text = valid_unicode(_CONTROLS_RE.sub("", text))
    if len(text) <= MAX_VISIBLE_UNITS // 2 and len(text.encode()) <= MAX_RAW_BYTES:
        return text  # fits however it is counted: the common case, cheaply
    if visible_units(text) <= MAX_VISIBLE_UNITS and len(text.encode()) <= MAX_RAW_BYTES:
        return text
    return _cut(text)


def plain_text(text: str, limit: int = MAX_VISIBLE_UNITS) -> str:
    """The text a reader would see, without markup, within `limit` UTF-16 units: what is sent
    (without a parse mode) when Telegram refuses the HTML."""
    return fit_plain(html.unescape(_TAG_RE.sub("", text)), limit)


def fit_plain(text: str, limit: int = MAX_VISIBLE_UNITS) -> str:
    """A text sent without a parse mode, within `limit` UTF-16 units; "<" stays a character."""
    return shorten(_CONTROLS_RE.sub("", text), limit)


def visible_units(text: str) -> int:
    """UTF-16 units of the text Telegram shows: tags removed, entities decoded."""
    return utf16_len(html.unescape(_TAG_RE.sub("", text)))


def _cut(text: str) -> str:
    """Tokens up to the limits, then "…" and the closing tags of what is still open."""
    out: list[str] = []
    open_tags: list[str] = []
    units, raw = 0, 0
    reserve_units = utf16_len(ELLIPSIS)
    position = 0
    for match in [*_TOKEN_RE.finditer(text), None]:
        end = match.start() if match else len(text)
        for char in text[position:end]:  # plain characters between tokens
            need_units, need_raw = _char_units(char), len(char.encode())
            if not _fits(units + need_units, raw + need_raw, open_tags, reserve_units):
                return _close("".join(out), open_tags)
            out.append(char)
            units, raw = units + need_units, raw + need_raw
        if match is None:
            break
        token = match.group(0)
        position = match.end()
        if match.group(2):  # a tag
            name = match.group(2).lower()
            closing = bool(match.group(1))
            extra = 0 if closing else len(f"</{name}>")
            if not _fits(units, raw + len(token.encode()) + extra, open_tags, reserve_units):
                return _close("".join(out), open_tags)
            if closing:
                if name in open_tags:
                    # Close what was opened inside it first, as the parser would.
                    while open_tags:
                        inner = open_tags.pop()
                        if inner == name:
                            break
                        out.append(f"</{inner}>")
                else:
                    continue  # a stray closing tag: drop it
            else:
                open_tags.append(name)
            out.append(token)
            raw += len(token.encode())
        else:  # an entity: one visible character
            need_units = utf16_len(html.unescape(token))
            if not _fits(units + need_units, raw + len(token), open_tags, reserve_units):
                return _close("".join(out), open_tags)
            out.append(token)
            units, raw = units + need_units, raw + len(token)
    return _close("".join(out), open_tags, ellipsis=False)


def _fits(units: int, raw: int, open_tags: list[str], reserve_units: int) -> bool:
    closing = sum(len(f"</{name}>") for name in open_tags)
    reserve_raw = len(ELLIPSIS.encode()) + closing
    return units + reserve_units <= MAX_VISIBLE_UNITS and raw + reserve_raw <= MAX_RAW_BYTES


def _close(text: str, open_tags: list[str], *, ellipsis: bool = True) -> str:
    tail = "".join(f"</{name}>" for name in reversed(open_tags))
    return text.rstrip() + (ELLIPSIS if ellipsis else "") + tail


def _char_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1
