"""What the publisher already wrote on an article page: key points, cited sources, next page.

The page is read as a flat stream of text blocks (paragraphs, list items, headings, lines
between <br>s), each with its links and the furniture (nav, header, footer, aside) around it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from bot.core.blocks import Block, BlockPage, scan_blocks
from bot.core.models import Page, Source
from bot.core.text import clean_text
from bot.core.trim import drop_connective

MAX_KEY_POINTS: Final = 3
# A label block ("📘 この記事で分かる事!", "3 key takeaways") is its label and a few more letters.
MAX_LABEL_EXTRA_CHARS: Final = 6
# Key points sit near the top: their label starts within this share of the page's text.
KEY_POINTS_WITHIN: Final = 0.5
# A block longer than this is running text, not a "出典: …" or "Read more: …" line.
MAX_SOURCE_LINE_CHARS: Final = 300
# An inline "TL;DR: …" is a key point only when it says this much.
MIN_INLINE_POINT_CHARS: Final = 20
# A trailing path number above this is an id, not a page number.
MAX_PAGE_NUMBER: Final = 99

_KEY_POINT_LABELS: Final = (
    "この記事で分かる", "この記事でわかる", "ポイント", "要点", "要約", "ざっくり言うと",
    "3行まとめ", "三行まとめ", "key takeaways", "takeaways", "key points", "tl;dr",
    "in brief", "story highlights", "highlights", "at a glance",
)  # fmt: skip
_SOURCE_LABELS: Final = (
    "さらに読む", "出典", "引用元", "引用", "参考", "元記事", "情報源", "ソース",
    "source", "sources", "via", "read more", "originally published",
)  # fmt: skip
# Words around a source link that name neither the source nor the link: dropped from titles.
_SOURCE_NOISE: Final = (*_SOURCE_LABELS, "画像元", "写真", "画像", "image", "photo")
# What may_have_structure looks for: every marker and label the rules below key on.
_STRUCTURE_MARKERS: Final = tuple("💡✅☑✔✓・•●◆▶►▸■◎")
_STRUCTURE_LABELS: Final = (
    *_KEY_POINT_LABELS, *_SOURCE_LABELS, "次の", "次へ", "続きを読む", "next", "continue",
    "page", "要点", "要約", "new:",
)  # fmt: skip
_INLINE_POINT_RE: Final = re.compile(r"^\W*(?:tl;?dr|in brief|要点|要約)\s*[:：]\s*(.+)", re.I)
# Key point and bullet markers; "NEW:" is CNN's flag on a freshly added highlight.
_MARKER_RE: Final = re.compile(r"^(?:[💡✅☑✔✓・•●◆▶►▸■◎※*-]\ufe0f?\s*)+|^NEW:\s*")
_KEY_MARKERS: Final = frozenset("💡✅☑✔✓・•●◆▶►▸■◎")
_BULLET_MARKERS: Final = frozenset("✅☑✔✓・•●")
_SEPARATORS: Final = " \t⇒→»›>:：/／|｜-–—・,、"
_URL_TEXT_RE: Final = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_PATH_NUMBER_RE: Final = re.compile(r"^(.*)/(\d{1,2})/?$")
_FILE_NUMBER_RE: Final = re.compile(r"^(.*/[^/]*?)(?:[_-](\d{1,2}))?(\.[A-Za-z]{2,5})$")
_PAGE_PARAMS: Final = ("page", "p", "pg", "paged")
_TRACKING_PARAMS: Final = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
     "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
     "oly_enc_id", "vero_id", "wickedid", "rb_clickid", "s_cid"}
)  # fmt: skip
_TRACKING_PREFIXES: Final = ("utm_", "hsa_", "pk_", "mtm_")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
# What str.strip and urlsplit strip, at once, so that a cleaned URL is clean.
_EDGES_RE: Final = re.compile(r"^[\s\x00-\x20]+|[\s\x00-\x20]+$")


@dataclass(frozen=True)
class Structure:
    """The publisher's own key points, sources, sections and next page; empty where absent."""

    key_points: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    pages: tuple[Page, ...] = ()
    next_url: str | None = None
    next_title: str | None = None
    canonical_url: str | None = None
    # The page's own summary (og:description, else <meta name="description">), plain text.
    description: str = ""


