"""Fan-out: new articles to many private chats through `digestbot run` and the fake Bot API.

The bot runs as in production, a `digestbot run` process, against the fake Bot API in a process
of its own with Telegram's flood limits enforced, and a local feed server in this one. Its
database is seeded with a topic, a feed polled once before, and the subscribers. Once the bot
is up and has polled the feed (no entries), the feed gets new entries; the next poll pushes them
to every subscriber.

(a) paid broadcast at 1,000/s, one article: achieved rate as a fraction of the limit (messages
    over the time from the first send to the last), 429s, CPU s of the bot per 1,000 messages
    (from /proc: the poll, the fan-out and every send) and its peak resident memory (VmHWM);
(b) 30/s without paid broadcast, for --seconds after the first send: rate and 429s;
(c) 30/s again, with --slow of the chats (10 %) answering only after 2-5 s (the message posted
    at once, its answer late): the rate all chats get, and the rate of the others;
(d) a burst of --burst articles (20) in one poll at 1,000/s: one combined message per chat;
    rate, and the bot's peak memory;
in each: the largest count of pushes in any one-second window (as the fake records them: the
limit is Telegram's in any second), and the latency from the feed request that returned the new
entries to the first push.

The bot runs at a lower CPU priority (nice BOT_NICENESS) than the fake. The fake stands in for
Telegram's servers, which do not share the bot's CPU; on a machine of two cores, the bot's two
busy threads otherwise starved the fake for tens of milliseconds at a time, and the fake then
stamped the sends that had waited for it together: with the bot sending at most 985 in any
second, the fake counted up to 1,004 in one second, in about one burst run in ten.

Usage: python -m bench fanout [--subscribers 10000] [--seconds 30] [--slow 0.1] [--burst 20]
[--only paid|free|slow|burst ...].
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Final

from bot.adapters.store import Store
from bot.core.pacing import FREE_RATE, PAID_RATE
from tests.fakes.feedserver import FeedServer, RecordedRequest, Route

DIGESTBOT: Final = str(Path(sys.executable).parent / "digestbot")
BOT_NICENESS: Final = 10  # the bot's CPU priority below the fake's (see above)
FIRST_CHAT: Final = 100_000
STAMP: Final = "2026-05-01T12:00:00.000000+00:00"
SERVER_START_SECONDS: Final = 60
BOT_START_SECONDS: Final = 60
LOOK_EVERY: Final = 0.1  # seconds between looks at the fake's count of pushes
MIN_RATE_FRACTION: Final = 0.97  # of the limit, at 30/s and 1,000/s
MIN_BURST_FRACTION: Final = 0.95  # of the limit, for the burst of articles
MIN_SLOW_FRACTION: Final = 0.9  # of the limit, with 10 % of the chats answering slowly
MAX_PEAK_MB: Final = 150.0
CASES: Final = ("paid", "free", "slow", "burst")  # (a) to (d), for --only
SLOW_ANSWER: Final = (2.0, 4.9)  # seconds a slow chat's answer takes (the read timeout is 5 s)
# Longer than DIGESTBOT_FULLTEXT_MIN_CHARS (400), so no article page is fetched: the latency
# is the poll, the summary, the fan-out and the dispatcher.
TEXT: Final = " ".join(
    [
        "The council approved the new budget on Tuesday after a long debate.",
        "Spending on schools rises by a tenth, while road repairs are put off for a year.",
        "The mayor said the plan keeps taxes flat for the third year running.",
        "Critics warned that the savings will not last past the next election.",
        "The budget also funds two new libraries and a bus line to the hospital.",
        "A vote on the harbour plan was put off until the spring session.",
    ]
)


# the fake Bot API, in a process of its own


def serve(pipe: Connection, slow: dict[int, float]) -> None:
    """In the child: the fake Bot API with Telegram's limits, answering the parent's questions.

    Each accepted push to a subscriber is stamped with time.monotonic() (one clock for every
    process on the machine) as the fake records it; the fake's calls carry no time of their own.
    The `slow` chats have their messages posted at once and answered that many seconds later.
    """
    from tests.fakes.botapi import BotApiServer, Call

    # The fake keeps every call it answers: the collector's full passes over them would stall
    # it for tens of milliseconds, bunching its stamps (Telegram does not pause to collect).
    gc.disable()
    with BotApiServer() as server:
        server.enforce_limits()
        for chat_id, seconds in slow.items():
            server.delay_answers(chat_id, seconds)
        stamps: list[tuple[float, int]] = []
        state = server._state
        record = state.record

        def stamped(call: Call) -> None:
            if call.method == "sendMessage" and call.ok:
                chat = call.params.get("chat_id")
                if isinstance(chat, int) and chat >= FIRST_CHAT:
                    stamps.append((time.monotonic(), chat))
            record(call)

        state.record = stamped  # type: ignore[method-assign]
        pipe.send((server.url, server.token))
        while (question := pipe.recv()) != "stop":
            with state.lock:
                answer = (
                    (len(stamps), server.flood_refusals(), server.is_polling)
                    if question == "count"
                    else list(stamps)
                )
            pipe.send(answer)


@dataclass
class FakeApi:
    """The parent's end of the fake Bot API."""

    url: str
    token: str
    pipe: Connection

    def count(self) -> tuple[int, int, bool]:
        """Pushes accepted so far, 429s sent, and whether the bot long-polls for updates."""
        self.pipe.send("count")
        sent, refusals, polling = self.pipe.recv()
        return int(sent), int(refusals), bool(polling)

    def stamps(self) -> list[tuple[float, int]]:
        """When each accepted push was recorded, on time.monotonic(), and its chat."""
        self.pipe.send("stamps")
        return [(float(at), int(chat)) for at, chat in self.pipe.recv()]


