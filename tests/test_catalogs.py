"""Every user-facing string is extracted, translated to Japanese, and keeps its placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LANGUAGES, Translator
from bot.locales import load_translators, locales_dir

ROOT = Path(__file__).resolve().parents[1]


def msgids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_template_is_up_to_date_with_the_code() -> None:
    extracted = extract_from_dir(
        ROOT / "bot",
        method_map=[("**.py", "python")],
        keywords={"gettext": None, "ngettext": (1, 2), "N_": None},
    )
    in_code = {m[2] if isinstance(m[2], str) else m[2][0] for m in extracted}
    assert in_code == msgids(ROOT / "locales" / "messages.pot"), (
        "run the pybabel extract/update steps from the README"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_message(lang: str) -> None:
    path = ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po"
    assert msgids(path) == msgids(ROOT / "locales" / "messages.pot")


def test_japanese_is_complete_with_the_same_placeholders() -> None:
    with (ROOT / "locales" / "ja" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strs = [message.string] if isinstance(message.string, str) else list(message.string)
        if not all(strs) or message.fuzzy:
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        for translated in strs:
            if placeholders(translated) != placeholders(ids[0]):
                problems.append(f"placeholders differ: {ids[0]!r} -> {translated!r}")
    assert problems == []


def test_placeholder_check_sees_a_difference() -> None:
    assert placeholders("{number} of {total}") != placeholders("{total}ページ中")


def test_compiled_catalogs_load_from_the_package() -> None:
    assert (locales_dir() / "ja" / "LC_MESSAGES" / "messages.mo").is_file()
    translators = load_translators()
    ja: Translator = translators["ja"]
    assert ja.gettext("📘 What you'll learn") == "📘 この記事で分かる事!"
    assert translators["en"].gettext("📘 What you'll learn") == "📘 What you'll learn"
    assert translators["fr"].lang == "en"


def test_no_gettext_inside_f_strings() -> None:
    # pybabel cannot see a call inside an f-string, so the message would never be translated.
    # A literal message inside an f-string: gettext(variable) of an N_-marked text is fine.
    pattern = re.compile(r"""f(["']).*?\b(n?gettext|N_)\(["']""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "bot").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
