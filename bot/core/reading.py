"""Where "next" leads: the article's next page, else the next unread article."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShowPage:
    """Show page `index` of the article."""

    index: int


@dataclass(frozen=True)
class NextArticle:
    """The article is finished: move on to the next unread one."""


def next_step(page_count: int, index: int) -> ShowPage | NextArticle:
    """What 'next page' shows when asked for page `index` of an article with `page_count` pages."""
    if 0 <= index < page_count:
        return ShowPage(index)
    return NextArticle()
