"""Fetch feeds over HTTP: conditional GET within time, byte and redirect limits, public hosts only.

`Fetcher.fetch` never raises for a network or server problem: it returns a `FetchResult` whose
`error` carries the `FetchFailure` kind and a one-line message.

Hosts are checked where connections are made (`addresses.CheckedTransport`): only public
addresses, and the very addresses checked, unless private ones are allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Final, Self

import httpx

from bot import __version__
from bot.adapters.addresses import (
    CheckedBackend,
    CheckedTransport,
    IPAddress,
    Resolver,
    is_public_address,
    resolve,
)
from bot.core.models import FetchResult
from bot.errors import FetchError, FetchFailure

USER_AGENT: Final = f"digestbot/{__version__} (+https://github.com/digestbot)"
FEED_ACCEPT: Final = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_STATUSES: Final = frozenset({429, 503})
MAX_MESSAGE_CHARS: Final = 200
HOSTNAME: Final = re.compile(r"([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?")
MAX_HOSTNAME_CHARS: Final = 253


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as a delay: delta-seconds, or an HTTP date taken relative to `now`."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    when = _parse_http_date(value)
    if when is None:
        return None
    return max(when - now, timedelta(0))


def parse_max_age(cache_control: str | None) -> timedelta | None:
    """The max-age directive of a Cache-Control header, or None."""
    for directive in (cache_control or "").split(","):
        name, _, value = directive.strip().partition("=")
        value = value.strip().strip('"')
        if name.strip().lower() == "max-age" and value.isdigit():
            return timedelta(seconds=int(value))
    return None


def _parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    # "-0000" parses as naive; HTTP dates are always UTC.
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 1] + "…"


def _reason(exc: BaseException) -> str:
    return _one_line(str(exc)) or type(exc).__name__


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _parse_url(url: str | httpx.URL) -> httpx.URL:
    """An absolute http(s) URL with a host, or a BAD_URL FetchError raised."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(FetchFailure.BAD_URL, f"malformed URL: {_reason(exc)}") from exc
    if parsed.scheme not in ("http", "https"):
        shown = _one_line(str(url))
        raise FetchError(FetchFailure.BAD_URL, f"not an http(s) URL: {shown}")
    if not parsed.host:
        raise FetchError(FetchFailure.BAD_URL, f"URL has no host: {_one_line(str(url))}")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise FetchError(FetchFailure.BAD_URL, f"bad port: {_one_line(str(url))}")
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(parsed.host)
        return parsed
    # httpx percent-encodes what it cannot IDNA-encode; such a name can never resolve.
    name = parsed.raw_host.decode("ascii", "replace")
    if len(name) > MAX_HOSTNAME_CHARS or not HOSTNAME.fullmatch(name):
        raise FetchError(FetchFailure.BAD_URL, f"malformed host name: {_one_line(str(url))}")
    return parsed


def _transport_failure(exc: httpx.HTTPError, host: str) -> FetchError:
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return FetchError(FetchFailure.TIMEOUT, f"timed out connecting to {host}")
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(FetchFailure.TIMEOUT, f"timed out waiting for {host}")
    if isinstance(exc, httpx.ConnectError) and _caused_by(exc, socket.gaierror):
        return FetchError(FetchFailure.DNS, f"cannot resolve host {host}")
    if isinstance(exc, httpx.ConnectError) and _caused_by(exc, ConnectionRefusedError):
        return FetchError(FetchFailure.CONNECT, f"cannot connect to {host}: connection refused")
    if isinstance(exc, httpx.ConnectError):
        return FetchError(FetchFailure.CONNECT, f"cannot connect to {host}: {_reason(exc)}")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError(FetchFailure.BAD_URL, f"unsupported URL: {_reason(exc)}")
    return FetchError(FetchFailure.PROTOCOL, f"bad response from {host}: {_reason(exc)}")


def _status_message(status: int) -> str:
    phrase = httpx.codes.get_reason_phrase(status)
    return f"HTTP {status} {phrase}" if phrase else f"HTTP {status}"


@dataclass
class _HostSlots:
    semaphore: asyncio.Semaphore
    users: int = 0


