"""bot/ uses only the public APIs of its libraries: no private module, name or attribute.

A name is private when it starts with one underscore (PEP 8). A module's own privates are its
own (`self._x`, or `page._flush()` where the module defines `_flush`), unless a library base
class uses that attribute too: replacing httpx's `AsyncHTTPTransport._pool` was one.
"""

from __future__ import annotations

import ast
import inspect
import pydoc
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def is_ours(module: str) -> bool:
    top = module.partition(".")[0]
    return top in {"bot", "builtins"} or top in sys.stdlib_module_names


def imported_names(tree: ast.Module) -> dict[str, str]:
    """What each name imported at the top of the module stands for, as a dotted path."""
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def dotted(node: ast.expr, names: dict[str, str]) -> str | None:
    """The dotted path of a name or attribute chain built on an imported name."""
    if isinstance(node, ast.Subscript):  # a generic base: Base[T]
        return dotted(node.value, names)
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute) and (base := dotted(node.value, names)):
        return f"{base}.{node.attr}"
    return None


def on_self(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}


def defined_names(tree: ast.Module) -> set[str]:
    """The functions, classes, variables and `self.` attributes the module defines."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and on_self(node):
            names.add(node.attr)
    return names


def library_sources(bases: list[type]) -> Iterator[str]:
    """The slots and method sources of every library class the given bases inherit from."""
    for base in bases:
        for cls in base.__mro__:
            if is_ours(cls.__module__):
                continue
            yield " ".join(getattr(cls, "__slots__", ()))
            # By method: httpx and PTB give their classes the package's __module__, where
            # inspect cannot find a class's source.
            for member in vars(cls).values():
                function = member.fget if isinstance(member, property) else member
                function = getattr(function, "__func__", function)
                if inspect.isfunction(function):
                    yield inspect.getsource(function)


def inherited_privates(node: ast.ClassDef, names: dict[str, str]) -> Iterator[str]:
    """`self._x` in a class where a library base class uses `_x` too."""
    bases = [pydoc.locate(path) for b in node.bases if (path := dotted(b, names))]
    classes = [b for b in bases if isinstance(b, type) and not is_ours(b.__module__)]
    if not classes:
        return
    used = {
        n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute) and on_self(n) and is_private(n.attr)
    }
    sources = list(library_sources(classes))
    for attr in sorted(used):
        if any(re.search(rf"\b{re.escape(attr)}\b", source) for source in sources):
            yield f"self.{attr} (used by {node.name}'s library base)"


def private_uses(source: str) -> list[str]:
    """Every private library module, name or attribute the source uses."""
    tree = ast.parse(source)
    names = imported_names(tree)
    own = defined_names(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if any(map(is_private, a.name.split(".")))]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.partition(".")[0] != "bot":
                parts = node.module.split(".")
                found += [
                    f"{node.module}.{a.name}"
                    for a in node.names
                    if any(map(is_private, [*parts, a.name]))
                ]
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            if not on_self(node) and node.attr not in own:
                found.append(ast.unparse(node))
        elif isinstance(node, ast.ClassDef):
            found += inherited_privates(node, names)
    return found


@pytest.mark.parametrize("path", sorted(BOT.rglob("*.py")), ids=lambda p: str(p.relative_to(BOT)))
def test_bot_uses_only_public_library_apis(path: Path) -> None:
    assert private_uses(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        (
            "from telegram.request._requestparameter import RequestParameter",
            ["telegram.request._requestparameter.RequestParameter"],
        ),
        (
            "from telegram._utils.types import ODVInput",
            ["telegram._utils.types.ODVInput"],
        ),
        ("import telegram._utils.defaultvalue", ["telegram._utils.defaultvalue"]),
        ("from httpx import _config", ["httpx._config"]),
        ("import httpx\nhttpx._config.DEFAULT_LIMITS", ["httpx._config"]),
        ("transport._pool = pool", ["transport._pool"]),
        (
            "import httpx\n"
            "class Transport(httpx.AsyncHTTPTransport):\n"
            "    def __init__(self, pool):\n"
            "        self._pool = pool\n",
            ["self._pool (used by Transport's library base)"],
        ),
    ],
    ids=["module", "package", "import", "name", "attribute", "other's", "base's"],
)
def test_private_uses_are_found(source: str, found: list[str]) -> None:
    assert private_uses(source) == found


def test_our_own_privates_and_public_names_pass() -> None:
    source = (
        "from __future__ import annotations\n"
        "import httpx\n"
        "from telegram.request import BaseRequest, RequestData\n"
        "from bot.adapters import _local\n"
        "class Transport(httpx.AsyncBaseTransport):\n"
        "    def __init__(self) -> None:\n"
        "        self._connections = None\n"
        "        self.__dict__\n"
        "class Request(BaseRequest):\n"
        "    def __init__(self) -> None:\n"
        "        self._session = None\n"
    )
    assert private_uses(source) == []
