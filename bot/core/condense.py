"""An entry condensed into a digest: the publisher's own structure first, the summarizer after."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from typing import Final

from bot.core.models import Digest, Entry, Page
from bot.core.structure import Structure, canonical_url
from bot.core.summarize import summarize
from bot.core.text import html_to_text

SAME_STORY_WINDOW: Final = timedelta(hours=48)
SAME_TITLE_RATIO: Final = 0.9
_NOT_WORD: Final = re.compile(r"[\W_]+")


def condense(
    entry: Entry,
    source_name: str,
    *,
    page_text: str | None = None,
    structure: Structure | None = None,
) -> Digest:
    """The digest of one feed entry; a fetched page's text and structure improve it."""
    text = html_to_text(entry.html)
    if page_text and len(page_text) > len(text):
        text = page_text
    summary = summarize(entry.title, text, entry.lang)
    found = structure or Structure()
    own = {canonical_url(entry.link), found.canonical_url}
    return Digest(
        title=entry.title or entry.link,
        url=entry.link,
        source_name=source_name,
        published=entry.published,
        lang=entry.lang,
        lede=summary.lede,
        key_points=found.key_points or summary.key_points,
        pages=found.pages or summary.pages,
        sources=tuple(s for s in found.sources if canonical_url(s.url) not in own),
        next_url=found.next_url,
        next_title=found.next_title,
    )


def continue_digest(digest: Digest, page_text: str, structure: Structure) -> Digest:
    """The digest with the publisher's next page appended as pages, and its own next link."""
    pages = structure.pages
    if not pages:
        summary = summarize(digest.next_title or digest.title, page_text, digest.lang)
        bullets = structure.key_points or summary.key_points
        pages = summary.pages or ((Page(digest.next_title or "", bullets),) if bullets else ())
    return replace(
        digest,
        pages=digest.pages + pages,
        next_url=structure.next_url if structure.next_url != digest.next_url else None,
        next_title=structure.next_title,
    )


def same_story(
    title: str, lang: str, published: datetime, other: tuple[str, str, datetime]
) -> bool:
    """Whether two articles tell one story: a near-identical title, one language, 48 hours."""
    other_title, other_lang, other_published = other
    if lang != other_lang or abs(published - other_published) > SAME_STORY_WINDOW:
        return False
    a, b = _title_key(title), _title_key(other_title)
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b).ratio() >= SAME_TITLE_RATIO


def _title_key(title: str) -> str:
    """NFKC, case-folded, without punctuation or spaces: 'Ｒｕｓｔ 2.0!' and 'rust 20' agree."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", title).casefold())
