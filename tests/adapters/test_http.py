"""Fetcher against a real local HTTP server: validators, limits, redirects, errors, bounds."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

import bot
from bot.adapters.addresses import IPAddress, is_public_address
from bot.adapters.http import FEED_ACCEPT, Fetcher, parse_max_age, parse_retry_after
from bot.core.models import FetchResult
from bot.errors import FetchFailure
from tests.fakes.feedserver import FeedServer

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.fixture
def path() -> str:
    """A path no other test uses on the shared server."""
    return f"/t/{uuid.uuid4().hex}"


def every_address(address: IPAddress) -> bool:
    return True


@pytest.fixture(params=["httpx-transport", "checked-transport"])
def local(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Options that reach the local server: httpx's transport, or ours allowing every address."""
    if request.param == "httpx-transport":
        return {"allow_private": True}
    return {"is_allowed_address": every_address}


@pytest.fixture
async def fetcher(local: dict[str, Any]) -> AsyncIterator[Fetcher]:
    async with Fetcher(**local) as fetcher:
        yield fetcher


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_until(condition: Callable[[], bool]) -> None:
    # The condition lives in the server's threads, so it is polled, with a generous deadline.
    async with asyncio.timeout(10.0):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


# Conditional GET


async def test_etag_then_304(feed_server: FeedServer, fetcher: Fetcher, path: str) -> None:
    feed_server.route(path, body=FEED, headers={"Content-Type": "application/rss+xml"},
                      conditional=True)  # fmt: skip
    first = await fetcher.fetch(feed_server.url(path))
    assert first.error is None
    assert (first.status, first.body) == (200, FEED)
    assert first.etag
    assert first.headers["content-type"] == "application/rss+xml"
    assert first.url == feed_server.url(path)

    second = await fetcher.fetch(feed_server.url(path), etag=first.etag)

    assert second.not_modified
    assert second.body == b""
    assert second.etag == first.etag
    assert feed_server.requests(path)[1].headers["if-none-match"] == first.etag


