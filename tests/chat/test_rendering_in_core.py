"""The chat handlers write no Telegram HTML: every text they send comes from a core renderer.

So the Telegram-limits property tests (tests/core/test_render_limits.py) cover every message,
and no handler can let a feed's or a user's text through unescaped.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

CHAT = Path(__file__).resolve().parents[2] / "bot" / "chat"
TAG = re.compile(r"</?(?:b|strong|i|em|u|ins|s|strike|del|a|code|pre|tg-\w+|blockquote)\b", re.I)


def escaping(source: str) -> list[str]:
    """How a module escapes HTML itself: `html` imported, `escape` called."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] == "html"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "html":
            found.append(f"from {node.module} import")
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            name = node.func.attr if isinstance(node.func, ast.Attribute) else name
            if name == "escape":
                found.append("escape()")
    return found


def markup(source: str) -> list[str]:
    """The string literals of a module, docstrings aside, that hold a Telegram HTML tag."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and TAG.search(node.value)
    ]


@pytest.mark.parametrize("path", sorted(CHAT.glob("*.py")), ids=lambda p: p.name)
def test_chat_modules_escape_nothing_and_write_no_markup(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert escaping(source) == []
    assert markup(source) == []


def test_the_checks_find_what_they_look_for() -> None:
    source = (
        '"""A <b>docstring</b> may show markup."""\n'
        "import html\n"
        "from html import escape\n"
        'text = f"<b>{escape(name)}</b>" + html.escape(url)\n'
        'link = "<a href=\\"x\\">"\n'
        'usage = "Usage: /addfeed <slug> <url>"\n'
    )
    assert sorted(escaping(source)) == ["escape()", "escape()", "from html import", "import html"]
    assert sorted(markup(source)) == ["</b>", '<a href="x">', "<b>"]