def canonical_url(url: str) -> str:
    """The URL as a dedupe key: lower-case scheme and host, no fragment, no tracking params."""
    url = _EDGES_RE.sub("", url.partition("#")[0])
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme, netloc = parts.scheme.lower(), parts.netloc
    if parts.hostname:
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        userinfo = netloc.rpartition("@")[0]
        shown_port = "" if port in (None, _DEFAULT_PORTS.get(scheme)) else f":{port}"
        netloc = (userinfo + "@" if userinfo else "") + host + shown_port
    path = parts.path or ("/" if netloc else "")
    if not netloc and path.startswith("//"):
        path = "/" + path.lstrip("/")  # else it would read as a host the next time
    # Kept pieces stay as written, so their percent-encoding is untouched; the sort is stable.
    kept = [piece for piece in parts.query.split("&") if piece and not _is_tracking(piece)]
    query = "&".join(sorted(kept, key=lambda piece: piece.partition("=")[0]))
    return _EDGES_RE.sub("", urlunsplit((scheme, netloc, path, query, "")))


def _is_tracking(piece: str) -> bool:
    name = piece.partition("=")[0].lower()
    return name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)


def may_have_structure(html: str) -> bool:
    """A cheap first look: False when the HTML has none of the markers and labels that key
    points, sources, ✅ sections or a next page need, so find_structure would find nothing."""
    if any(marker in html for marker in _STRUCTURE_MARKERS):
        return True
    lowered = html.lower()
    return any(label in lowered for label in _STRUCTURE_LABELS)


def find_structure(html: str, url: str) -> Structure:
    """Key points, cited sources, sections and next page the publisher wrote on this page."""
    page = scan_blocks(html)
    base = (_absolute(page.base_href, url) if page.base_href else None) or url
    found = (_absolute(href, base) for href in (page.canonical, page.og_url) if href)
    canonical = next(filter(None, found), None)
    used: set[int] = set()
    key_points = _key_points(page.blocks, used)
    next_url, next_title = _next_page(page, base, {canonical_url(url), canonical})
    return Structure(
        key_points=key_points,
        sources=_sources(page, base, canonical, next_url),
        pages=_pages(page.blocks, used),
        next_url=next_url,
        next_title=next_title,
        canonical_url=canonical,
        description=clean_text(
            page.descriptions.get("og:description") or page.descriptions.get("description", "")
        ),
    )


# The rules over the blocks.


def _absolute(href: str, base: str) -> str | None:
    """An absolute, cleaned http(s) URL for a link, or None for javascript:, mailto: and junk."""
    try:
        joined = urljoin(base, href.strip())
        scheme = urlsplit(joined).scheme
    except ValueError:
        return None
    return canonical_url(joined) if scheme in ("http", "https") else None


def _squeeze(text: str) -> str:
    """Letters and digits only, lower-cased: labels compare without emoji, marks or spaces."""
    normal = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in normal if unicodedata.category(c)[0] in "LN")


_KEY_LABEL_RE: Final = re.compile("|".join(map(re.escape, map(_squeeze, _KEY_POINT_LABELS))))
_SOURCE_LABEL_RE: Final = re.compile("|".join(map(re.escape, map(_squeeze, _SOURCE_LABELS))))
_NOISE_RE: Final = re.compile("|".join(map(re.escape, map(_squeeze, _SOURCE_NOISE))))
_SOURCE_WORDS_RE: Final = re.compile(rf"(?<![a-z])(?:{'|'.join(_SOURCE_LABELS)})(?![a-z])")
_NOISE_WORDS_RE: Final = re.compile(rf"(?<![a-z])(?:{'|'.join(_SOURCE_NOISE)})(?![a-z])", re.I)
# 目次へ ("to the contents") is not 次へ.
_NEXT_RE: Final = re.compile(r"(?<!目)次の?ページ|(?<!目)次へ|続きを読む|nextpage|continuereading")


