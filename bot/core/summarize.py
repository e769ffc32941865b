"""Extractive summaries: a lede, key points and per-section pages out of an article's text.

Key points are the best-ranked sentences (bot/core/rank.py) that read well alone, in the
article's order; the lede is the publisher's dek or the opening news sentence (lede.py); pages
follow the article's headings, else groups of its paragraphs.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from bot.core.lede import dek, is_bio, is_boilerplate, is_news_sentence, is_truncated
from bot.core.models import Page, Summary
from bot.core.rank import centrality, features, is_cjk_lang, tfidf_vectors
from bot.core.sentences import split_sentences
from bot.core.trim import (
    ELLIPSIS,
    condense,
    drop_title_copy,
    opens_with_connective,
    shorten,
    strip_asides,
    strip_dateline,
)

MAX_POINT_CHARS_JA: Final = 120
MAX_POINT_CHARS_EN: Final = 250
MAX_HEADING_CHARS_JA: Final = 30
MAX_HEADING_CHARS_EN: Final = 70
# A description longer than this is the article's text, not its dek.
MAX_DEK_CHARS: Final = 400
MAX_PAGES: Final = 5
MAX_PAGE_BULLETS: Final = 3
# An article this short is covered by its key points: no pages.
MIN_PAGED_SENTENCES: Final = 6
# Above this cosine two sentences say the same thing.
DUPLICATE_SIMILARITY: Final = 0.6
# A sentence with this share of its terms in the title is the title, or a piece of it, again.
TITLE_CONTAINMENT: Final = 0.8
UNTERMINATED_WEIGHT: Final = 0.4
QUESTION_WEIGHT: Final = 0.5
CONNECTIVE_WEIGHT: Final = 0.7
QUOTE_WEIGHT: Final = 0.5
JA_PREFERRED_CHARS: Final = 50

_LETTER_RE: Final = re.compile(r"[^\W_]")
_NON_LETTERS_RE: Final = re.compile(r"[\W_]+")
_URL_RE: Final = re.compile(r"https?://|www\.\w|\.(?:com|org|net|co\.\w\w)/|\w@[\w-]+\.\w")
_LINK_MARKS: Final = ("://", "www.", "@", ".com/", ".org/", ".net/", ".co.")
# A Latin line that opens on a lowercase word is the tail of a sentence cut in two, or code.
_FRAGMENT_RE: Final = re.compile(r"[a-z]{2,}\b")
_CLOSERS: Final = "」』\"'”’)）]］"
_OPENING_QUOTES: Final = "\"'“‘"
_QUOTED_ENDS: Final = tuple(end + quote for end in ".!?," for quote in "\"'”’")
_TERMINATORS: Final = ("。", "．", ".", "!", "！", "?", "？", "…")


def _unterminated(sentence: str) -> bool:
    """Captions, headings and bylines carry no full stop."""
    return not sentence.rstrip(_CLOSERS).endswith(_TERMINATORS)


def _weight(sentence: str, cjk: bool) -> float:
    """Down-weight what reads badly alone or says little per character.

    Captions, questions, "But …" openers and (in English) quotes;
    in Japanese, sentences beyond JA_PREFERRED_CHARS in proportion to their length.
    """
    weight = UNTERMINATED_WEIGHT if _unterminated(sentence) else 1.0
    if sentence.rstrip(_CLOSERS).endswith(("?", "？")):
        weight *= QUESTION_WEIGHT
    if opens_with_connective(sentence):
        weight *= CONNECTIVE_WEIGHT
    if cjk:
        weight *= min(1.0, JA_PREFERRED_CHARS / max(len(sentence), 1))
    elif sentence[:1] in _OPENING_QUOTES or sentence.endswith(_QUOTED_ENDS):
        # A reaction quoted, or the tail of a quote that runs over several sentences.
        weight *= QUOTE_WEIGHT
    return weight


def _is_junk(sentence: str) -> bool:
    """Links, fragments, greetings, credit lines: never shown, even when nothing else is."""
    # The substrings first: a regex search of every sentence costs a tenth of summarize.
    for mark in _LINK_MARKS:
        if mark in sentence and _URL_RE.search(sentence):
            return True
    return _FRAGMENT_RE.match(sentence) is not None or is_boilerplate(sentence)


def _is_noise(sentence: str, lang: str) -> bool:
    """Junk, and short lines such as "Email" or "Photo: Reuters": never a bullet."""
    if _is_junk(sentence):
        return True
    if is_cjk_lang(lang):
        size, short, tiny = len(sentence), 12, 6
    else:
        # Words: the splitter leaves one space between them.
        size, short, tiny = sentence.count(" ") + 1, 5, 2
    # "Bonds rallied." is news; "Photo: Reuters" and "Scroll down for video" are not.
    return size < tiny or (size < short and _unterminated(sentence))


def _furniture(paragraphs: Sequence[Sequence[str]]) -> list[int]:
    """Sentence indices of the paragraphs that open with a bio: all of each paragraph
    ("John Williams is an audio engineer. … He likes to meditate.")."""
    found: list[int] = []
    index = 0
    for paragraph in paragraphs:
        if is_bio(paragraph[0]):
            found.extend(range(index, index + len(paragraph)))
        index += len(paragraph)
    return found


def _select(
    candidates: Sequence[int],
    scores: dict[int, float],
    bags: Sequence[Counter[str]],
    k: int,
    avoid: Sequence[Counter[str]] = (),
) -> list[int]:
    """The k best-scored candidates repeating neither each other nor `avoid`, in text order."""
    chosen: list[int] = []
    others = [(bag, _norm(bag)) for bag in avoid]
    for i in sorted(candidates, key=lambda i: -scores[i]):
        if len(chosen) == k:
            break
        bag, norm = bags[i], _norm(bags[i])
        if all(_cosine(bag, norm, *other) <= DUPLICATE_SIMILARITY for other in others):
            chosen.append(i)
            others.append((bag, norm))
    return sorted(chosen)


def _norm(bag: Counter[str]) -> float:
    return math.sqrt(sum([c * c for c in bag.values()]))


def _cosine(a: Counter[str], norm_a: float, b: Counter[str], norm_b: float) -> float:
    """Cosine of raw term counts: how far two sentences say the same thing."""
    if len(b) < len(a):
        a, b = b, a
    dot = sum([c * b[t] for t, c in a.items() if t in b])
    return dot / (norm_a * norm_b) if dot else 0.0


def _bag_cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine of raw term counts: how far two sentences say the same thing."""
    return _cosine(a, _norm(a), b, _norm(b))