class Fetcher:
    """One httpx.AsyncClient with the limits a feed poller needs; see `fetch`.

    `allow_private` skips the address check; `is_allowed_address` replaces its rule, and
    `resolver` the system's DNS resolver for it.
    """

    def __init__(
        self,
        *,
        max_bytes: int = 5 * 1024 * 1024,
        connect_timeout: float = 10.0,
        read_timeout: float = 20.0,
        deadline: float = 30.0,
        max_redirects: int = 5,
        max_in_flight: int = 16,
        max_per_host: int = 2,
        allow_private: bool = False,
        user_agent: str = USER_AGENT,
        now: Callable[[], datetime] = _utc_now,
        is_allowed_address: Callable[[IPAddress], bool] = is_public_address,
        resolver: Resolver = resolve,
    ) -> None:
        if max_in_flight < 1 or max_per_host < 1:
            raise ValueError("max_in_flight and max_per_host must be at least 1")
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._max_redirects = max_redirects
        self._max_per_host = max_per_host
        self._now = now
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._hosts: dict[str, _HostSlots] = {}
        limits = httpx.Limits(
            max_connections=max_in_flight, max_keepalive_connections=max_in_flight
        )
        checked = CheckedBackend(is_allowed_address, resolver)
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(
                connect=connect_timeout,
                read=read_timeout,
                write=read_timeout,
                pool=connect_timeout,
            ),
            limits=limits,
            transport=None if allow_private else CheckedTransport(checked, limits),
            follow_redirects=False,
            # Proxies and .netrc from the environment would bypass the address check.
            trust_env=False,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET `url`, following redirects; a 304 keeps the validators; failures are values."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        current = url
        try:
            target = _parse_url(url)
            current = str(target)
            budget = self._deadline
            redirects = 0
            while True:
                answer, budget = await self._hop(target, headers, budget, etag, modified)
                if isinstance(answer, FetchResult):
                    return answer
                if redirects == self._max_redirects:
                    raise FetchError(
                        FetchFailure.TOO_MANY_REDIRECTS,
                        f"more than {self._max_redirects} redirects",
                    )
                redirects += 1
                current = str(answer)
                target = _parse_url(answer)
        except FetchError as error:
            return FetchResult(url=current, error=error)

    async def _hop(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        budget: float,
        etag: str | None,
        modified: str | None,
    ) -> tuple[FetchResult | httpx.URL, float]:
        """One request within the remaining time budget: a result, or where it redirects."""
        loop = asyncio.get_running_loop()
        # Slots are taken per hop, host first, and released before the next hop, so a fetch
        # never waits for one slot while holding another; time spent queueing is not counted.
        async with self._host_slot(url.host), self._in_flight:
            started = loop.time()
            try:
                async with asyncio.timeout(budget):
                    answer = await self._request(url, headers, etag, modified)
            except TimeoutError:
                raise FetchError(
                    FetchFailure.TIMEOUT, f"no complete response within {self._deadline:g} s"
                ) from None
            return answer, budget - (loop.time() - started)

    async def _request(
        self, url: httpx.URL, headers: dict[str, str], etag: str | None, modified: str | None
    ) -> FetchResult | httpx.URL:
        request = self._client.build_request("GET", url, headers=headers)
        try:
            response = await self._client.send(request, stream=True)
            try:
                return await self._read(response, url, etag, modified)
            finally:
                await response.aclose()
        except httpx.InvalidURL as exc:
            # httpx parses a redirect's Location inside send() even when not following it.
            raise FetchError(
                FetchFailure.BAD_URL, f"bad redirect Location from {url.host}: {_reason(exc)}"
            ) from exc
        except httpx.HTTPError as exc:
            raise _transport_failure(exc, url.host) from exc

    async def _read(
        self, response: httpx.Response, url: httpx.URL, etag: str | None, modified: str | None
    ) -> FetchResult | httpx.URL:
        status = response.status_code
        headers = {name.lower(): value for name, value in response.headers.items()}
        if status in REDIRECT_STATUSES:
            location = headers.get("location")
            if not location:
                raise FetchError(
                    FetchFailure.PROTOCOL, f"{_status_message(status)} without a Location"
                )
            try:
                return url.join(location)
            except httpx.InvalidURL as exc:
                raise FetchError(FetchFailure.BAD_URL, f"bad redirect: {_reason(exc)}") from exc
        result = FetchResult(
            url=str(url),
            status=status,
            headers=headers,
            etag=headers.get("etag"),
            modified=headers.get("last-modified"),
            max_age=parse_max_age(headers.get("cache-control")),
        )
        if status == 304:
            return replace(result, etag=result.etag or etag, modified=result.modified or modified)
        if not 200 <= status < 300:
            retry_after = None
            if status in RETRY_AFTER_STATUSES:
                now = _parse_http_date(headers.get("date")) or self._now()
                retry_after = parse_retry_after(headers.get("retry-after"), now)
            error = FetchError(FetchFailure.HTTP_STATUS, _status_message(status), status=status)
            return replace(result, retry_after=retry_after, error=error)
        return replace(result, body=await self._read_body(response))

    async def _read_body(self, response: httpx.Response) -> bytes:
        """The decoded body, refused as soon as it is known to exceed the byte cap."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise FetchError(
                FetchFailure.TOO_LARGE,
                f"Content-Length {declared} is over the limit of {self._max_bytes} bytes",
            )
        # Counted after decompression: a small gzip body can inflate without bound.
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise FetchError(
                    FetchFailure.TOO_LARGE, f"body is over the limit of {self._max_bytes} bytes"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    @contextlib.asynccontextmanager
    async def _host_slot(self, host: str) -> AsyncIterator[None]:
        slots = self._hosts.get(host)
        if slots is None:
            slots = self._hosts[host] = _HostSlots(asyncio.Semaphore(self._max_per_host))
        slots.users += 1
        try:
            async with slots.semaphore:
                yield
        finally:
            # Forget idle hosts so polling many feeds does not grow the table forever.
            slots.users -= 1
            if slots.users == 0:
                del self._hosts[host]