def _is_label(text: str, label: re.Pattern[str], *, leading: bool = False) -> bool:
    """True when `text` is a label give or take a few letters: "3つのポイント", "元記事を読む"."""
    squeezed = _squeeze(text)
    found = label.match(squeezed) if leading else label.search(squeezed)
    return found is not None and len(squeezed) - len(found[0]) <= MAX_LABEL_EXTRA_CHARS


def _strip_marker(text: str) -> str:
    return _MARKER_RE.sub("", text).strip()


def _key_points(blocks: list[Block], used: set[int]) -> tuple[str, ...]:
    """The short list under a "この記事で分かる事" or "Key takeaways" label, or 💡 lines."""
    content = [i for i, block in enumerate(blocks) if not block.chrome]
    total = sum(len(blocks[i].text) for i in content)
    seen = 0
    for position, i in enumerate(content):
        block = blocks[i]
        if seen > KEY_POINTS_WITHIN * total:
            break
        seen += len(block.text)
        inline = _INLINE_POINT_RE.match(block.text)
        if inline and len(inline[1]) >= MIN_INLINE_POINT_CHARS:
            used.add(i)
            return (inline[1].strip(),)
        if block.text.startswith("💡"):
            items = _items(blocks, content[position:], lists=False)
            if len(items) < 2:
                continue
        elif block.text[:1] not in _KEY_MARKERS and _is_label(block.text, _KEY_LABEL_RE):
            items = _items(blocks, content[position + 1 :], lists=True)
        else:
            continue
        if items:
            used.update(items)
            return tuple(
                drop_connective(_strip_marker(blocks[j].text)) for j in items[:MAX_KEY_POINTS]
            )
    return ()


def _items(blocks: list[Block], following: list[int], *, lists: bool) -> list[int]:
    """The list items (if `lists`) or marker-led lines that follow, up to any other block."""
    items: list[int] = []
    for j in following:
        block = blocks[j]
        is_item = block.text[:1] in _KEY_MARKERS or (lists and block.in_list)
        if not is_item or not _strip_marker(block.text):
            break
        items.append(j)
    return items


def _pages(blocks: list[Block], used: set[int]) -> tuple[Page, ...]:
    """Sections under the top heading level, whose bullets are the publisher's ✅ / ・ lines."""
    bullets = {
        i
        for i, block in enumerate(blocks)
        if i not in used and not block.chrome and block.text[:1] in _BULLET_MARKERS
    }
    levels = [b.level for b in blocks[: max(bullets, default=0)] if b.level > 1 and not b.chrome]
    if not levels:
        return ()
    top = min(levels)
    pages: list[Page] = []
    heading: str | None = None
    found: list[str] = []
    for i, block in enumerate(blocks):
        if block.chrome:
            continue
        if 1 <= block.level <= top:
            if heading is not None and found:
                pages.append(Page(heading, tuple(found)))
            heading, found = (block.text if block.level == top else None), []
        elif i in bullets and heading is not None and (text := _strip_marker(block.text)):
            found.append(text)
    if heading is not None and found:
        pages.append(Page(heading, tuple(found)))
    return tuple(pages)


def _source_label_before(prefix: str) -> bool:
    """True when a source label leads the words before a link, ends them, or takes a colon."""
    lowered = unicodedata.normalize("NFKC", prefix).lower().strip(_SEPARATORS)
    for found in _SOURCE_WORDS_RE.finditer(lowered):
        after = lowered[found.end() :].lstrip()
        if found.start() == 0 or not after or after[0] in ":：/⇒→»":
            return True
    return False


def _source_title(prefix: str, link_text: str, url: str) -> str:
    """The link's own words, else the words before it without labels, else the host."""
    if link_text and not _URL_TEXT_RE.match(link_text) and not _is_label(link_text, _NOISE_RE):
        return link_text
    title = " ".join(_NOISE_WORDS_RE.sub(" ", prefix).split()).strip(_SEPARATORS)
    return title or urlsplit(url).hostname or url


