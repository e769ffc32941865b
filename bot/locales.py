"""Find and load the message catalogs shipped with digestbot, from any working directory.

The catalogs are the `.po` files themselves, read with Babel at start (about 10 ms for both).
Every way of installing (a wheel, an sdist, `pip install git+…`, an editable checkout, the
Docker image) carries them as they are: there is no compiled `.mo` to forget.
"""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from bot.core.i18n import LANGUAGES, Translators
from bot.errors import ConfigError

DOMAIN: Final = "messages"
# The msgids are English, so the English catalog may leave every msgstr empty.
SOURCE_LANGUAGE: Final = "en"


def locales_dir() -> Path:
    """`bot/locales` in an installed wheel; the repository's `locales/` in an editable install."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "locales", package.parent / "locales"):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"no message catalogs: neither {package}/locales nor ../locales exists")


def catalog_path(directory: Path, lang: str) -> Path:
    """Where the catalog of one language lives under a locales directory."""
    return directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, lang: str) -> Translations:
    """One language's catalog; ConfigError (one line) if it is missing, broken or empty."""
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN, abort_invalid=True)
    except OSError as error:
        raise ConfigError(
            f"cannot read the {lang} message catalog {path}: {error.strerror}"
        ) from None
    except PoFileError as error:
        line = error.lineno + 1  # Babel counts from 0
        raise ConfigError(
            f"the {lang} message catalog {path} is broken at line {line}: {error.line!r}"
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"the {lang} message catalog {path} is not {error.encoding}") from None
    except ValueError as error:  # Babel's own parsing, as of a plural index
        raise ConfigError(f"the {lang} message catalog {path} is broken: {error}") from None
    translated = [m for m in catalog if m.id and m.string and not m.fuzzy]
    if not any(m.id for m in catalog) or (lang != SOURCE_LANGUAGE and not translated):
        raise ConfigError(f"the {lang} message catalog {path} has no messages")
    # gettext reads catalogs in the compiled form: compile in memory, as `pybabel compile`
    # would (fuzzy translations are left out).
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, DOMAIN)


def load_translators(default: str = "en", directory: Path | None = None) -> Translators:
    """Translators for every supported language; ConfigError if a catalog is unusable."""
    directory = directory or locales_dir()
    catalogs: dict[str, gettext.NullTranslations] = {
        lang: read_catalog(catalog_path(directory, lang), lang) for lang in LANGUAGES
    }
    return Translators(catalogs, default)
