"""Daily digests and the catch-up after a pause: when one is due, what goes in, its batch key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

from bot.core.filters import passes
from bot.core.models import Digest

# One combined message shows the first few; rows past this would only be counted, so a long
# absence is summed up by its newest articles (the rest stay for /next).
MAX_BUNDLE_ROWS: Final = 30
FIRST_DIGEST_WINDOW: Final = timedelta(hours=24)
# A poll stamps its articles with the time it started, and may commit them after a digest
# has gone out: each window reaches back this far, and what was delivered or read is skipped.
WINDOW_OVERLAP: Final = timedelta(hours=1)
DAILY_PREFIX: Final = "daily"
CATCH_UP_PREFIX: Final = "catchup"


@dataclass(frozen=True)
class Candidate:
    """A digest that could go into a bundle, with the keyword filters of its topic."""

    article_id: int
    digest: Digest
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def daily_due(
    now: datetime, *, zone: tzinfo, at: time, last_digest_at: datetime | None
) -> date | None:
    """The chat's local date if its daily digest is due at `now`, else None.

    Due once `at` has passed today in the chat's timezone, unless one went out today already.
    A digest missed while the bot was down goes out late rather than never.
    """
    local_now = now.astimezone(zone)
    today = local_now.date()
    # Compared in UTC: aware datetimes sharing a tzinfo compare by wall time, which is wrong
    # on the night the clocks go back.
    slot = datetime.combine(today, at, tzinfo=zone).astimezone(UTC)
    if now.astimezone(UTC) < slot:
        return None
    if last_digest_at is not None and last_digest_at.astimezone(zone).date() >= today:
        return None
    return today


def daily_since(now: datetime, last_digest_at: datetime | None) -> datetime:
    """Where a daily digest's window starts: at the last one, or a day back for the first."""
    if last_digest_at is None:
        return now - FIRST_DIGEST_WINDOW
    return last_digest_at - WINDOW_OVERLAP


def catch_up_since(paused_at: datetime) -> datetime:
    """Where the catch-up digest's window starts: when pushes were paused."""
    return paused_at - WINDOW_OVERLAP


def daily_batch_key(chat_id: int, day: date) -> str:
    """The batch key shared by the rows of one chat's daily digest."""
    return f"{DAILY_PREFIX}:{chat_id}:{day.isoformat()}"


def catch_up_batch_key(chat_id: int, resumed_at: datetime) -> str:
    """The batch key shared by the rows of the catch-up digest sent on resuming."""
    return f"{CATCH_UP_PREFIX}:{chat_id}:{resumed_at.isoformat()}"


def pick_bundle(candidates: Iterable[Candidate], limit: int = MAX_BUNDLE_ROWS) -> list[int]:
    """Article ids for a bundle, in the candidates' order (newest first).

    Each passes its topic's keyword filters, as an instant push would; one story carried by
    two feeds (the same URL) goes in once; at most `limit`.
    """
    picked: list[int] = []
    urls: set[str] = set()
    for candidate in candidates:
        if len(picked) >= limit:
            break
        digest = candidate.digest
        if digest.url in urls or not passes(
            candidate.include, candidate.exclude, digest_text(digest)
        ):
            continue
        urls.add(digest.url)
        picked.append(candidate.article_id)
    return picked


def digest_text(digest: Digest) -> str:
    """The words of a digest the keyword filters look at."""
    bullets = [bullet for page in digest.pages for bullet in page.bullets]
    return "\n".join([digest.title, digest.lede, *digest.key_points, *bullets])