@contextmanager
def fake_bot_api(slow: dict[int, float] | None = None) -> Iterator[FakeApi]:
    """A fresh fake Bot API in a child process for the with block; `slow` chats answer late."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(
        target=serve, args=(child, slow or {}), name="fake-botapi", daemon=True
    )
    server.start()
    try:
        if not parent.poll(SERVER_START_SECONDS):
            raise RuntimeError("the fake Bot API did not start")
        url, token = parent.recv()
        yield FakeApi(url, token, parent)
    finally:
        parent.send("stop")
        server.join(timeout=30)
        if server.is_alive():
            server.terminate()


# the feed


class StampedFeedServer(FeedServer):
    """The local feed server, noting when each request came and what route answered it."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: list[tuple[float, str, Route | None]] = []

    def _begin(self, request: RecordedRequest) -> Route | None:
        route = super()._begin(request)
        self.answered.append((time.monotonic(), request.path, route))
        return route

    def first_answer(self, path: str, body: bytes) -> float | None:
        """When a request for path was first answered with body, if it was."""
        return next(
            (at for at, p, r in list(self.answered) if p == path and r and r.body == body), None
        )


def rss(feeds: FeedServer, path: str, *, news: int) -> bytes:
    """The feed: no entries at first, then `news` new entries."""
    items = "".join(
        f"<item><guid>{path}/budget-{n}</guid><title>Council passes budget {n}</title>"
        f"<link>{feeds.url(f'{path}/budget-{n}.html')}</link>"
        f"<description>{TEXT}</description></item>"
        for n in range(news)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>City news</title><link>{feeds.url(path)}</link>{items}</channel></rss>"
    ).encode()


def seed(database: Path, feed_url: str, subscribers: int) -> None:
    """A topic, its feed (polled before, so its next entry is news) and the subscribers."""
    asyncio.run(_migrate(database))
    chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO topics (slug, name, created_at) VALUES ('city', 'City', ?)", (STAMP,)
        )
        db.execute(
            "INSERT INTO feeds (topic_id, url, last_polled_at, last_success_at, created_at) "
            "VALUES (1, ?, ?, ?, ?)",
            (feed_url, STAMP, STAMP, STAMP),
        )
        db.executemany(
            "INSERT INTO chats (id, kind, created_at) VALUES (?, 'private', ?)",
            [(chat, STAMP) for chat in chats],
        )
        db.executemany(
            "INSERT INTO subscriptions (chat_id, topic_id, created_at) VALUES (?, 1, ?)",
            [(chat, STAMP) for chat in chats],
        )


async def _migrate(database: Path) -> None:
    store = await Store.open(database)
    await store.close()


