"""The async shell around the pure core: fetch a feed, parse, dedupe, condense, store."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.adapters.logs import feed_ids
from bot.adapters.pages import PageResult, decode_html, fetch_article_text
from bot.adapters.store import NewArticle, NotFoundError, Store
from bot.config import DEFAULT_FULLTEXT_MIN_CHARS, DEFAULT_RETENTION_DAYS
from bot.core.condense import Method, condense_entry
from bot.core.discovery import FeedsOnPage, FoundFeed, discover_feeds
from bot.core.feeds import backlog_to_digest, new_entries, parse_feed
from bot.core.filters import passes
from bot.core.images import lead_image
from bot.core.models import Entry, Feed, FetchResult, ParsedFeed, Source
from bot.core.polls import Outcome, PollReport
from bot.core.schedule import Disable, health_event, hint_until, next_poll_at
from bot.core.stories import SAME_STORY_WINDOW, StoryIndex
from bot.core.structure import canonical_url
from bot.core.text import html_to_text
from bot.errors import FeedError, ParseError

log = logging.getLogger(__name__)


class Fetcher(Protocol):
    """What the pipeline needs from HTTP: feeds with validators, pages with an Accept."""

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        modified: str | None = None,
        accept: str = ...,
    ) -> FetchResult: ...


@dataclass(frozen=True)
class Poller:
    """Polls feeds: the fetcher, the store and the few settings a poll needs."""

    store: Store
    fetcher: Fetcher
    interval: timedelta
    default_lang: str = "en"
    # After a feed's first poll (its backlog, stored as seen), entries published before
    # now - retention are skipped: the cleanup deletes articles that old, and a feed still
    # listing one must not have it taken for new.
    retention: timedelta = timedelta(days=DEFAULT_RETENTION_DAYS)
    # An entry with less text than this gets its article page fetched (once) and read.
    fulltext_min_chars: int = DEFAULT_FULLTEXT_MIN_CHARS
    # Per topic: a poll looks for the topic's stories and stores its own under this lock, so
    # that two feeds polled at once cannot both push one story.
    _topic_locks: dict[int, asyncio.Lock] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    async def poll_due(self, now: datetime) -> list[PollReport]:
        """Poll every feed that is due, concurrently within the fetcher's bounds."""
        feeds = await self.store.due_feeds(now)
        return list(await asyncio.gather(*(self.poll(feed, now) for feed in feeds)))

    async def poll(self, feed: Feed, now: datetime) -> PollReport:
        """Fetch one feed with its cache validators and ingest what came back."""
        result = await self.fetcher.fetch(feed.url, etag=feed.etag, modified=feed.modified)
        try:
            return await self.ingest(feed, result, now)
        except NotFoundError:
            # Removed (with its topic, say) while it was being fetched: nothing left to record.
            log.info("feed %s was removed while it was polled", feed.url, extra=feed_ids(feed))
            return PollReport(feed, Outcome.FAILED, error="removed while it was polled")

    async def add_feed(self, topic_id: int, url: str, now: datetime) -> PollReport:
        """Validate a feed by fetching it once, then store it with its backlog marked as seen.

        Raises FeedError (nothing is stored) when the URL does not give a usable feed.
        """
        result = await self.fetcher.fetch(url)
        if result.error is not None:
            raise result.error
        try:
            parsed = await self._parse(result)
        except ParseError:
            if found := feeds_on_page(result):
                raise FeedsOnPage(result.url, found) from None
            raise
        feed = await self.store.add_feed(topic_id, url, parsed.title)
        return await self._store_entries(feed, parsed, result, now)

    async def ingest(self, feed: Feed, result: FetchResult, now: datetime) -> PollReport:
        """Record a fetch result on its feed; new entries are condensed and stored once."""
        if result.error is not None:
            return await self._fail(feed, result.error, now, result)
        if result.not_modified:
            next_at = self._next(now, result)
            await self.store.record_not_modified(
                feed.id,
                polled_at=now,
                next_poll_at=next_at,
                poll_hint_until=hint_until(now, next_at, self.interval),
            )
            return PollReport(feed, Outcome.NOT_MODIFIED)
        try:
            parsed = await self._parse(result)
        except ParseError as error:
            found = feeds_on_page(result) if feed.never_polled else ()
            if len(found) == 1 and found[0].url != feed.url:
                # A seed file named a site's page: from now on, the feed the page names.
                await self.store.set_feed_url(feed.id, found[0].url)
                log.info(
                    "feed %s is a page; polling the feed it names, %s",
                    feed.url,
                    found[0].url,
                    extra=feed_ids(feed),
                )
                return await self.poll(replace(feed, url=found[0].url), now)
            return await self._fail(feed, error, now, result)
        return await self._store_entries(feed, parsed, result, now)

    async def _parse(self, result: FetchResult) -> ParsedFeed:
        # feedparser is CPU work: keep it off the event loop so chat replies are not held up.
        return await asyncio.to_thread(
            parse_feed, result.body, result.url, result.headers, default_lang=self.default_lang
        )

    async def _store_entries(
        self, feed: Feed, parsed: ParsedFeed, result: FetchResult, now: datetime
    ) -> PollReport:
        listed = parsed.entries if feed.never_polled else self._recent(parsed.entries, now)
        known = await self.store.known_keys(feed.id, [e.key for e in listed])
        fresh = new_entries(listed, known)
        # A feed's first poll is its backlog: remember it all, condense a few for /latest,
        # and push nothing so nobody is flooded.
        wanted = backlog_to_digest(fresh) if feed.never_polled else {e.key for e in fresh}
        source = parsed.title or feed.title or feed.url
        topic = await self.store.get_topic_by_id(feed.topic_id)
        keywords = (topic.include, topic.exclude) if topic else ((), ())
        wanted_entries = [e for e in fresh if e.key in wanted]
        pages = await read_pages(self.fetcher, wanted_entries, self.fulltext_min_chars, feed)
        articles, condensed = await asyncio.to_thread(
            condense_counted, fresh, wanted, source, keywords, pages
        )
        async with self._topic_locks.setdefault(feed.topic_id, asyncio.Lock()):
            if not feed.never_polled:
                articles = await self._one_story_once(feed.topic_id, articles, source, now)
            await self.store.save_poll(
                feed.id,
                articles,
                polled_at=now,
                next_poll_at=(next_at := self._next(now, result, parsed.ttl)),
                poll_hint_until=hint_until(now, next_at, self.interval),
                etag=result.etag,
                modified=result.modified,
                title=parsed.title,
                problem=parsed.problem,
                push=not feed.never_polled,
            )
        if parsed.problem:
            log.info(
                "feed %s is ill-formed but usable: %s",
                feed.url,
                parsed.problem,
                extra=feed_ids(feed),
            )
        return PollReport(
            feed,
            Outcome.NEW,
            new_entries=len(fresh),
            digests=sum(a.digest is not None for a in articles),
            pushed=not feed.never_polled,
            problem=parsed.problem,
            title=parsed.title,
            condensed=condensed,
        )

    async def _fail(
        self, feed: Feed, error: FeedError, now: datetime, result: FetchResult
    ) -> PollReport:
        failures = feed.failures + 1
        next_at = next_poll_at(
            now, interval=self.interval, failures=failures, retry_after=result.retry_after
        )
        log.warning(
            "feed %s failed (%d in a row): %s", feed.url, failures, error, extra=feed_ids(feed)
        )
        event = health_event(failures)
        await self.store.record_failure(
            feed.id,
            error=str(error),
            polled_at=now,
            next_poll_at=next_at,
            disable_reason=event.reason if isinstance(event, Disable) else None,
            poll_hint_until=hint_until(now, next_at, self.interval),
        )
        return PollReport(feed, Outcome.FAILED, error=str(error), health=event)

    async def _one_story_once(
        self, topic_id: int, articles: list[NewArticle], source: str, now: datetime
    ) -> list[NewArticle]:
        """A story the topic already has (same canonical URL or title) is not pushed again;
        the first digest lists this publisher among its sources instead."""
        recent = StoryIndex(await self.store.recent_stories(topic_id, now - SAME_STORY_WINDOW))
        result = []
        for new in articles:
            match = None
            if new.digest is not None and new.push:
                when = new.entry.published or now
                match = recent.find(new.canonical_url, new.entry.title, new.entry.lang, when)
            if match is None:
                result.append(new)
                continue
            first = await self.store.get_digest(match)
            if first is not None:
                cited = Source(source, new.entry.link)
                await self.store.update_digest(
                    match, replace(first, sources=(*first.sources, cited))
                )
            result.append(replace(new, push=False))
        return result

    def _recent(self, entries: Sequence[Entry], now: datetime) -> list[Entry]:
        """The entries published within the retention window, or undated."""
        oldest = now - self.retention
        return [e for e in entries if e.published is None or e.published >= oldest]

    def _next(self, now: datetime, result: FetchResult, ttl: timedelta | None = None) -> datetime:
        return next_poll_at(now, interval=self.interval, ttl=ttl, max_age=result.max_age)