def _sources(
    page: BlockPage, base: str, canonical: str | None, next_url: str | None
) -> tuple[Source, ...]:
    """The article's canonical link, then each link labelled 出典, 引用, Source, Read more …"""
    found: list[Source] = []
    if canonical:
        heading = next((b.text for b in page.blocks if b.level == 1 and not b.chrome), "")
        found.append(Source(page.og_title or page.title or heading or canonical, canonical))
    for block in page.blocks:
        if block.chrome or len(block.text) > MAX_SOURCE_LINE_CHARS:
            continue
        for link in block.links:
            prefix = block.text[: link.start]
            labelled = _is_label(link.text, _SOURCE_LABEL_RE, leading=True)
            url = _absolute(link.href, base)
            # A site's home page ("Source: CNN") is not an article to read more in.
            if not url or url == next_url or urlsplit(url).path in ("", "/"):
                continue
            if labelled or _source_label_before(prefix):
                found.append(Source(_source_title(prefix, link.text, url), url))
    unique: dict[str, Source] = {}
    for source in found:
        unique.setdefault(source.url, source)
    return tuple(unique.values())


def _next_page(page: BlockPage, base: str, own: set[str | None]) -> tuple[str | None, str | None]:
    """rel="next", else a link labelled 次のページ / Next page, else the ?page=N+1 link."""
    titles = _link_titles(page, base)
    for href in page.rel_next:
        if (found := _absolute(href, base)) and found not in own:
            return found, titles.get(found)
    pending = False  # a block that only says "次のページを読む ⇒" labels the next block's link
    numbered = frozenset().union(*(_numbered_next(url) for url in own if url))
    by_number: str | None = None
    for block in page.blocks:
        if block.chrome in ("header", "footer", "aside"):
            pending = False
            continue
        for link in block.links:
            url = _absolute(link.href, base)
            if not url or url in own:
                continue
            if _is_label(link.text, _NEXT_RE):
                return url, titles.get(url)
            before = _squeeze(block.text[: link.start])[-12:]
            if _NEXT_RE.search(before) or (pending and not before):
                return url, link.text or titles.get(url)
            if by_number is None and url in numbered:
                by_number = url
        pending = not block.links and _is_label(block.text, _NEXT_RE)
    return (by_number, titles.get(by_number)) if by_number else (None, None)


def _link_titles(page: BlockPage, base: str) -> dict[str, str]:
    """The first wording of each link that is a title: not a number, a label or a bare URL."""
    titles: dict[str, str] = {}
    for block in page.blocks:
        for link in block.links:
            text = link.text
            if len(_squeeze(text)) < 4 or _URL_TEXT_RE.match(text) or _is_label(text, _NEXT_RE):
                continue
            if url := _absolute(link.href, base):
                titles.setdefault(url, text)
    return titles


def _numbered_next(url: str) -> frozenset[str]:
    """Where page N+1 of `url` would be: ?page=N+1, …/N+1/ or name_N+1.html."""
    parts = urlsplit(url)
    query = [piece for piece in parts.query.split("&") if piece]
    candidates: set[str] = set()
    for name in _PAGE_PARAMS:
        values = [p.partition("=")[2] for p in query if p.partition("=")[0] == name]
        current = int(values[0]) if values and values[0].isdigit() else 1
        rest = [p for p in query if p.partition("=")[0] != name]
        candidates.add(_rebuilt(parts, parts.path, [*rest, f"{name}={current + 1}"]))
    if file := _FILE_NUMBER_RE.match(parts.path):
        number = int(file[2] or 1)
        for sep in "_-":
            candidates.add(_rebuilt(parts, f"{file[1]}{sep}{number + 1}{file[3]}", query))
    else:
        numbered = _PATH_NUMBER_RE.match(parts.path)
        head, number = (numbered[1], int(numbered[2])) if numbered else (parts.path, 1)
        if number <= MAX_PAGE_NUMBER:
            path = f"{head.rstrip('/')}/{number + 1}"
            candidates.update(_rebuilt(parts, path + end, query) for end in ("/", ""))
    return frozenset(canonical_url(candidate) for candidate in candidates)


def _rebuilt(parts: SplitResult, path: str, query: list[str]) -> str:
    return urlunsplit((parts.scheme, parts.netloc, path, "&".join(query), ""))
