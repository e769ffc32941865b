"""An entry condensed into a digest: its text summarized, its source named."""

from __future__ import annotations

from bot.core.models import Digest, Entry
from bot.core.summarize import summarize
from bot.core.text import html_to_text


def condense(entry: Entry, source_name: str) -> Digest:
    """The digest of one feed entry, from the text the entry carries."""
    summary = summarize(entry.title, html_to_text(entry.html), entry.lang)
    return Digest(
        title=entry.title or entry.link,
        url=entry.link,
        source_name=source_name,
        published=entry.published,
        lang=entry.lang,
        lede=summary.lede,
        key_points=summary.key_points,
        pages=summary.pages,
    )
