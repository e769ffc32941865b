"""One story once: whether a new article tells a story its topic already has.

The same story is the same canonical URL, or a near-identical title (NFKC, case and punctuation
aside) in the same language within 48 hours. A topic with a thousand recent stories meets each
new article with a thousand comparisons, so the titles are normalized once, and the bounds
`SequenceMatcher` offers (length, then character counts) rule most pairs out before the full
comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from typing import Final

SAME_STORY_WINDOW: Final = timedelta(hours=48)
SAME_TITLE_RATIO: Final = 0.9
_NOT_WORD: Final = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Story:
    """An article of the topic, as far as telling stories apart needs it."""

    article_id: int
    canonical_url: str | None
    title: str
    lang: str
    published: datetime


def title_key(title: str) -> str:
    """NFKC, case-folded, without punctuation or spaces: 'Ｒｕｓｔ 2.0!' and 'rust 20' agree."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", title).casefold())


def similar_titles(a: str, b: str) -> bool:
    """Whether two title keys are near-identical (SequenceMatcher's ratio at least 0.9)."""
    if not a or not b:
        return False
    if a == b:
        return True
    # ratio() is 2·matches/(len a + len b), and matches <= the shorter length.
    if 2 * min(len(a), len(b)) < SAME_TITLE_RATIO * (len(a) + len(b)):
        return False
    matcher = SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= SAME_TITLE_RATIO and matcher.ratio() >= SAME_TITLE_RATIO


class StoryIndex:
    """A topic's recent stories, to look a new article up in."""

    def __init__(self, stories: Iterable[Story]) -> None:
        self._stories = [(story, title_key(story.title)) for story in stories]

    def find(
        self, canonical_url: str | None, title: str, lang: str, published: datetime
    ) -> int | None:
        """The article id of the first story the new article tells again, if any."""
        key = title_key(title)
        for story, other in self._stories:
            if canonical_url and story.canonical_url == canonical_url:
                return story.article_id
            if (
                story.lang == lang
                and abs(published - story.published) <= SAME_STORY_WINDOW
                and similar_titles(key, other)
            ):
                return story.article_id
        return None
