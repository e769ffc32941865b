"""Translation and locale-aware dates: a Translator per reader language over Babel catalogs."""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Final

from babel.dates import format_datetime, format_timedelta

LANGUAGES: Final = ("en", "ja")
LANGUAGE_NAMES: Final = {"en": "English", "ja": "日本語"}


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it where it is shown."""
    return message


def pick_language(code: str | None, default: str = "en") -> str:
    """The interface language for a Telegram language_code: ja for ja*, else the default."""
    primary = (code or "").split("-")[0].lower()
    return primary if primary in LANGUAGES else default


class Translator:
    """One reader language: gettext, ngettext and Babel dates in that locale."""

    def __init__(self, lang: str, catalog: gettext.NullTranslations) -> None:
        self.lang = lang
        self._catalog = catalog

    def gettext(self, message: str) -> str:
        """The message in this language."""
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for n, in this language."""
        return self._catalog.ngettext(singular, plural, n)

    def format_datetime(self, when: datetime, tz: tzinfo) -> str:
        """A date and time in the reader's locale and timezone."""
        return format_datetime(when.astimezone(tz), "medium", locale=self.lang)

    def format_ago(self, when: datetime, now: datetime) -> str:
        """A relative time such as '3 hours ago' / '3時間前'."""
        delta: timedelta = when - now
        return format_timedelta(delta, add_direction=True, locale=self.lang)


class Translators:
    """Translators for every supported language, built once from loaded catalogs."""

    def __init__(self, catalogs: Mapping[str, gettext.NullTranslations], default: str) -> None:
        self._by_lang = {lang: Translator(lang, catalogs[lang]) for lang in catalogs}
        self.default = default

    def __getitem__(self, lang: str | None) -> Translator:
        return self._by_lang.get(lang or self.default) or self._by_lang[self.default]