def _contained(part: Counter[str], whole: Counter[str]) -> float:
    """The share of `part`'s terms that `whole` has too."""
    total = sum(part.values())
    return sum(min(c, whole[t]) for t, c in part.items()) / total if total else 0.0


def _letters(text: str) -> str:
    """Text up to case, width, spacing and punctuation: for telling copies apart."""
    return _NON_LETTERS_RE.sub("", unicodedata.normalize("NFKC", text).lower())


def summarize(
    title: str,
    text: str,
    lang: str,
    *,
    description: str = "",
    page_description: str = "",
    max_points: int = 3,
) -> Summary:
    """Lede, key points and pages of an article's plain text (see html_to_text).

    Key points are the best-ranked sentences in text order. The lede is the publisher's
    `description` when it is a real sentence (see lede.dek), else its page's (og:description)
    when that is one, else the article's opening news
    sentence when the key points leave it out; when they open with it, the digest shows it
    once, as the first key point, and the lede is empty. Taking the opening sentence away from
    the key points to make it the lede lost 2.7 ROUGE-1 points to lead-3 on the bench's tuning
    articles. No sentence repeats another, the title or the lede. A text with nothing beyond
    its title gives an empty summary: no lede, no key points.
    """
    if max_points < 1:
        raise ValueError("max_points must be at least 1")
    cjk = is_cjk_lang(lang)
    limit = _point_limit(lang)
    paragraphs = _paragraphs(text, lang, title)
    sentences = [s for para in paragraphs for s in para]
    bags = [features(s, lang) for s in sentences]
    title_bag = features(title, lang)
    title_letters = _letters(title)

    def usable(i: int) -> bool:
        if not _LETTER_RE.search(sentences[i]):
            return False
        if not title_letters:
            return True
        if _letters(sentences[i]) == title_letters:
            return False
        return not (title_bag and _contained(bags[i], title_bag) >= TITLE_CONTAINMENT)

    candidates = [i for i in range(len(sentences)) if usable(i)]
    noise = [_is_noise(sentence, lang) for sentence in sentences]
    for i in _furniture(paragraphs):
        noise[i] = True
    if sentences and is_truncated(sentences[-1]):
        # A feed's teaser ends mid-sentence ("高橋様からは「個別の..."): no bullet.
        noise[-1] = True
    members = [i for i in candidates if not noise[i]]
    sentences_only = [i for i in members if not _unterminated(sentences[i])]
    if len(sentences_only) > max_points:
        # Enough real sentences: captions, headings and menu lines need not compete.
        members = sentences_only
    if not members:
        # Short entries ("Apple ships iOS 18.") fail the noise test: use them rather than none.
        members = [i for i in candidates if not _is_junk(sentences[i])]
    dek_text = dek(description, cjk=cjk, limit=MAX_DEK_CHARS) or dek(
        page_description, cjk=cjk, limit=MAX_DEK_CHARS
    )
    if dek_text and _letters(dek_text) == title_letters:
        dek_text = ""
    if not members:
        return Summary(lede=dek_text, key_points=())
    vectors = tfidf_vectors(bags)
    raw = centrality(vectors, members)
    weights = [_weight(sentence, cjk) for sentence in sentences]
    scores = {i: raw[i] * weights[i] for i in members}
    picked = _select(members, scores, bags, max_points, [features(dek_text, lang)])
    if not picked:
        # The description is all the text there is: key points rather than a dek.
        dek_text = ""
        picked = _select(members, scores, bags, max_points)

    def display(i: int) -> str:
        return condense(sentences[i], limit, cjk=cjk)

    points: list[str] = []
    for i in picked:
        point = display(i)
        # Two sentences can shorten to the same clause; show it once.
        if point not in points and point != dek_text:
            points.append(point)
    lede = dek_text or _opening(sentences, members, picked, bags, cjk, display)
    paged = len(members) >= MIN_PAGED_SENTENCES
    pages = _pages(paragraphs, vectors, bags, noise, weights, lang) if paged else ()
    return Summary(lede=lede, key_points=tuple(points), pages=pages)


