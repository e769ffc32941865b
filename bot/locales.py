"""Find and load the message catalogs shipped with digestbot, from any working directory."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.support import Translations

from bot.core.i18n import LANGUAGES, Translators

DOMAIN = "messages"


def locales_dir() -> Path:
    """`bot/locales` in an installed wheel; the repository's `locales/` in an editable install."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "locales", package.parent / "locales"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no locales directory next to {package}")


def load_translators(default: str = "en") -> Translators:
    """Translators for every supported language (a missing .mo falls back to the msgid)."""
    directory = locales_dir()
    catalogs: dict[str, gettext.NullTranslations] = {
        lang: Translations.load(str(directory), [lang], DOMAIN) for lang in LANGUAGES
    }
    return Translators(catalogs, default)
