"""Inline keyboards: rendered buttons to Telegram's markup, and the keyboards handlers share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callbacks import Action, encode
from bot.core.i18n import LANGUAGE_NAMES
from bot.core.models import Topic
from bot.core.render import Button

TOPICS_PER_ROW = 2


def markup(rows: Iterable[Iterable[Button]]) -> InlineKeyboardMarkup | None:
    """Telegram markup for rows of rendered buttons; None when there are none."""
    keyboard = [
        [
            InlineKeyboardButton(b.text, url=b.url)
            if b.url
            else InlineKeyboardButton(b.text, callback_data=b.data)
            for b in row
        ]
        for row in rows
    ]
    keyboard = [row for row in keyboard if row]
    return InlineKeyboardMarkup(keyboard) if keyboard else None


def topic_buttons(
    topics: Sequence[Topic], subscribed: set[int], counts: Mapping[int, int]
) -> list[list[Button]]:
    """One toggle per topic: ✅ when subscribed, with its subscriber count."""
    buttons = [
        Button(
            f"{'✅' if t.id in subscribed else '➕'} {t.name} ({counts.get(t.id, 0)})",
            encode(Action.TOGGLE_TOPIC, t.id),
        )
        for t in topics
    ]
    return [buttons[i : i + TOPICS_PER_ROW] for i in range(0, len(buttons), TOPICS_PER_ROW)]


def language_buttons(current: str) -> list[list[Button]]:
    """日本語 / English, the current one marked."""
    return [
        [
            Button(f"{'● ' if lang == current else ''}{name}", encode(Action.LANGUAGE, lang))
            for lang, name in LANGUAGE_NAMES.items()
        ]
    ]