def _opening(
    sentences: Sequence[str],
    members: Sequence[int],
    picked: Sequence[int],
    bags: Sequence[Counter[str]],
    cjk: bool,
    display: Callable[[int], str],
) -> str:
    """The article's opening news sentence, or "" when the key points already say it.

    A sentence too long to show whole is no lede either: a lede is never cut.
    """
    for i in members:
        if not is_news_sentence(sentences[i], cjk=cjk):
            continue
        lede = display(i)
        if i in picked or lede.endswith(ELLIPSIS):
            return ""
        if any(_bag_cosine(bags[i], bags[j]) > DUPLICATE_SIMILARITY for j in picked):
            return ""
        return lede
    return ""


def _point_limit(lang: str) -> int:
    """Longest key point before it is cut, in characters."""
    return MAX_POINT_CHARS_JA if is_cjk_lang(lang) else MAX_POINT_CHARS_EN


def _paragraphs(text: str, lang: str, title: str) -> list[list[str]]:
    """The text's paragraphs as sentences, without title copies, datelines and asides."""
    cjk = is_cjk_lang(lang)
    paragraphs: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text):
        sentences = [
            strip_asides(s, cjk=cjk) for s in split_sentences(drop_title_copy(block, title))
        ]
        if sentences and not paragraphs:
            sentences[0] = strip_dateline(sentences[0])
        if sentences:
            paragraphs.append(sentences)
    return paragraphs


