"""Inline button payloads: a short action code and integer or slug arguments, at most 64 bytes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

MAX_CALLBACK_BYTES: Final = 64
SEPARATOR: Final = ":"
# SQLite's largest integer: a bigger number typed or forged by a user names no row.
MAX_ID: Final = 2**63 - 1


class Action(StrEnum):
    """What a button does; the value is what travels in the callback data."""

    KEY_POINTS = "k"
    SOURCES = "s"
    NEXT = "n"
    OPEN = "o"
    TOGGLE_TOPIC = "t"
    LANGUAGE = "l"
    SETTINGS = "st"
    DELETE_TOPIC = "dt"
    ADD_FOUND_FEED = "af"  # topic id, index of the feed among those a page names
    LINK_PREVIEW = "lp"  # topic id, a LinkPreview value or "default"
    CANCEL = "x"


@dataclass(frozen=True)
class Callback:
    """A decoded button press."""

    action: Action
    args: tuple[str, ...] = ()

    def int_arg(self, index: int = 0) -> int:
        """The argument at `index` as an int; ValueError if it is missing or not a number."""
        return int(self.args[index])

    def id_arg(self, index: int = 0) -> int | None:
        """The argument at `index` as a row id (see `parse_id`), or None."""
        return parse_id(self.args[index]) if index < len(self.args) else None


def parse_id(text: str) -> int | None:
    """A row id as buttons and commands carry it ("12"): ASCII digits up to MAX_ID, else None."""
    if not (text.isascii() and text.isdigit()):
        return None  # str.isdigit() also takes "²" and "١", which int() refuses or reads
    number = int(text)
    return number if number <= MAX_ID else None


def encode(action: Action, *args: object) -> str:
    """Callback data for a button; ValueError if it would not fit Telegram's 64 bytes."""
    parts = [str(arg) for arg in args]
    if any(SEPARATOR in part for part in parts):
        raise ValueError(f"callback argument contains {SEPARATOR!r}: {parts!r}")
    data = SEPARATOR.join([action.value, *parts])
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def pattern(action: Action) -> str:
    """The regular expression PTB's CallbackQueryHandler uses to route one action."""
    return f"^{action.value}({SEPARATOR}|$)"


def decode(data: str | None) -> Callback | None:
    """The button press a payload stands for, or None for anything we did not make."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_CALLBACK_BYTES:
        return None
    code, *args = data.split(SEPARATOR)
    try:
        action = Action(code)
    except ValueError:
        return None
    return Callback(action, tuple(args))