async def read_pages(
    fetcher: Fetcher, entries: Sequence[Entry], min_chars: int, feed: Feed | None = None
) -> dict[str, PageResult]:
    """The article pages of entries whose own text is short, each fetched once, by entry key.

    `feed`, when the entries are a feed's, puts its ids on the log lines of pages not used.
    """
    short = [e for e in entries if e.link and len(html_to_text(e.html)) < min_chars]
    results = await asyncio.gather(*(fetch_article_text(fetcher, e.link) for e in short))
    ids = feed_ids(feed) if feed is not None else None
    for entry, page in zip(short, results, strict=True):
        if page.error:
            log.info("article page %s not used: %s", entry.link, page.error, extra=ids)
    return {e.key: page for e, page in zip(short, results, strict=True)}


def feeds_on_page(result: FetchResult) -> tuple[FoundFeed, ...]:
    """The feeds an HTML page names; () for anything else."""
    content_type = result.headers.get("content-type", "")
    head = result.body[:1024].lstrip().lower()
    if "html" not in content_type and not head.startswith((b"<!doctype html", b"<html")):
        return ()
    return discover_feeds(decode_html(result.body, content_type), result.url)


def condense_all(
    entries: Sequence[Entry],
    wanted: set[str],
    source: str,
    keywords: tuple[Sequence[str], Sequence[str]],
    pages: dict[str, PageResult],
) -> list[NewArticle]:
    """Condense the wanted entries; the topic's keyword filters decide which are pushed.

    CPU work: the caller runs it off the event loop.
    """
    return condense_counted(entries, wanted, source, keywords, pages)[0]


def condense_counted(
    entries: Sequence[Entry],
    wanted: set[str],
    source: str,
    keywords: tuple[Sequence[str], Sequence[str]],
    pages: dict[str, PageResult],
) -> tuple[list[NewArticle], Counter[tuple[str, Method]]]:
    """`condense_all`, and how many digests it made by (language, method)."""
    articles = []
    condensed: Counter[tuple[str, Method]] = Counter()
    for entry in entries:
        if entry.key not in wanted:
            articles.append(NewArticle(entry, None, push=False))
            continue
        page = pages.get(entry.key)
        page_text = page.text if page and not page.error else None
        structure = page.structure if page and not page.error else None
        made = condense_entry(entry, source, page_text=page_text, structure=structure)
        condensed[made.digest.lang, made.method] += 1
        digest = replace(made.digest, image=lead_image(entry, page.image if page else ""))
        text = f"{entry.title}\n{page_text or html_to_text(entry.html)}"
        canonical = (structure and structure.canonical_url) or canonical_url(entry.link)
        articles.append(
            NewArticle(
                entry,
                digest,
                push=passes(*keywords, text),
                canonical_url=canonical,
                page_text=page_text,
                page_error=page.error if page else None,
            )
        )
    return articles, condensed