# the bot process


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stolen_seconds() -> float:
    """CPU time the hypervisor gave other machines so far (steal in /proc/stat), all CPUs."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")


def peak_memory_mb(pid: int) -> float:
    """The peak resident memory of a process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def start_bot(
    api: FakeApi, workdir: Path, database: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """`digestbot run` against the fake, its log in workdir/bot.log."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    environ |= {
        "DIGESTBOT_TOKEN": api.token,
        "DIGESTBOT_BOT_API_URL": api.url,
        "DIGESTBOT_DATABASE": str(database),
        "DIGESTBOT_ALLOW_PRIVATE_URLS": "1",
        "DIGESTBOT_POLL_INTERVAL": "1",
        "DIGESTBOT_LOG_LEVEL": "WARNING",
    } | env
    with (workdir / "bot.log").open("wb") as log:
        return subprocess.Popen(
            # nice execs the bot in its own process: bot.pid is the bot's.
            ["nice", "-n", str(BOT_NICENESS), DIGESTBOT, "run"],
            cwd=workdir,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@dataclass(frozen=True)
class Run:
    """What one fan-out did."""

    subscribers: int
    limit: float
    stamps: list[tuple[float, int]]  # when each push was accepted, in order, and its chat
    refusals: int
    latency: float | None  # s from the feed answer with the entry to the first push
    cpu: float  # CPU s of the bot from the feed change to the end
    stolen: float  # CPU s the host took from this machine meanwhile: other load skews figures
    peak_mb: float
    log: str

    @property
    def sent(self) -> int:
        """Pushes accepted."""
        return len(self.stamps)

    @property
    def seconds(self) -> float:
        """From the first push to the last."""
        return self.stamps[-1][0] - self.stamps[0][0] if len(self.stamps) > 1 else 0.0

    @property
    def fraction(self) -> float:
        """The achieved rate as a fraction of the limit: messages / (last - first) / limit."""
        return self.sent / self.seconds / self.limit if self.seconds else 0.0

    def fraction_without(self, chats: Collection[int]) -> float:
        """As `fraction`, counting only the pushes to other chats (over the same time)."""
        others = sum(1 for _, chat in self.stamps if chat not in chats)
        return others / self.seconds / self.limit if self.seconds else 0.0

    @property
    def busiest_second(self) -> int:
        """The most pushes in any one-second window [t, t + 1)."""
        times = [at for at, _ in self.stamps]
        most, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= 1.0:
                first += 1
            most = max(most, last - first + 1)
        return most


def fan_out(
    feeds: StampedFeedServer,
    name: str,
    subscribers: int,
    limit: float,
    env: dict[str, str],
    seconds: float | None,
    *,
    articles: int = 1,
    slow: dict[int, float] | None = None,
) -> Run:
    """Push new entries to every subscriber (or for `seconds` after the first push)."""
    path = f"/fanout/{name}.xml"
    empty, news = rss(feeds, path, news=0), rss(feeds, path, news=articles)
    feeds.route(path, body=empty, conditional=True)
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-fanout-{name}-") as tmp,
        fake_bot_api(slow) as api,
    ):
        workdir = Path(tmp)
        database = workdir / "bot.sqlite3"
        seed(database, feeds.url(path), subscribers)
        bot = start_bot(api, workdir, database, env)
        try:
            # Up: long-polling for updates, and the feed polled twice (the second a 304).
            deadline = time.monotonic() + BOT_START_SECONDS
            while not (api.count()[2] and len(feeds.requests(path)) >= 2):
                if bot.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"digestbot did not start:\n{_read_log(workdir)}")
                time.sleep(LOOK_EVERY)
            cpu_before, stolen_before = cpu_seconds(bot.pid), stolen_seconds()
            feeds.route(path, body=news, conditional=True)
            budget = seconds if seconds is not None else subscribers / limit * 3 + 60
            deadline = time.monotonic() + BOT_START_SECONDS + budget
            first: float | None = None
            while time.monotonic() < deadline and bot.poll() is None:
                sent, _, _ = api.count()
                if sent and first is None:
                    first = time.monotonic()
                if sent >= subscribers or (
                    first is not None
                    and seconds is not None
                    and time.monotonic() - first >= seconds
                ):
                    break
                time.sleep(LOOK_EVERY)
            cpu, stolen = cpu_seconds(bot.pid) - cpu_before, stolen_seconds() - stolen_before
            peak = peak_memory_mb(bot.pid)
            stamps = api.stamps()
            _, refusals, _ = api.count()
        finally:
            if bot.poll() is None:
                bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
                bot.wait()
        answered = feeds.first_answer(path, news)
        latency = stamps[0][0] - answered if stamps and answered is not None else None
        log = _read_log(workdir)
        return Run(subscribers, limit, stamps, refusals, latency, cpu, stolen, peak, log)


def _read_log(workdir: Path) -> str:
    return (workdir / "bot.log").read_text(encoding="utf-8", errors="replace")


# the report


def verdict(ok: bool) -> str:
    """PASS or MISS against a target."""
    return "PASS" if ok else "MISS"


def report(
    paid: Run | None,
    free: Run | None,
    slowed: Run | None,
    slow: Collection[int],
    burst: Run | None,
) -> list[str]:
    """The table: each figure, its target and whether it was met (for the runs made)."""
    rows: list[tuple[str, str, str, str]] = []
    runs = (
        ("(a) paid 1,000/s", paid, MIN_RATE_FRACTION),
        ("(b) free 30/s", free, MIN_RATE_FRACTION),
        ("(c) 30/s, slow chats", slowed, MIN_SLOW_FRACTION),
        ("(d) burst, 1,000/s", burst, MIN_BURST_FRACTION),
    )
    for label, run, target in runs:
        if run is None:
            continue
        rows.append(
            (
                f"{label}  rate",
                f"{run.fraction:.3f} of limit ({run.sent:,} sent in {run.seconds:.1f} s)",
                "" if target is None else f">= {target}",
                "" if target is None else verdict(run.fraction >= target),
            )
        )
        if run is slowed:
            others = run.fraction_without(slow)
            share = 1 - (run.fraction - others) / run.fraction if run.fraction else 0.0
            rows.append(
                (
                    f"{label}  rate of the others",
                    f"{others:.3f} of limit ({others / share:.3f} of their share)"
                    if share
                    else "n/a",
                    "",
                    "",
                )
            )
        rows.append(
            (
                f"{label}  busiest second",
                f"{run.busiest_second:,} pushes",
                f"<= {run.limit:,.0f}",
                verdict(run.busiest_second <= run.limit),
            )
        )
        rows.append((f"{label}  429s", f"{run.refusals}", "0", verdict(run.refusals == 0)))
    if paid is not None:
        per_1000 = paid.cpu / paid.sent * 1000 if paid.sent else 0.0
        rows.append(("(a) bot CPU", f"{per_1000:.2f} s per 1,000 messages", "", ""))
        rows.append(("(a) CPU stolen by the host", f"{paid.stolen:.1f} s during the run", "", ""))
    if burst is not None:
        per_1000 = burst.cpu / burst.sent * 1000 if burst.sent else 0.0
        rows.append(("(d) bot CPU", f"{per_1000:.2f} s per 1,000 messages", "", ""))
        rows.append(("(d) CPU stolen by the host", f"{burst.stolen:.1f} s during the run", "", ""))
    for label, run in (("(a) bot peak memory", paid), ("(d) bot peak memory", burst)):
        if run is None:
            continue
        rows.append(
            (
                label,
                f"{run.peak_mb:.0f} MB (VmHWM)",
                f"<= {MAX_PEAK_MB:.0f} MB",
                verdict(run.peak_mb <= MAX_PEAK_MB),
            )
        )
    for label, run in (
        ("(e) poll -> first push, paid", paid),
        ("(e) poll -> first push, free", free),
    ):
        if run is None:
            continue
        shown = "n/a" if run.latency is None else f"{run.latency * 1000:.0f} ms"
        rows.append((label, shown, "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        f"  {a:{widths[0]}}  {b:{widths[1]}}  {c:{widths[2]}}  {d}".rstrip() for a, b, c, d in rows
    ]


def slow_chats(subscribers: int, share: float) -> dict[int, float]:
    """Every chat among the subscribers whose answers come late, and how late: `share` of them."""
    pick = random.Random(13)
    chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
    return {chat: round(pick.uniform(*SLOW_ANSWER), 2) for chat in chats if pick.random() < share}


def main(argv: list[str] | None = None) -> int:
    """Run (a) to (e) and print the table; 1 if a run did not push at all."""
    parser = argparse.ArgumentParser(prog="bench.fanout", description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=30.0, help="of each 30/s run")
    parser.add_argument("--slow", type=float, default=0.1, help="share of chats answering late")
    parser.add_argument("--burst", type=int, default=20, help="articles in the burst")
    parser.add_argument(
        "--only",
        action="append",
        choices=CASES,
        help="run only this case (repeatable); all four by default",
    )
    args = parser.parse_args(argv)
    cases = set(args.only or CASES)

    paid_env = {"DIGESTBOT_MAX_RATE": str(int(PAID_RATE)), "DIGESTBOT_PAID_BROADCAST": "1"}
    free_env = {"DIGESTBOT_MAX_RATE": str(int(FREE_RATE))}
    slow = slow_chats(args.subscribers, args.slow)
    paid = free = slowed = burst = None
    with StampedFeedServer() as feeds:
        if "paid" in cases:
            paid = fan_out(feeds, "paid", args.subscribers, PAID_RATE, paid_env, None)
        if "free" in cases:
            free = fan_out(feeds, "free", args.subscribers, FREE_RATE, free_env, args.seconds)
        if "slow" in cases:
            slowed = fan_out(
                feeds, "slow", args.subscribers, FREE_RATE, free_env, args.seconds, slow=slow
            )
        if "burst" in cases:
            burst = fan_out(
                feeds, "burst", args.subscribers, PAID_RATE, paid_env, None, articles=args.burst
            )
    print(
        f"fan-out to {args.subscribers:,} private chats; `digestbot run` vs the fake Bot API "
        f"(own process, Telegram's limits enforced); (c) {len(slow):,} slow chats; "
        f"(d) {args.burst} articles in one poll"
    )
    for line in report(paid, free, slowed, slow, burst):
        print(line)
    made = [run for run in (paid, free, slowed, burst) if run is not None]
    for run in made:
        if "Traceback" in run.log:
            print(f"the bot logged a traceback:\n{run.log[-4000:]}")
    return 0 if all(run.sent for run in made) else 1


if __name__ == "__main__":
    raise SystemExit(main())
