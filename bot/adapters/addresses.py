"""Public addresses only: an httpx transport that checks each address it connects to.

The check runs where the connection is made, on the addresses it connects to: a host is
resolved once, refused if any of its addresses is loopback, private, link-local, multicast,
reserved or a cloud metadata address, and then connected to at one of the very addresses
checked. A DNS server that answers differently a second time (DNS rebinding) has no second
time to answer. Redirects open new connections, so each hop is checked the same way; a
connection kept alive was checked when it was opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Final

import httpcore
import httpx

from bot.errors import FetchError, FetchFailure

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

METADATA_ADDRESSES: Final = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


def is_public_address(address: IPAddress) -> bool:
    """False for loopback, private, shared, link-local, multicast, reserved and metadata ones.

    An IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4) is judged by that IPv4 one.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public_address(embedded)
        if address.is_site_local:
            return False
    return address.is_global and not (
        address in METADATA_ADDRESSES
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses of a host name (in IDNA form) or IP literal, in the resolver's order."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(FetchFailure.DNS, f"cannot resolve host {host}") from exc
    # An IPv6 answer may carry a zone ("fe80::1%eth0"), which ip_address does not take.
    found = (ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
    return list(dict.fromkeys(found))


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses `is_allowed` accepts."""

    def __init__(
        self, is_allowed: Callable[[IPAddress], bool], resolver: Resolver = resolve
    ) -> None:
        self._is_allowed = is_allowed
        self._resolve = resolver
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve, refuse any address not allowed, then connect to the addresses checked."""
        addresses = await self._resolve(host, port)
        for address in addresses:
            if not self._is_allowed(address):
                raise FetchError(
                    FetchFailure.PRIVATE_ADDRESS,
                    f"refused {host}: {address} is not a public address "
                    "(DIGESTBOT_ALLOW_PRIVATE_URLS=1 allows private and local ones)",
                )
        # One connect timeout for all the addresses, tried in the resolver's order.
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                raise httpcore.ConnectTimeout(f"no connection to {host} within {timeout:g} s")
            try:
                return await self._backend.connect_tcp(
                    str(address),
                    port,
                    timeout=left,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never: feeds are fetched over TCP."""
        raise FetchError(FetchFailure.BAD_URL, "unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        """As the wrapped backend sleeps."""
        await self._backend.sleep(seconds)


# httpcore's exceptions as httpx raises them, most specific first (as httpx's own transport maps
# them: a class before its bases).
HTTPX_ERRORS: Final[tuple[tuple[type[Exception], type[httpx.TransportError]], ...]] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def httpx_errors() -> Iterator[None]:
    """Raise httpcore's exceptions as httpx's; anything else (a FetchError) passes as it is."""
    try:
        yield
    except Exception as exc:
        for source, target in HTTPX_ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class CheckedStream(httpx.AsyncByteStream):
    """A response body from httpcore, its errors raised as httpx's."""

    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        """Release the connection back to the pool (or close it)."""
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            with httpx_errors():
                await close()


class CheckedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore connection pool that connects through CheckedBackend.

    httpx's own transport takes no network backend, so this one builds the pool, as httpx's does,
    and passes requests and answers between the two.
    """

    def __init__(self, backend: CheckedBackend, limits: httpx.Limits) -> None:
        self._connections = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request over a pooled, checked connection; the body is streamed."""
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with httpx_errors():
            answer = await self._connections.handle_async_request(core_request)
        if not isinstance(answer.stream, AsyncIterable):
            raise TypeError("httpcore's async pool answered with a sync stream")
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=CheckedStream(answer.stream),
            extensions=answer.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._connections.aclose()
