"""The pure core imports no I/O: no asyncio, HTTP, database, Telegram or environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "bot" / "core"
FORBIDDEN_MODULES = {
    "asyncio",
    "httpx",
    "aiosqlite",
    "sqlite3",
    "telegram",
    "os",
    "socket",
    "subprocess",
    "random",
    "aiohttp",
    "urllib.request",
    "pathlib",
}


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN_MODULES)


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_does_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert sorted(m for m in imported_modules(tree) if forbidden(m)) == []
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "open" not in calls
    now_calls = [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"now", "utcnow", "today", "time", "monotonic"}
    ]
    assert now_calls == [], "time is passed in, never read"


def test_the_check_catches_a_forbidden_import() -> None:
    assert forbidden("os.path")
    assert forbidden("asyncio")
    assert not forbidden("osmosis")
