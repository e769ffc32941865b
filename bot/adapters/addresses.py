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
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
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
                    f"refused {host}: {address} is not a public address",
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


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose connections go through CheckedBackend."""

    def __init__(self, backend: CheckedBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx takes no network backend of its own: the pool it built is replaced by the same
        # pool with one (tests/adapters/test_http.py fails if this stops taking effect).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
