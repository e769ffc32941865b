"""An entry condensed into a digest: the publisher's own structure first, the summarizer after."""

from __future__ import annotations

from dataclasses import replace

from bot.core.models import Digest, Entry, Page
from bot.core.structure import Structure, canonical_url
from bot.core.summarize import summarize
from bot.core.text import html_to_text


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
