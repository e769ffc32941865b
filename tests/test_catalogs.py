"""Every user-facing string is extracted, translated to Japanese, and keeps its placeholders."""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LANGUAGES, Translator
from bot.errors import ConfigError
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


def test_catalogs_load_from_the_package() -> None:
    assert locales_dir() == ROOT / "locales"
    translators = load_translators()
    ja: Translator = translators["ja"]
    assert ja.gettext("📘 What you'll learn") == "📘 この記事で分かる事！"
    assert ja.ngettext("Polled {count} feed.", "Polled {count} feeds.", 2) == (
        "{count}件のフィードを取得しました。"
    )
    assert translators["en"].gettext("📘 What you'll learn") == "📘 What you'll learn"
    assert translators["en"].ngettext("Polled {count} feed.", "Polled {count} feeds.", 1) == (
        "Polled {count} feed."
    )
    assert translators["fr"].lang == "en"


HEADER = 'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n'
COMMANDS = 'msgid "Commands:"\nmsgstr "コマンド:"\n'


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read the ja message catalog {path}: No such file or directory"),
        (b"", "the ja message catalog {path} has no messages"),
        (HEADER.encode(), "the ja message catalog {path} has no messages"),
        (
            (HEADER + 'msgid "Commands:"\nmsgstr ""\n').encode(),
            "the ja message catalog {path} has no messages",
        ),
        (
            (HEADER + "#, fuzzy\n" + COMMANDS).encode(),
            "the ja message catalog {path} has no messages",
        ),
        (
            (HEADER + COMMANDS + "msgtsr\n").encode(),
            "the ja message catalog {path} is broken at line 7: 'msgtsr'",
        ),
        (
            (HEADER + COMMANDS + 'msgstr[x] ""\n').encode(),
            "the ja message catalog {path} is broken: invalid literal for int() with base 10: 'x'",
        ),
        (
            (HEADER + COMMANDS).encode("shift_jis"),
            "the ja message catalog {path} is not utf-8",
        ),
    ],
    ids=[
        "missing",
        "empty",
        "header-only",
        "untranslated",
        "fuzzy-only",
        "broken",
        "bad-plural-index",
        "not-utf-8",
    ],
)
def test_an_unusable_catalog_is_a_one_line_config_error(
    tmp_path: Path, content: bytes | None, problem: str
) -> None:
    shutil.copytree(ROOT / "locales", tmp_path, dirs_exist_ok=True)
    path = tmp_path / "ja" / "LC_MESSAGES" / "messages.po"
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content)
    with pytest.raises(ConfigError) as raised:
        load_translators(directory=tmp_path)
    assert str(raised.value) == problem.format(path=path)


def test_an_english_catalog_may_leave_every_message_untranslated(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "locales", tmp_path, dirs_exist_ok=True)
    path = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    path.write_text(HEADER.replace("ja", "en") + 'msgid "Commands:"\nmsgstr ""\n')
    assert load_translators(directory=tmp_path)["en"].gettext("Commands:") == "Commands:"


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
