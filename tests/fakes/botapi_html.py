"""Telegram's HTML parse mode as tdlib implements it: plain text plus entities, or the reason.

The tag grammar, the error wording and the byte offsets follow tdlib's `parse_html`
(td/telegram/MessageEntity.cpp), so a bot tested here fails the way it would in production.
Offsets and lengths of entities are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

SUPPORTED_TAGS: Final = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
SIMPLE_ENTITIES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# tdlib's is_space(); NUL is the end of its C string and the sentinel appended here.
_SPACES: Final = frozenset(" \t\r\n\v\0")
_NAME_TOKEN: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL: Final = re.compile("[<&]")
# tdlib sorts entities by offset, longer first, then by this priority.
_PRIORITY: Final = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
# Characters Telegram trims from both ends of a message text.
_TRIMMED: Final = " \t\r\n\v\f"

Entity = dict[str, Any]


class EntityParseError(Exception):
    """tdlib's reason for refusing an HTML text: 'Unsupported start tag "x" at byte offset 3'."""


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Telegram's limits and offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim whitespace from both ends as Telegram does, moving and clipping the entities."""
    body = text.lstrip(_TRIMMED)
    shift = utf16_len(text[: len(text) - len(body)])
    body = body.rstrip(_TRIMMED)
    if shift == 0 and len(body) == len(text):
        return text, entities
    total = utf16_len(body)
    clipped = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return body, clipped


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse text in HTML parse mode into plain text and Bot API MessageEntity dicts."""
    return _HtmlParser(text).parse()


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    piece: int
    expandable: bool


class _HtmlParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.src = text + "\0"
        self.pieces: list[str] = []
        self.utf16 = 0
        self.open: list[_OpenTag] = []
        self.entities: list[Entity] = []
        self.has_surrogate = False

    def parse(self) -> tuple[str, list[Entity]]:
        text, i = self.text, 0
        while i < len(text):
            match = _SPECIAL.search(text, i)
            if match is None:
                self.append(text[i:])
                break
            j = match.start()
            if j > i:
                self.append(text[i:j])
            if text[j] == "&":
                i = self.entity_reference(j)
            elif self.src[j + 1] == "/":
                i = self.end_tag(j)
            else:
                i = self.start_tag(j)
        if self.open:
            raise EntityParseError(
                f"Can't find end tag corresponding to start tag {self.open[-1].name}"
            )
        if self.has_surrogate:
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        self.entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY[e["type"]]))
        return "".join(self.pieces), self.entities

    def append(self, chunk: str) -> None:
        self.pieces.append(chunk)
        self.utf16 += len(chunk) if chunk.isascii() else utf16_len(chunk)

    def byte_offset(self, pos: int) -> int:
        return len(self.text[:pos].encode("utf-8", "surrogatepass"))

    def entity_reference(self, pos: int) -> int:
        code, end = decode_entity(self.src, pos)
        if code == 0:
            self.append("&")
            return pos + 1
        if 0xD800 <= code <= 0xDFFF:
            self.has_surrogate = True
        self.append(chr(code))
        return end

    def start_tag(self, begin: int) -> int:
        src = self.src
        i = begin + 1
        while src[i] not in _SPACES and src[i] != ">":
            i += 1
        if src[i] == "\0":
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = src[begin + 1 : i].lower()
        if name not in SUPPORTED_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        argument, expandable = "", False
        while src[i] != ">":
            while src[i] != "\0" and src[i] in _SPACES:
                i += 1
            if src[i] == ">":
                break
            attr_begin = i
            while src[i] not in _SPACES and src[i] not in "=>":
                i += 1
            attr = src[attr_begin:i]
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            while src[i] != "\0" and src[i] in _SPACES:
                i += 1
            if src[i] != "=":
                if name == "blockquote" and attr == "expandable":
                    expandable = True
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            i += 1
            while src[i] != "\0" and src[i] in _SPACES:
                i += 1
            if src[i] == "\0":
                raise EntityParseError(
                    f'Unclosed start tag "{name}" at byte offset {self.byte_offset(begin)}'
                )
            value, i = self.attribute_value(i)
            if src[i] == "\0":
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
                )
            if name == "a" and attr == "href":
                argument = value
            elif name == "code" and attr == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif name == "span" and attr == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif name == "tg-emoji" and attr == "emoji-id":
                argument = value
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.open.append(_OpenTag(name, argument, self.utf16, len(self.pieces), expandable))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        src = self.src
        if src[i] not in "'\"":
            # A name token: letters, digits, periods or hyphens, not case sensitive.
            begin = i
            while src[i] in _NAME_TOKEN:
                i += 1
            if src[i] not in _SPACES and src[i] != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(begin)}"
                )
            return src[begin:i].lower(), i
        quote = src[i]
        i += 1
        chars: list[str] = []
        while src[i] != quote and src[i] != "\0":
            if src[i] == "&":
                code, end = decode_entity(src, i)
                if code:
                    chars.append(chr(code))
                    i = end
                    continue
            chars.append(src[i])
            i += 1
        if src[i] == quote:
            i += 1
        return "".join(chars), i

    def end_tag(self, begin: int) -> int:
        src = self.src
        if not self.open:
            raise EntityParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while src[i] not in _SPACES and src[i] != ">":
            i += 1
        end_name = src[begin + 2 : i].lower()
        while src[i] in _SPACES and src[i] != "\0":
            i += 1
        if src[i] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.open[-1]
        if end_name and end_name != tag.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        if self.utf16 > tag.offset:
            self.close_entity(tag, self.utf16 - tag.offset)
        self.open.pop()
        return i + 1

    def close_entity(self, tag: _OpenTag, length: int) -> None:
        offset = tag.offset
        last: Entity = self.entities[-1] if self.entities else {"type": None}
        same_span = last.get("offset") == offset and last.get("length") == length
        if tag.name in SIMPLE_ENTITIES:
            self.entities.append(
                {"type": SIMPLE_ENTITIES[tag.name], "offset": offset, "length": length}
            )
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise EntityParseError("Invalid custom emoji identifier specified")
            self.entities.append(
                {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": tag.argument,
                }
            )
        elif tag.name == "a":
            url = tag.argument or "".join(self.pieces[tag.piece :])
            if url:
                self.entities.append(
                    {"type": "text_link", "offset": offset, "length": length, "url": url}
                )
        elif tag.name == "pre":
            if same_span and last["type"] == "code" and "language" in last:
                last["type"] = "pre"
            else:
                self.entities.append({"type": "pre", "offset": offset, "length": length})
        elif tag.name == "code":
            if same_span and last["type"] == "pre" and tag.argument:
                last["language"] = tag.argument
            else:
                entity = {"type": "code", "offset": offset, "length": length}
                if tag.argument:
                    # Kept only until an enclosing <pre> claims it (see the "pre" branch).
                    entity["language"] = tag.argument
                self.entities.append(entity)
        else:
            kind = "expandable_blockquote" if tag.expandable else "blockquote"
            self.entities.append({"type": kind, "offset": offset, "length": length})


def decode_entity(src: str, pos: int) -> tuple[int, int]:
    """Decode the character reference at src[pos] ('&'): (code point or 0, position after it).

    As in tdlib, the closing ';' is optional and unknown names are not references.
    """
    end = pos + 1
    code = 0
    if src[end : end + 1] == "#":
        end += 1
        if src[end : end + 1] == "x":
            end += 1
            while end < len(src) and src[end] in "0123456789abcdefABCDEF":
                code = code * 16 + int(src[end], 16)
                end += 1
        else:
            while end < len(src) and src[end] in "0123456789":
                code = code * 10 + int(src[end])
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while end < len(src) and src[end].isascii() and src[end].isalpha():
            end += 1
        name = src[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return 0, pos
        code = ord(_NAMED_ENTITIES[name])
    if src[end : end + 1] == ";":
        end += 1
    return code, end
