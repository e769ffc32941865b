"""Topic names: slug rules and the closest slug to a mistyped one."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Final

MAX_SLUG_CHARS: Final = 32
MAX_NAME_CHARS: Final = 64
SLUG_PATTERN: Final = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,{MAX_SLUG_CHARS - 1}}}")


def is_valid_slug(slug: str) -> bool:
    """Lower-case letters, digits, - and _, starting with a letter or digit, at most 32."""
    return SLUG_PATTERN.fullmatch(slug) is not None


def closest_slug(slug: str, known: Iterable[str]) -> str | None:
    """The known slug a mistyped one most likely meant, if any is close."""
    matches = difflib.get_close_matches(slug.lower(), list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None