async def test_last_modified_round_trip(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    feed_server.route(path, body=FEED, conditional=True, last_modified=when)
    first = await fetcher.fetch(feed_server.url(path))
    assert first.modified == format_datetime(when, usegmt=True)

    second = await fetcher.fetch(feed_server.url(path), modified=first.modified)

    assert second.not_modified
    assert second.modified == first.modified
    sent = feed_server.requests(path)[1].headers
    assert sent["if-modified-since"] == first.modified
    assert "if-none-match" not in sent


async def test_304_keeps_the_given_validators(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    feed_server.route(path, status=304)
    result = await fetcher.fetch(feed_server.url(path), etag='"v1"', modified="Wed, 01 May 2024")
    assert result.not_modified
    assert (result.etag, result.modified) == ('"v1"', "Wed, 01 May 2024")


async def test_an_updated_feed_is_fetched_again(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    feed_server.route(path, body=FEED, conditional=True)
    first = await fetcher.fetch(feed_server.url(path))
    feed_server.route(path, body=FEED + b"<!-- new -->", conditional=True)

    second = await fetcher.fetch(feed_server.url(path), etag=first.etag)

    assert second.status == 200
    assert second.body.endswith(b"<!-- new -->")
    assert second.etag not in (None, first.etag)


async def test_files_are_served_with_validators(fetcher: Fetcher, tmp_path: Path) -> None:
    (tmp_path / "feed.rss").write_bytes(FEED)
    with FeedServer(tmp_path) as server:
        first = await fetcher.fetch(server.url("/feed.rss"))
        again = await fetcher.fetch(server.url("/feed.rss"), etag=first.etag)
        missing = await fetcher.fetch(server.url("/nope.rss"))
    assert (first.status, first.body) == (200, FEED)
    assert first.headers["content-type"] == "application/rss+xml"
    assert first.modified
    assert again.not_modified
    assert missing.status == 404


async def test_cache_control_max_age(feed_server: FeedServer, fetcher: Fetcher, path: str) -> None:
    feed_server.route(path, body=FEED, headers={"Cache-Control": "public, max-age=600"})
    result = await fetcher.fetch(feed_server.url(path))
    assert result.max_age == timedelta(seconds=600)


async def test_request_names_digestbot_and_asks_for_feeds(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    feed_server.route(path, body=FEED)
    await fetcher.fetch(feed_server.url(path))
    (request,) = feed_server.requests(path)
    assert request.headers["user-agent"].startswith(f"digestbot/{bot.__version__}")
    assert request.headers["accept"] == FEED_ACCEPT
    assert "application/rss+xml" in FEED_ACCEPT


# Redirects


async def test_redirects_are_followed(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    feed_server.route(path + "/a", redirect_to=feed_server.url(path + "/b"), status=301)
    feed_server.route(path + "/b", redirect_to="c")  # relative to /b
    feed_server.route(path + "/c", body=FEED)

    result = await fetcher.fetch(feed_server.url(path + "/a"))

    assert (result.status, result.body, result.error) == (200, FEED, None)
    assert result.url == feed_server.url(path + "/c")


@pytest.mark.parametrize(("hops", "kind"), [(3, None), (4, FetchFailure.TOO_MANY_REDIRECTS)])
async def test_redirect_limit(
    feed_server: FeedServer, path: str, hops: int, kind: FetchFailure | None, local: dict[str, Any]
) -> None:
    for hop in range(hops):
        feed_server.route(f"{path}/{hop}", redirect_to=feed_server.url(f"{path}/{hop + 1}"))
    feed_server.route(f"{path}/{hops}", body=FEED)
    async with Fetcher(**local, max_redirects=3) as fetcher:
        result = await fetcher.fetch(feed_server.url(f"{path}/0"))
    assert (result.error.kind if result.error else None) == kind


async def test_redirect_loop(feed_server: FeedServer, fetcher: Fetcher, path: str) -> None:
    feed_server.route(path + "/a", redirect_to=path + "/b")
    feed_server.route(path + "/b", redirect_to=path + "/a")
    result = await fetcher.fetch(feed_server.url(path + "/a"))
    assert result.error is not None
    assert result.error.kind is FetchFailure.TOO_MANY_REDIRECTS
    assert len(feed_server.requests(path + "/a")) + len(feed_server.requests(path + "/b")) == 6


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "javascript:alert(1)"]
)
async def test_redirect_to_another_scheme(
    feed_server: FeedServer, fetcher: Fetcher, path: str, location: str
) -> None:
    feed_server.route(path, redirect_to=location)
    result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert result.error.kind is FetchFailure.BAD_URL


async def test_redirect_without_location(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    feed_server.route(path, status=302)
    result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert result.error.kind is FetchFailure.PROTOCOL


@pytest.mark.parametrize(
    "url",
    ["not a url", "ftp://example.com/feed", "http://", "http://exa mple.com/", "http://a..b/",
     "http://example.com:99999/", "/relative/feed.xml", ""],
)  # fmt: skip
async def test_bad_url(fetcher: Fetcher, url: str) -> None:
    result = await fetcher.fetch(url)
    assert result.error is not None
    assert result.error.kind is FetchFailure.BAD_URL
    assert "\n" not in str(result.error)


# Size and time limits


async def test_body_over_the_cap_with_content_length(
    feed_server: FeedServer, path: str, local: dict[str, Any]
) -> None:
    feed_server.route(path, body=b"x" * 1001)
    async with Fetcher(**local, max_bytes=1000) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert result.error.kind is FetchFailure.TOO_LARGE


async def test_body_at_the_cap_is_accepted(
    feed_server: FeedServer, path: str, local: dict[str, Any]
) -> None:
    feed_server.route(path, chunks=[b"x" * 500, b"y" * 500])
    async with Fetcher(**local, max_bytes=1000) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.error is None
    assert len(result.body) == 1000


async def test_body_over_the_cap_without_content_length(
    feed_server: FeedServer, path: str, local: dict[str, Any]
) -> None:
    feed_server.route(path, chunks=[b"x" * 400] * 3)  # chunked: no Content-Length
    async with Fetcher(**local, max_bytes=1000) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert "content-length" not in result.headers
    assert result.error is not None
    assert result.error.kind is FetchFailure.TOO_LARGE


async def test_declared_length_is_refused_before_reading(
    feed_server: FeedServer, path: str, local: dict[str, Any]
) -> None:
    # The body would trickle for a minute: only an early refusal beats the deadline.
    feed_server.route(
        path, headers={"Content-Length": "10000000"}, chunks=[b"x"] * 60, delay_per_chunk=1.0
    )
    async with Fetcher(**local, max_bytes=1000, deadline=20) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert result.error.kind is FetchFailure.TOO_LARGE


async def test_gzip_body_is_decompressed(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    feed_server.route(path, body=FEED, gzip=True)
    result = await fetcher.fetch(feed_server.url(path))
    assert result.error is None
    assert result.headers["content-encoding"] == "gzip"
    assert result.body == FEED


async def test_gzip_bomb(feed_server: FeedServer, path: str, local: dict[str, Any]) -> None:
    inflated = b"\0" * (16 * 1024 * 1024)
    assert len(gzip.compress(inflated)) < 64 * 1024  # passes the Content-Length check
    feed_server.route(path, body=inflated, gzip=True)
    async with Fetcher(**local, max_bytes=1024 * 1024) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert result.error.kind is FetchFailure.TOO_LARGE


async def test_corrupt_gzip_is_a_protocol_error(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    feed_server.route(path, body=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert result.error.kind is FetchFailure.PROTOCOL


async def test_trickling_body_is_cut_at_the_deadline(
    feed_server: FeedServer, path: str, local: dict[str, Any]
) -> None:
    # Each byte arrives well within the read timeout; only the total deadline can stop it.
    feed_server.route(path, chunks=[b"x"] * 30, delay_per_chunk=0.3)
    async with Fetcher(**local, deadline=1.0, read_timeout=20.0) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert result.error.kind is FetchFailure.TIMEOUT
    assert result.body == b""


async def test_stalled_body_hits_the_read_timeout(
    feed_server: FeedServer, path: str, local: dict[str, Any]
) -> None:
    feed_server.route(path, chunks=[b"x", b"y"], delay_per_chunk=5.0)
    async with Fetcher(**local, read_timeout=0.5, deadline=30.0) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert result.error.kind is FetchFailure.TIMEOUT
    assert str(result.error).startswith("timed out waiting for ")


async def test_deadline_spans_redirects(
    feed_server: FeedServer, path: str, local: dict[str, Any]
) -> None:
    # Each hop alone fits in the deadline; the three together do not.
    feed_server.route(path + "/a", redirect_to=path + "/b", delay=0.8)
    feed_server.route(path + "/b", redirect_to=path + "/c", delay=0.8)
    feed_server.route(path + "/c", body=FEED, delay=0.8)
    async with Fetcher(**local, deadline=2.0) as fetcher:
        result = await fetcher.fetch(feed_server.url(path + "/a"))
    assert result.error is not None
    assert result.error.kind is FetchFailure.TIMEOUT


# Status codes and network errors


@pytest.mark.parametrize(
    ("status", "message"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
async def test_error_status(
    feed_server: FeedServer, fetcher: Fetcher, path: str, status: int, message: str
) -> None:
    feed_server.route(path, status=status, body=b"oops")
    result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert result.error.kind is FetchFailure.HTTP_STATUS
    assert (result.status, result.error.status, str(result.error)) == (status, status, message)
    assert result.body == b""
    assert result.retry_after is None


async def test_429_retry_after_seconds(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    feed_server.route(path, status=429, headers={"Retry-After": "120"})
    result = await fetcher.fetch(feed_server.url(path))
    assert result.error is not None
    assert (result.error.kind, result.error.status) == (FetchFailure.HTTP_STATUS, 429)
    assert result.retry_after == timedelta(seconds=120)


async def test_503_retry_after_date_is_relative_to_the_date_header(
    feed_server: FeedServer, fetcher: Fetcher, path: str
) -> None:
    sent = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    headers = {
        "Date": format_datetime(sent, usegmt=True),
        "Retry-After": format_datetime(sent + timedelta(minutes=5), usegmt=True),
    }
    feed_server.route(path, status=503, headers=headers)
    result = await fetcher.fetch(feed_server.url(path))
    assert result.status == 503
    assert result.retry_after == timedelta(minutes=5)


async def test_refused_connection(fetcher: Fetcher) -> None:
    result = await fetcher.fetch(f"http://127.0.0.1:{closed_port()}/feed.xml")
    assert result.error is not None
    assert result.error.kind is FetchFailure.CONNECT
    assert "refused" in str(result.error)


@pytest.mark.parametrize("allow_private", [True, False])
async def test_unknown_host(allow_private: bool) -> None:
    # .invalid never resolves (RFC 6761); the system resolver says so at once, even offline.
    async with Fetcher(allow_private=allow_private, deadline=20) as fetcher:
        result = await fetcher.fetch("http://nonexistent.invalid/feed.xml")
    assert result.error is not None
    assert result.error.kind is FetchFailure.DNS


# Address check


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_loopback_is_refused(feed_server: FeedServer, path: str, host: str) -> None:
    feed_server.route(path, body=FEED)
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(f"http://{host}:{feed_server.port}{path}")
    assert result.error is not None
    assert result.error.kind is FetchFailure.PRIVATE_ADDRESS
    assert feed_server.requests(path) == []


def only_the_test_server_is_public(address: IPAddress) -> bool:
    return address == ipaddress.ip_address("127.0.0.1") or is_public_address(address)


@pytest.mark.parametrize(
    "target", ["127.0.0.2", "[::1]", "169.254.169.254", "10.0.0.1", "[fd00:ec2::254]", "0.0.0.0"]
)
async def test_redirect_to_a_private_address_is_refused(
    feed_server: FeedServer, path: str, target: str
) -> None:
    # 127.0.0.1 passes as public here, so the refusal can only come from the redirect's check;
    # without it, 127.0.0.2 (nothing listens) would fail with CONNECT instead.
    feed_server.route(path, redirect_to=f"http://{target}:{feed_server.port}/feed.xml")
    async with Fetcher(is_allowed_address=only_the_test_server_is_public) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert len(feed_server.requests(path)) == 1
    assert result.error is not None
    assert result.error.kind is FetchFailure.PRIVATE_ADDRESS
    assert result.url == f"http://{target}:{feed_server.port}/feed.xml"


class Resolver:
    """A DNS server for tests: each name's answers in turn, the last one repeated."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        turns = self.answers[host]
        answer = turns[min(len(self.asked) - 1, len(turns) - 1)]
        return [ipaddress.ip_address(a) for a in answer]


async def test_a_host_is_connected_to_at_the_address_checked(
    feed_server: FeedServer, path: str
) -> None:
    # A rebinding DNS server: a public answer for the check, a private one for the connection.
    # Asked once, the check's answer is the one connected to; the system resolver, which does
    # not know the name, is never asked.
    feed_server.route(path, body=FEED)
    dns = Resolver({"feeds.rebind.test": [["127.0.0.1"], ["127.0.0.2"]]})
    async with Fetcher(is_allowed_address=only_the_test_server_is_public, resolver=dns) as fetcher:
        result = await fetcher.fetch(f"http://feeds.rebind.test:{feed_server.port}{path}")
    assert result.error is None
    assert result.body == FEED
    assert dns.asked == ["feeds.rebind.test"]
    (request,) = feed_server.requests(path)
    assert request.headers["host"] == f"feeds.rebind.test:{feed_server.port}"


async def test_a_host_with_any_private_address_is_refused(
    feed_server: FeedServer, path: str
) -> None:
    feed_server.route(path, body=FEED)
    dns = Resolver({"mixed.test": [["127.0.0.1", "10.0.0.1"]]})
    async with Fetcher(is_allowed_address=only_the_test_server_is_public, resolver=dns) as fetcher:
        result = await fetcher.fetch(f"http://mixed.test:{feed_server.port}{path}")
    assert result.error is not None
    assert result.error.kind is FetchFailure.PRIVATE_ADDRESS
    assert str(result.error).endswith(
        "10.0.0.1 is not a public address "
        "(DIGESTBOT_ALLOW_PRIVATE_URLS=1 allows private and local ones)"
    )
    assert feed_server.requests(path) == []


async def test_the_next_address_is_tried_when_one_refuses(
    feed_server: FeedServer, path: str
) -> None:
    # Nothing listens on 127.0.0.3 (the server is bound to 127.0.0.1).
    feed_server.route(path, body=FEED)
    dns = Resolver({"two.test": [["127.0.0.3", "127.0.0.1"]]})
    async with Fetcher(is_allowed_address=lambda _: True, resolver=dns) as fetcher:
        result = await fetcher.fetch(f"http://two.test:{feed_server.port}{path}")
    assert result.error is None
    assert result.body == FEED


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("169.254.1.1", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("fd00:ec2::254", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:93.184.215.14", True),
        ("100.64.0.1", False),  # shared (carrier-grade NAT) space
        ("100.100.100.200", False),  # a cloud's metadata service, in the shared space
        ("fec0::1", False),  # site-local
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("2002:a00:1::", False),  # 6to4 around 10.0.0.1
        ("2002:5db8:d70e::", True),  # 6to4 around 93.184.215.14
        ("192.0.2.1", False),  # documentation
        ("198.18.0.1", False),  # benchmarking
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


# Header parsing


NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 0 ", timedelta(0)),
        ("Wed, 01 May 2024 12:10:00 GMT", timedelta(minutes=10)),
        ("Wed, 01 May 2024 11:00:00 GMT", timedelta(0)),
        ("Wed, 01 May 2024 12:01:00 -0000", timedelta(minutes=1)),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(value, NOW) == expected


async def test_retry_after_uses_the_clock_without_a_date_header(
    feed_server: FeedServer, path: str
) -> None:
    # The server always sends Date, so a garbled one stands in for a missing one.
    headers = {"Date": "garbled", "Retry-After": "Wed, 01 May 2024 12:02:00 GMT"}
    feed_server.route(path, status=429, headers=headers)
    async with Fetcher(allow_private=True, now=lambda: NOW) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.retry_after == timedelta(minutes=2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("max-age=60", timedelta(seconds=60)),
        ("public, MAX-AGE = 3600, must-revalidate", timedelta(hours=1)),
        ('max-age="30"', timedelta(seconds=30)),
        ("s-maxage=60", None),
        ("max-age=-1", None),
        ("no-cache", None),
        (None, None),
    ],
)
def test_parse_max_age(value: str | None, expected: timedelta | None) -> None:
    assert parse_max_age(value) == expected


# Concurrency bounds


async def fetch_many_while_held(
    feed_server: FeedServer, fetcher: Fetcher, path: str, count: int, expected_peak: int
) -> list[FetchResult]:
    hold = threading.Event()
    feed_server.route(path, body=FEED, hold=hold)
    tasks: list[asyncio.Task[FetchResult]] = [
        asyncio.create_task(fetcher.fetch(feed_server.url(path))) for _ in range(count)
    ]
    try:
        await wait_until(lambda: feed_server.in_flight(path) >= expected_peak)
        # Give any request that slipped past the bound time to reach the server.
        await asyncio.sleep(0.3)
    finally:
        hold.set()
    return await asyncio.gather(*tasks)


@pytest.mark.parametrize(
    ("options", "peak"),
    [({"max_per_host": 2}, 2), ({"max_in_flight": 1, "max_per_host": 4}, 1)],
    ids=["per-host", "in-flight"],
)
async def test_concurrency_is_bounded(
    feed_server: FeedServer, path: str, options: dict[str, Any], peak: int, local: dict[str, Any]
) -> None:
    async with Fetcher(**local, **options) as fetcher:
        results = await fetch_many_while_held(feed_server, fetcher, path, 6, peak)
    assert [r.status for r in results] == [200] * 6
    assert feed_server.peak_in_flight(path) == peak


async def test_using_a_closed_fetcher_is_a_programming_error() -> None:
    fetcher = Fetcher(allow_private=True)
    await fetcher.aclose()
    with pytest.raises(RuntimeError):
        await fetcher.fetch(f"http://127.0.0.1:{closed_port()}/")
