"""Conversions between Python values and database rows: times, JSON, and the row types."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

from bot.adapters.store.records import Chat, ChatKind, Delivery, DeliveryMode
from bot.core.models import DeliveryStatus, Digest, Feed, LinkPreview, Page, Source, Topic


def to_text(moment: datetime) -> str:
    """A tz-aware datetime as fixed-width ISO-8601 UTC text, so text order is time order."""
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the store takes tz-aware datetimes")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def to_text_or_none(moment: datetime | None) -> str | None:
    """to_text, passing None through."""
    return None if moment is None else to_text(moment)


def from_text(text: str | None) -> datetime | None:
    """A stored time back as a tz-aware UTC datetime."""
    return None if text is None else datetime.fromisoformat(text)


def required_time(text: str) -> datetime:
    """A stored NOT NULL time back as a tz-aware UTC datetime."""
    return datetime.fromisoformat(text)


def clock_to_text(value: time | None) -> str | None:
    """A time of day as HH:MM."""
    return None if value is None else value.strftime("%H:%M")


def clock_from_text(text: str | None) -> time | None:
    """HH:MM back as a time of day."""
    return None if text is None else time.fromisoformat(text)


def words_to_json(words: Sequence[str]) -> str:
    """A keyword list as JSON text."""
    return json.dumps(list(words), ensure_ascii=False)


def digest_to_json(digest: Digest) -> str:
    """A Digest as JSON text; published keeps its own offset."""
    data = {
        "title": digest.title,
        "url": digest.url,
        "source_name": digest.source_name,
        "published": None if digest.published is None else digest.published.isoformat(),
        "lang": digest.lang,
        "lede": digest.lede,
        "key_points": list(digest.key_points),
        "pages": [{"heading": p.heading, "bullets": list(p.bullets)} for p in digest.pages],
        "sources": [{"title": s.title, "url": s.url} for s in digest.sources],
        "next_url": digest.next_url,
        "next_title": digest.next_title,
        "image": digest.image,
    }
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate from a broken feed cannot be stored as UTF-8 text; escaped, it can.
        text = json.dumps(data)
    return text


def digest_from_json(text: str) -> Digest:
    """A Digest back from digest_to_json's text; fields added later get their defaults."""
    data: dict[str, Any] = json.loads(text)
    published = data.get("published")
    return Digest(
        title=data["title"],
        url=data["url"],
        source_name=data["source_name"],
        published=None if published is None else datetime.fromisoformat(published),
        lang=data["lang"],
        lede=data["lede"],
        key_points=tuple(data["key_points"]),
        pages=tuple(Page(p["heading"], tuple(p["bullets"])) for p in data.get("pages", ())),
        sources=tuple(Source(s["title"], s["url"]) for s in data.get("sources", ())),
        next_url=data.get("next_url"),
        next_title=data.get("next_title"),
        image=data.get("image") or "",
    )


def topic_from_row(row: sqlite3.Row) -> Topic:
    """A topics row as a Topic."""
    return Topic(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        description=row["description"],
        include=tuple(json.loads(row["include_keywords"])),
        exclude=tuple(json.loads(row["exclude_keywords"])),
        link_preview=LinkPreview(row["link_preview"]) if row["link_preview"] else None,
    )


def feed_from_row(row: sqlite3.Row) -> Feed:
    """A feeds row as a Feed."""
    return Feed(
        id=row["id"],
        topic_id=row["topic_id"],
        url=row["url"],
        title=row["title"],
        etag=row["etag"],
        modified=row["modified"],
        next_poll_at=from_text(row["next_poll_at"]),
        last_polled_at=from_text(row["last_polled_at"]),
        last_success_at=from_text(row["last_success_at"]),
        failures=row["failures"],
        last_error=row["last_error"],
        problem=row["problem"],
        disabled=bool(row["disabled"]),
        disabled_reason=row["disabled_reason"],
    )


def chat_from_row(row: sqlite3.Row) -> Chat:
    """A chats row as a Chat."""
    return Chat(
        id=row["id"],
        kind=ChatKind(row["kind"]),
        title=row["title"],
        language=row["language"],
        timezone=row["timezone"],
        mode=DeliveryMode(row["mode"]),
        daily_time=time.fromisoformat(row["daily_time"]),
        quiet_start=clock_from_text(row["quiet_start"]),
        quiet_end=clock_from_text(row["quiet_end"]),
        paused=bool(row["paused"]),
        paused_at=from_text(row["paused_at"]),
        last_digest_at=from_text(row["last_digest_at"]),
        active=bool(row["active"]),
    )


def delivery_from_row(row: sqlite3.Row) -> Delivery:
    """A deliveries row as a Delivery."""
    return Delivery(
        id=row["id"],
        chat_id=row["chat_id"],
        article_id=row["article_id"],
        thread_id=row["thread_id"],
        status=DeliveryStatus(row["status"]),
        attempts=row["attempts"],
        due_at=required_time(row["due_at"]),
        created_at=required_time(row["created_at"]),
        claimed_at=from_text(row["claimed_at"]),
        claimed_by=row["claimed_by"],
        sent_at=from_text(row["sent_at"]),
        message_id=row["message_id"],
        last_error=row["last_error"],
        batch_key=row["batch_key"],
        timeouts=row["timeouts"],
    )
