"""digestbot's Prometheus metrics, in a registry of their own (tests run several bots).

Counters move where things happen (the poll job, the fetcher, the error handler, the
dispatcher through `delivery_events.DeliveryEvents`); the gauges (the outbox, chats, feeds, the
Bot API) are read from the store at each scrape. Labels take a few fixed values each: never a
chat id, a feed URL or an error text.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from bot.adapters.delivery_events import Reason, Why
from bot.adapters.http import FEED_ACCEPT, Fetcher
from bot.adapters.store import Claimed, Store
from bot.core.condense import Method
from bot.core.delivery import FailureKind
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
# Seconds from a push's row, written at poll time, to Telegram's answer: a fan-out takes
# seconds to minutes, a 429 or an outage minutes, quiet hours up to a night.
LATENCY_BUCKETS: Final = (
    1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0,
    43200.0, 86400.0,
)  # fmt: skip
# The languages a digest is counted under; any other is "other".
DIGEST_LANGUAGES: Final = ("ja", "en")
# The reasons each push outcome is counted under (labels present from the start).
RETRY_REASONS: Final = (*FailureKind, Reason.ERROR)
FAIL_REASONS: Final = (*FailureKind, Reason.CHAT_GONE, Reason.ARTICLE_GONE)
CANCEL_REASONS: Final = (Reason.CHAT_GONE, Reason.INACTIVE, Reason.PAUSED)
UNCONFIRMED_REASONS: Final = tuple(FailureKind)
DEFER_REASONS: Final = (Reason.QUIET_HOURS,)


class Metrics:
    """Every digestbot_* metric of one bot."""

    def __init__(self) -> None:
        """All metrics at zero, each label value present from the start."""
        # No *_created series beside each counter and histogram: when the process made them
        # says nothing an operator needs. The setting is prometheus_client's, for the process.
        disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus_client
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
            "Articles condensed into a digest, by language (ja, en, other) and method: the "
            "publisher's own structure or the summarizer.",
            ["language", "method"],
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
        self._delivery_metrics(registry)
        for outcome in POLL_OUTCOMES.values():
            self.feed_polls.labels(outcome)
        for kind in ("feed", "page"):
            self.fetch_duration.labels(kind)
        for source in ("update", "job"):
            self.update_errors.labels(source)
        for language in (*DIGEST_LANGUAGES, "other"):
            for method in Method:
                self.digests.labels(language, method.value)

    def _delivery_metrics(self, registry: CollectorRegistry) -> None:
        """The dispatcher's metrics, moved by the `DeliveryEvents` calls below."""
        self.pushes_sent = Counter(
            "digestbot_pushes_sent",
            "Outbox rows Telegram took (a daily digest is one message of several rows).",
            registry=registry,
        )
        self.messages_sent = Counter(
            "digestbot_messages_sent",
            "Messages the dispatcher sent: rate() of it is the achieved send rate.",
            registry=registry,
        )
        self.delivery_latency = Histogram(
            "digestbot_delivery_latency_seconds",
            "Seconds from a push's row, written when its feed was polled, to Telegram's answer.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.flood_waits = Counter(
            "digestbot_flood_waits",
            "429 answers (Too Many Requests) to the dispatcher's sends.",
            registry=registry,
        )
        self.flood_wait_seconds = Counter(
            "digestbot_flood_wait_seconds",
            "Seconds the 429 answers asked the dispatcher to wait, added up.",
            registry=registry,
        )
        outcomes = (
            ("retried", "sent again after a failed send", RETRY_REASONS),
            ("failed", "given up", FAIL_REASONS),
            ("cancelled", "cancelled: the chat is gone, inactive or paused", CANCEL_REASONS),
            ("unconfirmed", "timed out twice: maybe delivered, not resent", UNCONFIRMED_REASONS),
            ("deferred", "put off without an attempt (quiet hours)", DEFER_REASONS),
        )
        self.pushes: dict[str, Counter] = {}
        # Each outcome's label children, looked up once: counting costs a dict lookup and an inc.
        self._by_reason: dict[str, dict[str, Counter]] = {}
        for outcome, meaning, reasons in outcomes:
            counter = Counter(
                f"digestbot_pushes_{outcome}",
                f"Outbox rows {meaning}, by reason.",
                ["reason"],
                registry=registry,
            )
            self.pushes[outcome] = counter
            self._by_reason[outcome] = {str(r): counter.labels(str(r)) for r in reasons}

    def _count(self, outcome: str, reason: Why, rows: int) -> None:
        children = self._by_reason[outcome]
        child = children.get(reason)
        if child is None:
            # A reason this outcome was not expected to have: still one of the fixed set.
            child = children[reason] = self.pushes[outcome].labels(str(reason))
        child.inc(rows)

    # DeliveryEvents

    def sent(self, claims: Sequence[Claimed], answered_at: datetime) -> None:
        """Count a message Telegram took, and each of its rows' wait since the poll that wrote
        them (a claim's rows share one)."""
        self.messages_sent.inc()
        for claim in claims:
            self.pushes_sent.inc(len(claim.ids))
            waited = max((answered_at - claim.created_at).total_seconds(), 0)
            for _ in claim.ids:
                self.delivery_latency.observe(waited)

    def retried(self, reason: Why, rows: int) -> None:
        """Count rows to be sent again."""
        self._count("retried", reason, rows)

    def flood_wait(self, seconds: float, rows: int) -> None:
        """Count a 429, the wait it asked for, and its rows as retried."""
        self.flood_waits.inc()
        self.flood_wait_seconds.inc(seconds)
        self._count("retried", FailureKind.FLOOD, rows)

    def failed(self, reason: Why, rows: int) -> None:
        """Count rows given up."""
        if rows:
            self._count("failed", reason, rows)

    def cancelled(self, reason: Why, rows: int) -> None:
        """Count rows cancelled."""
        if rows:
            self._count("cancelled", reason, rows)

    def unconfirmed(self, reason: Why, rows: int) -> None:
        """Count rows recorded as maybe delivered."""
        self._count("unconfirmed", reason, rows)

    def deferred(self, reason: Why, rows: int) -> None:
        """Count rows put off."""
        self._count("deferred", reason, rows)

    def count_polls(self, reports: Iterable[PollReport]) -> None:
        """Count one round of feed polls."""
        for report in reports:
            self.feed_polls.labels(POLL_OUTCOMES[report.outcome]).inc()
            self.entries.inc(report.new_entries)
            for (language, method), count in report.condensed.items():
                label = language if language in DIGEST_LANGUAGES else "other"
                self.digests.labels(label, method.value).inc(count)

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
