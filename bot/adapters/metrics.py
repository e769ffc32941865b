"""digestbot's Prometheus metrics, in a registry of their own (tests run several bots).

Counters move where things happen (the poll job, the fetcher, the error handler); the gauges
(the outbox, chats, feeds, the Bot API) are read from the store at each scrape. Labels take
a few fixed values each: never a chat id, a feed URL or an error text.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.adapters.http import FEED_ACCEPT, Fetcher
from bot.adapters.store import Store
from bot.core.models import FetchResult
from bot.core.polls import Outcome, PollReport

# Seconds: a feed answers in tens of milliseconds to tens of seconds (DIGESTBOT_FETCH_TIMEOUT).
FETCH_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
POLL_OUTCOMES: Final = {
    Outcome.NEW: "new",
    Outcome.NOT_MODIFIED: "unchanged",
    Outcome.FAILED: "error",
}
CHAT_KINDS: Final = ("private", "group", "supergroup", "channel")
FEED_STATES: Final = ("ok", "failing", "disabled")


class Metrics:
    """Every digestbot_* metric of one bot."""

    def __init__(self) -> None:
        """All metrics at zero, each label value present from the start."""
        self.registry = registry = CollectorRegistry()
        self.feed_polls = Counter(
            "digestbot_feed_polls",
            "Feed polls by outcome: new entries, unchanged, or an error.",
            ["outcome"],
            registry=registry,
        )
        self.fetch_duration = Histogram(
            "digestbot_fetch_duration_seconds",
            "Time one HTTP fetch (a feed or an article page) took, redirects and body included.",
            ["kind"],
            buckets=FETCH_BUCKETS,
            registry=registry,
        )
        self.entries = Counter(
            "digestbot_entries_ingested",
            "New feed entries stored.",
            registry=registry,
        )
        self.digests = Counter(
            "digestbot_digests_condensed",
            "Articles condensed into a digest.",
            registry=registry,
        )
        self.update_errors = Counter(
            "digestbot_handler_errors",
            "Errors raised while handling an update or running a job.",
            ["source"],
            registry=registry,
        )
        self.outbox = Gauge(
            "digestbot_outbox_rows",
            "Outbox rows by status (sent, failed and cancelled rows are kept for the retention).",
            ["status"],
            registry=registry,
        )
        self.oldest_due = Gauge(
            "digestbot_outbox_oldest_due_age_seconds",
            "How long the longest-waiting due row has been due (0: none is due).",
            registry=registry,
        )
        self.chats = Gauge("digestbot_chats", "Active chats by kind.", ["kind"], registry=registry)
        self.subscribers = Gauge(
            "digestbot_subscribers",
            "Active chats with at least one subscription.",
            registry=registry,
        )
        self.feeds = Gauge(
            "digestbot_feeds",
            "Feeds by health: ok, failing (backing off) or disabled.",
            ["state"],
            registry=registry,
        )
        self.api_up = Gauge(
            "digestbot_bot_api_up",
            "1 while the Bot API answers the dispatcher, 0 during an outage.",
            registry=registry,
        )
        self.api_outages = Gauge(
            "digestbot_bot_api_outages",
            "Bot API outages the dispatcher has waited out since start.",
            registry=registry,
        )
        for outcome in POLL_OUTCOMES.values():
            self.feed_polls.labels(outcome)
        for kind in ("feed", "page"):
            self.fetch_duration.labels(kind)
        for source in ("update", "job"):
            self.update_errors.labels(source)

    def count_polls(self, reports: Iterable[PollReport]) -> None:
        """Count one round of feed polls."""
        for report in reports:
            self.feed_polls.labels(POLL_OUTCOMES[report.outcome]).inc()
            self.entries.inc(report.new_entries)
            self.digests.inc(report.digests)

    async def read_store(self, store: Store, now: datetime) -> None:
        """Set the gauges read from the database."""
        for status, count in (await store.count_deliveries()).items():
            self.outbox.labels(status.value).set(count)
        oldest = await store.oldest_due(now)
        self.oldest_due.set(max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
        kinds = await store.chats_by_kind()
        for kind in (*CHAT_KINDS, *kinds):
            self.chats.labels(kind).set(kinds.get(kind, 0))
        stats = await store.bot_stats(now)
        self.subscribers.set(stats.subscribers)
        self.feeds.labels("failing").set(stats.failing_feeds)
        self.feeds.labels("disabled").set(stats.disabled_feeds)
        self.feeds.labels("ok").set(stats.feeds - stats.failing_feeds - stats.disabled_feeds)

    def read_outage(self, *, down: bool, outages: int) -> None:
        """Set the Bot API gauges from the dispatcher's outage tracker."""
        self.api_up.set(0 if down else 1)
        self.api_outages.set(outages)

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)


class TimedFetcher:
    """A fetcher that times each fetch into `digestbot_fetch_duration_seconds`."""

    def __init__(self, fetcher: Fetcher, metrics: Metrics) -> None:
        """Wrap `fetcher`; its results pass through unchanged."""
        self.fetcher = fetcher
        self.metrics = metrics

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """Fetch through the wrapped fetcher, timed."""
        began = time.monotonic()
        try:
            return await self.fetcher.fetch(url, etag=etag, modified=modified, accept=accept)
        finally:
            kind = "feed" if accept == FEED_ACCEPT else "page"
            self.metrics.fetch_duration.labels(kind).observe(time.monotonic() - began)
