"""Digests of real articles read as sentences: no key point ends mid-word or opens on a
dangling connective, and no lede is a greeting, a credit line, a fragment or a key point."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.core.condense import condense
from bot.core.feeds import parse_feed
from bot.core.models import Digest, Entry
from bot.core.summarize import summarize
from bot.core.text import html_to_text
from bot.errors import ParseError

DATA = Path(__file__).resolve().parents[1] / "data"

DANGLING_RE = re.compile(
    r"^(?:(?:But|And|Or|So|Yet|However|Also|Meanwhile|Still|Instead)\b"
    r"|(?:しかし|だが|ところが|また、|一方、|一方で、|さらに、|そして|ただ、|なお、|それでも|でも、))"
)
# What opens a greeting, a self-introduction or a credit line, written out independently of
# the rules in bot/core/lede.py.
NOT_A_LEDE_RE = re.compile(
    r"^(?:こんにちは|こんばんは|はじめまして|はじめに|Hi\b|Hello\b|Hey\b|By [A-Z]"
    r"|In (?:his|her|their) (?:free|spare) time"
    r"|[A-Z]\w+(?: [A-Z]\w+)+ is an? [^.]*(?:engineer|producer|writer|journalist))"
    r"|(?:の|している|してる)\s*\S{1,12}\s*です[。！!]$"
)
TERMINATED_RE = re.compile(r"[.!?。！？…][\"'”’」』)）]*$")


def load_jsonl(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def entry_from(row: dict[str, Any]) -> Entry:
    return Entry(
        key=f"{row['origin']}#{row['item']}",
        title=row["title"],
        link=row.get("link", ""),
        html=row["html"],
        published=None,
        lang=row.get("lang") or "ja",
        description=row.get("description", ""),
    )


def real_digests() -> list[tuple[str, str, Digest]]:
    """(id, source text, digest) for every real article and feed entry in tests/data."""
    digests = []
    for row in load_jsonl("summaries-sample.jsonl"):
        summary = summarize(row["title"], row["text"], row["lang"])
        digest = Digest(
            title=row["title"],
            url="",
            source_name="",
            published=None,
            lang=row["lang"],
            lede=summary.lede,
            key_points=summary.key_points,
        )
        digests.append((row["id"], row["text"], digest))
    for name in ("feed-entries-ja.jsonl", "feed-entries-ledes.jsonl"):
        for row in load_jsonl(name):
            entry = entry_from(row)
            digests.append((entry.key, html_to_text(entry.html), condense(entry, "")))
    for path in sorted((DATA / "feeds").glob("*.*")):
        if path.suffix == ".md":
            continue
        try:
            feed = parse_feed(path.read_bytes(), path.as_uri())
        except ParseError:
            continue
        for number, entry in enumerate(feed.entries):
            text = html_to_text(entry.html)
            digests.append((f"{path.name}#{number}", text, condense(entry, feed.title)))
    return digests


DIGESTS = real_digests()


def test_the_real_digests_are_many() -> None:
    assert len(DIGESTS) > 200
    assert sum(1 for _, _, digest in DIGESTS if digest.lede) >= 10


def ends_mid_word(point: str, source: str) -> bool:
    """A point cut with "…" ends mid-word when its source goes on with a letter or digit."""
    if not point.endswith("…"):
        return False
    tail = point[:-1][-12:]
    found = source.find(tail)
    return found < 0 or source[found + len(tail) : found + len(tail) + 1].isalnum()


@pytest.mark.parametrize(("key", "source", "digest"), DIGESTS, ids=[d[0] for d in DIGESTS])
def test_key_points_read_as_sentences(key: str, source: str, digest: Digest) -> None:
    for point in digest.key_points:
        assert not ends_mid_word(point, " ".join(source.split())), point
        assert not DANGLING_RE.match(point), point
        # "on weekdays from April." is the tail of a sentence split after "p.m.".
        assert not re.match(r"[a-z]{2,}\b", point), point


@pytest.mark.parametrize(("key", "source", "digest"), DIGESTS, ids=[d[0] for d in DIGESTS])
def test_ledes_state_the_news(key: str, source: str, digest: Digest) -> None:
    if not digest.lede:
        return
    assert digest.lede not in digest.key_points
    assert digest.lede != digest.title
    assert not NOT_A_LEDE_RE.search(digest.lede), digest.lede
    assert not DANGLING_RE.match(digest.lede), digest.lede
    assert TERMINATED_RE.search(digest.lede), digest.lede
    assert not digest.lede[:1].islower(), digest.lede


def digest_of(name: str, item: int) -> Digest:
    row = next(r for r in load_jsonl(name) if r["item"] == item)
    return condense(entry_from(row), "")


def test_a_greeting_is_neither_lede_nor_key_point() -> None:
    digest = digest_of("feed-entries-ledes.jsonl", 0)
    greeting = "こんにちは、富士通人工知能研究所の内田・佐藤・茂木です。"
    assert greeting not in (digest.lede, *digest.key_points)
    assert digest.key_points


def test_a_credit_line_is_neither_lede_nor_key_point() -> None:
    digest = digest_of("feed-entries-ledes.jsonl", 17)
    shown = " ".join((digest.lede, *digest.key_points))
    assert "In his free time" not in shown
    assert "audio engineer" not in shown
    # The opening sentence is the news: the lede, or the first key point with no lede.
    assert (digest.lede or digest.key_points[0]).startswith("Here's a transcript of my keynote")
