"""An entry condensed into a digest: the publisher's own structure first, the summarizer after."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.core.models import Digest, Entry, Page
from bot.core.structure import Structure, canonical_url, find_structure, may_have_structure
from bot.core.summarize import summarize
from bot.core.text import html_to_text


class Method(StrEnum):
    """What gave a digest its points: the publisher's own structure, or the summarizer."""

    STRUCTURE = "structure"
    SUMMARIZER = "summarizer"


@dataclass(frozen=True)
class Condensed:
    """A digest and how its points were found."""

    digest: Digest
    method: Method


def condense(
    entry: Entry,
    source_name: str,
    *,
    page_text: str | None = None,
    structure: Structure | None = None,
) -> Digest:
    """The digest of one feed entry; a fetched page's text and structure improve it."""
    return condense_entry(entry, source_name, page_text=page_text, structure=structure).digest


def condense_entry(
    entry: Entry,
    source_name: str,
    *,
    page_text: str | None = None,
    structure: Structure | None = None,
) -> Condensed:
    """The digest of one feed entry, and whether the publisher's structure gave its points."""
    text = html_to_text(entry.html)
    if page_text and len(page_text) > len(text):
        text = page_text
    content = Structure()
    if may_have_structure(entry.html):
        content = find_structure(entry.html, entry.link)
    found = _either(structure or Structure(), content)
    summary = summarize(
        entry.title,
        text,
        entry.lang,
        description=entry.description,
        page_description=found.description,
    )
    own = {canonical_url(entry.link), found.canonical_url}
    method = Method.STRUCTURE if found.key_points or found.pages else Method.SUMMARIZER
    digest = Digest(
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
    return Condensed(digest, method)


def _either(page: Structure, content: Structure) -> Structure:
    """The publisher's structure from the fetched page, else from the entry's own content.

    A digest site's feed often carries the whole article (content:encoded, Atom content,
    JSON Feed content_html): its key points, sources and next page count as on its page.
    """
    return Structure(
        key_points=page.key_points or content.key_points,
        sources=page.sources or content.sources,
        pages=page.pages or content.pages,
        next_url=page.next_url or content.next_url,
        next_title=page.next_title if page.next_url else content.next_title,
        canonical_url=page.canonical_url or content.canonical_url,
        description=page.description or content.description,
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
