"""Cut a feed document after its first N entries, before feedparser builds every one of them.

feedparser turns each entry into dictionaries at roughly 10,000 entries a second, so a feed
with 100,000 tiny entries (well within the byte cap) would hold a worker thread for many
seconds on every poll. The cut costs one regular-expression scan for ordinary feeds; for long
ones, expat reads up to the cut to find the elements still open there and closes them, so the
shortened document stays well-formed. A document expat cannot follow is cut at the first
surplus entry's start tag instead: it is ill-formed already and feedparser's loose parser reads
it either way.

Limits: the scan matches ASCII tags, so a UTF-16 feed is never cut (the byte cap still bounds
it), and channel elements that come after the entries are dropped with them.
"""

from __future__ import annotations

import itertools
import re
from typing import Final
from xml.parsers import expat

# A start tag whose local name is item (RSS) or entry (Atom); `<items>` does not match.
ENTRY_START: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")
ENTRY_NAMES: Final = frozenset({"item", "entry"})
BOM_AND_SPACE: Final = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*")


class _Cut(Exception):
    """Raised from expat's handler to stop at the first entry over the limit."""

    def __init__(self, index: int, open_elements: list[str]) -> None:
        super().__init__(index)
        self.index = index
        self.open_elements = open_elements


def cap_entries(body: bytes, limit: int) -> bytes:
    """The document without its entries after the first `limit`; unchanged when it has fewer."""
    surplus = next(itertools.islice(ENTRY_START.finditer(body), limit, None), None)
    if surplus is None:
        return body
    return _cut_well_formed(body, limit) or body[: surplus.start()]


def _cut_well_formed(body: bytes, limit: int) -> bytes | None:
    """Cut before the entry after the first `limit`, closing what is open; None if not XML."""
    start = BOM_AND_SPACE.match(body)
    offset = start.end() if start else 0
    # ISO-8859-1 maps every byte to one character, so byte offsets stay true and any
    # ASCII-compatible encoding (UTF-8, EUC-JP, Shift_JIS…) keeps its markup readable.
    parser = expat.ParserCreate(encoding="iso-8859-1")
    # An unread external DTD makes undefined entities (&nbsp; in RSS) skipped, not fatal.
    parser.UseForeignDTD(True)
    stack: list[tuple[str, bool]] = []
    seen = inside = 0  # top-level entries so far; entries open now (nested ones don't count)

    def start_element(name: str, attributes: object) -> None:
        nonlocal seen, inside
        is_entry = name.rpartition(":")[2] in ENTRY_NAMES
        if is_entry and not inside:
            if seen == limit:
                raise _Cut(parser.CurrentByteIndex, [n for n, _ in stack])
            seen += 1
        inside += is_entry
        stack.append((name, is_entry))

    def end_element(name: str) -> None:
        nonlocal inside
        inside -= stack.pop()[1]

    parser.StartElementHandler = start_element
    parser.EndElementHandler = end_element
    try:
        parser.Parse(body[offset:], True)
    except _Cut as cut:
        closing = "".join(f"</{name}>" for name in reversed(cut.open_elements))
        return body[: offset + cut.index] + closing.encode("iso-8859-1")
    except expat.ExpatError:
        return None
    return body  # fewer top-level entries than the scan counted (some were nested or quoted)