def _is_heading(paragraph: Sequence[str], lang: str) -> bool:
    """A paragraph of one short line without a sentence ending: a section heading."""
    limit = MAX_HEADING_CHARS_JA if is_cjk_lang(lang) else MAX_HEADING_CHARS_EN
    return len(paragraph) == 1 and len(paragraph[0]) <= limit and _unterminated(paragraph[0])


def _sections(paragraphs: Sequence[Sequence[str]], lang: str) -> list[tuple[str, list[int]]]:
    """Sections as (heading, sentence indices): by headings, else by groups of paragraphs."""
    sections: list[tuple[str, list[int]]] = []
    body_paragraphs: list[list[int]] = []
    index = 0
    for paragraph in paragraphs:
        members = list(range(index, index + len(paragraph)))
        index += len(paragraph)
        if _is_heading(paragraph, lang):
            sections.append((paragraph[0], []))
            continue
        body_paragraphs.append(members)
        if not sections:
            sections.append(("", []))
        sections[-1][1].extend(members)
    sections = [(heading, members) for heading, members in sections if members]
    # A lone short line is more often "Scroll down for video" or a caption than a heading.
    if sum(1 for heading, _ in sections if heading) >= 2 and len(sections) <= MAX_PAGES:
        return sections
    # No usable headings: cut the paragraphs into MAX_PAGES runs of about equal length.
    total = sum(len(p) for p in body_paragraphs)
    target = max(MAX_PAGE_BULLETS, math.ceil(total / MAX_PAGES))
    groups: list[tuple[str, list[int]]] = []
    for members in body_paragraphs:
        if not groups or len(groups[-1][1]) >= target:
            groups.append(("", []))
        groups[-1][1].extend(members)
    return groups if len(groups) > 1 else []


def _pages(
    paragraphs: Sequence[Sequence[str]],
    vectors: Sequence[Mapping[str, float]],
    bags: Sequence[Counter[str]],
    noise: Sequence[bool],
    weights: Sequence[float],
    lang: str,
) -> tuple[Page, ...]:
    """One Page per section, each with up to MAX_PAGE_BULLETS ranked ✅ bullets."""
    cjk = is_cjk_lang(lang)
    limit = _point_limit(lang)
    heading_limit = MAX_HEADING_CHARS_JA if cjk else MAX_HEADING_CHARS_EN
    sentences = [s for para in paragraphs for s in para]
    pages = []
    for heading, section in _sections(paragraphs, lang)[:MAX_PAGES]:
        members = [i for i in section if not noise[i]] or section
        raw = centrality(vectors, members)
        scores = {i: raw[i] * weights[i] for i in members}
        if not heading:
            # The first of the best sentences heads the page and the others follow it, in the
            # article's order; the bullets add to the heading rather than repeat it.
            first, *picked = _select(members, scores, bags, MAX_PAGE_BULLETS + 1)
            heading = condense(sentences[first], heading_limit, cjk=cjk)
            picked = picked or [first]
        else:
            picked = _select(members, scores, bags, MAX_PAGE_BULLETS)
            heading = shorten(heading, heading_limit, cjk=cjk)
        bullets = tuple(condense(sentences[i], limit, cjk=cjk) for i in picked)
        pages.append(Page(heading=heading, bullets=bullets))
    return tuple(pages)


def lead_sentences(text: str, k: int = 3) -> list[str]:
    """The first k sentences: the lead-k baseline summarizers are measured against."""
    return split_sentences(text)[:k]
