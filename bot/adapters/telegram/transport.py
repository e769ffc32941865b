"""AiohttpRequest: python-telegram-bot's BaseRequest over aiohttp, for fast broadcasts.

PTB's default HTTPXRequest tops out near 350 sends/s on this machine; this transport reaches
several times that (see `bench/transport.py`). It keeps HTTPXRequest's contract: form bodies,
multipart uploads, per-call timeouts, TimedOut and NetworkError.

`on_message`, when set, hears the chat of every call that posts a message, as it goes out: the
dispatcher counts the bot's replies against Telegram's limits that its pushes share.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput, UploadFileDict
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_POOL_SIZE: Final = 64
# Calls that are no new message, though their names say send.
NOT_MESSAGES: Final = frozenset({"sendChatAction"})
FORM_HEADERS: Final = {"Content-Type": "application/x-www-form-urlencoded"}
POOL_TIMEOUT_MESSAGE: Final = (
    "Connect or pool timeout: no connection to Telegram became available in time. "
    "Request was *not* sent to Telegram. Consider adjusting the connection pool size or "
    "the pool timeout."
)


def _total(*parts: float | None) -> float | None:
    """The sum of timeouts, or None (no limit) if any of them is None."""
    if any(part is None for part in parts):
        return None
    return sum(part for part in parts if part is not None)


def posts_message(url: str) -> bool:
    """Whether a call to this Bot API URL posts a new message (what flood limits count)."""
    method = url.rpartition("/")[2]
    return method.startswith(("send", "copyMessage", "forwardMessage")) and (
        method not in NOT_MESSAGES
    )


def multipart_body(fields: dict[str, str], files: UploadFileDict) -> aiohttp.FormData:
    """A multipart/form-data body of the string fields and the files, as HTTPXRequest sends."""
    # Unquoted: filenames go out as UTF-8, as httpx sends them, not percent-encoded.
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


class AiohttpRequest(BaseRequest):
    """A BaseRequest over one aiohttp.ClientSession, created in initialize() on the bot's loop."""

    __slots__ = (
        "_connect_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "on_message",
    )

    def __init__(
        self,
        connection_pool_size: int = DEFAULT_POOL_SIZE,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        proxy: str | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None
        self.on_message: Callable[[int | str], None] | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout; PTB adds getUpdates' long-poll timeout to it."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session and its connection pool on the running loop, if not open yet."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size)
            # No trust_env: it costs two thread hops per request (netrc, proxy variables), so
            # unlike httpx, HTTPS_PROXY is not read; pass proxy= instead.
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Close the session and every pooled connection; initialize() may open a new one."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; returns the HTTP status and the body, as BaseRequest expects."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        # aiohttp has no socket-write timeout, so write_timeout cannot be honoured; its read
        # clock starts once the body is sent. `connect` covers the wait for a pooled connection
        # plus the connect itself, `sock_connect` the connect alone.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_total(pool_timeout, connect_timeout),
            sock_connect=connect_timeout,
            sock_read=read_timeout,
        )
        if self.on_message is not None and request_data is not None and posts_message(url):
            chat = request_data.parameters.get("chat_id")
            if isinstance(chat, int | str):
                self.on_message(chat)
        body: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] | None = None
        if request_data is not None and request_data.contains_files:
            body = multipart_body(request_data.json_parameters, request_data.multipart_data)
        elif request_data is not None:
            # Encoded here, not by aiohttp.FormData, which builds a multipart writer each time.
            body, headers = request_data.url_encoded_parameters().encode(), FORM_HEADERS
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:
            raise TimedOut(POOL_TIMEOUT_MESSAGE) from err
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # The class name says what failed when the message is empty, as in HTTPXRequest.
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
