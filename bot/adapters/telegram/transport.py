"""AiohttpRequest: python-telegram-bot's BaseRequest over aiohttp, for fast broadcasts.

PTB's default HTTPXRequest tops out near 350 sends/s on this machine; this transport reaches
several times that (see `bench/transport.py`). It keeps HTTPXRequest's contract: form bodies,
multipart uploads, per-call timeouts, TimedOut and NetworkError.

`post_form` is the dispatcher's lean path past PTB's Bot: one Bot API call with a ready form
body, Telegram's refusals raised as the exceptions PTB raises for them (`raise_refusal`);
`post_body` the same with the body encoded already (`encode_form`).

`on_message`, when set, hears the chat of every call that posts a message, as it goes out: the
dispatcher counts the bot's replies against Telegram's limits that its pushes share.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import IO, Final, NoReturn
from urllib.parse import urlencode

import aiohttp
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, RequestData

from bot.core.guard import fit_message, fit_plain, plain_text

DEFAULT_POOL_SIZE: Final = 64
# Calls that are no new message, though their names say send.
NOT_MESSAGES: Final = frozenset({"sendChatAction"})
log = logging.getLogger(__name__)

FORM_HEADERS: Final = {"Content-Type": "application/x-www-form-urlencoded"}
# The calls whose `text` is a message: guarded before they leave, sent again as plain text once
# if Telegram still refuses their HTML.
TEXT_METHODS: Final = ("/sendMessage", "/editMessageText")
REFUSED_HTML: Final = (b"can't parse entities", b"text is too long", b"message is too long")
POOL_TIMEOUT_MESSAGE: Final = (
    "Connect or pool timeout: no connection to Telegram became available in time. "
    "Request was *not* sent to Telegram. Consider adjusting the connection pool size or "
    "the pool timeout."
)


# RequestData.multipart_data: field name -> (file name, content, MIME type).
UploadFiles = Mapping[str, tuple[str, bytes | IO[bytes], str]]


def _seconds(timeout: object, default: float | None) -> float | None:
    """A timeout as PTB passes it: seconds, None (no limit), or a marker for `default`.

    PTB marks "not given" with `BaseRequest.DEFAULT_NONE`; like HTTPXRequest, any such marker
    means this request's own default.
    """
    if timeout is None or isinstance(timeout, int | float):
        return timeout
    return default


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


def form_value(value: object) -> str:
    """A Bot API parameter as a form field: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def encode_form(url: str, fields: Mapping[str, object]) -> bytes:
    """A Bot API call's parameters as the form body `post_body` sends: None ones left out,
    the others as PTB sends them, a message's text kept within Telegram's limits."""
    form = guarded(url, {name: form_value(v) for name, v in fields.items() if v is not None})
    return urlencode(form).encode()


def guarded(url: str, fields: Mapping[str, str]) -> dict[str, str]:
    """A call's form fields, its message text kept within Telegram's limits (core.guard):
    the last guard before any message leaves, whatever built it."""
    text = fields.get("text")
    if not url.endswith(TEXT_METHODS) or not isinstance(text, str):
        return dict(fields)
    html_mode = str(fields.get("parse_mode") or "").upper() == "HTML"
    return {**fields, "text": fit_message(text) if html_mode else fit_plain(text)}


def refused_html(url: str, fields: Mapping[str, str], status: int, payload: bytes) -> bool:
    """Whether Telegram refused a message's HTML text (to be sent again as plain text)."""
    if status != HTTPStatus.BAD_REQUEST or not url.endswith(TEXT_METHODS):
        return False
    if str(fields.get("parse_mode") or "").upper() != "HTML" or "text" not in fields:
        return False
    answer = payload.lower()
    return any(reason in answer for reason in REFUSED_HTML)


def raise_refusal(status: int, payload: bytes) -> NoReturn:
    """Raise what PTB's BaseRequest raises for a Bot API answer with a non-2xx status.

    The same exception classes, messages and causes as `BaseRequest.post` (PTB 22), so a caller
    handles an answer to `post_form` as it handles one to a Bot method.
    """
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    parsing_error: TelegramError | None = None
    try:
        answer = BaseRequest.parse_json_payload(payload)
    except TelegramError as unparsed:
        message += f". Parsing the server response {payload!r} failed"
        parsing_error = unparsed
    else:
        message = answer.get("description") or message
        if parameters := answer.get("parameters"):
            if new_chat_id := parameters.get("migrate_to_chat_id"):
                raise ChatMigrated(new_chat_id)
            if retry_after := parameters.get("retry_after"):
                raise RetryAfter(retry_after)
            message += f". The server response contained unknown parameters: {parameters}"
    refusal: TelegramError
    if status == HTTPStatus.FORBIDDEN:
        refusal = Forbidden(message)
    elif status in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        refusal = InvalidToken(message)
    elif status == HTTPStatus.BAD_REQUEST:
        refusal = BadRequest(message)
    elif status == HTTPStatus.CONFLICT:
        refusal = Conflict(message)
    else:
        refusal = NetworkError(message)  # 5xx (502 Bad Gateway included) and the rest
    raise refusal from parsing_error


def multipart_body(fields: dict[str, str], files: UploadFiles) -> aiohttp.FormData:
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
        "_connection_pool_size",
        "_default_connect_timeout",
        "_default_pool_timeout",
        "_default_read_timeout",
        "_proxy",
        "_session",
        "on_message",
        "plain_resends",
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
        self._connection_pool_size = connection_pool_size
        self._default_read_timeout = read_timeout
        self._default_connect_timeout = connect_timeout
        self._default_pool_timeout = pool_timeout
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None
        self.on_message: Callable[[int | str], None] | None = None
        self.plain_resends = 0  # messages Telegram refused as HTML, sent again as plain text

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout; PTB adds getUpdates' long-poll timeout to it."""
        return self._default_read_timeout

    async def initialize(self) -> None:
        """Open the session and its connection pool on the running loop, if not open yet."""
        if self._session is None or self._session.closed:
            size = self._connection_pool_size
            connector = aiohttp.TCPConnector(limit=size, limit_per_host=size)
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
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; returns the HTTP status and the body, as BaseRequest expects.

        The timeouts are seconds, None (no limit) or `BaseRequest.DEFAULT_NONE` (this request's
        own). aiohttp has no socket-write timeout, so write_timeout cannot be honoured.
        """
        body: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] | None = None
        chat = None
        fields: dict[str, str] = {}
        if request_data is not None:
            chat = request_data.parameters.get("chat_id")
            if request_data.contains_files:
                body = multipart_body(request_data.json_parameters, request_data.multipart_data)
            else:
                # Encoded here, not by aiohttp.FormData, which builds a multipart writer each time.
                fields = guarded(url, request_data.json_parameters)
                body, headers = urlencode(fields).encode(), FORM_HEADERS
        limits = self._timeout(read_timeout, connect_timeout, pool_timeout)
        status, payload = await self._exchange(method, url, body, headers, chat, limits)
        if fields and refused_html(url, fields, status, payload):
            plain = self._as_plain(url, fields, payload)
            return await self._exchange(method, url, plain, FORM_HEADERS, chat, limits)
        return status, payload

    async def post_form(
        self,
        url: str,
        fields: Mapping[str, object],
        *,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> object:
        """POST one Bot API call; its result, or Telegram's refusal raised as PTB raises it.

        `fields` are the call's parameters (None ones left out, others sent as PTB sends them);
        `read_timeout` is as for do_request. This is the path of `BaseRequest.post` minus the
        RequestData: the same TimedOut and NetworkError, the same exceptions for refusals.
        """
        body = encode_form(url, fields)
        return await self.post_body(
            url, body, chat=fields.get("chat_id"), read_timeout=read_timeout
        )

    async def post_body(
        self,
        url: str,
        body: bytes,
        *,
        chat: object,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> object:
        """As `post_form`, with the form already encoded (`encode_form`); `chat` is its chat_id."""
        try:
            limits = self._timeout(read_timeout, self.DEFAULT_NONE, self.DEFAULT_NONE)
            # A refused HTML push is sent again as plain text by the dispatcher, which counts
            # it with the row (core.delivery): not here too.
            status, payload = await self._exchange("POST", url, body, FORM_HEADERS, chat, limits)
        except TelegramError:
            raise
        except Exception as error:
            # As BaseRequest does for a transport that fails unexpectedly.
            raise NetworkError(f"Unknown error in HTTP implementation: {error!r}") from error
        if not HTTPStatus.OK <= status <= 299:
            raise_refusal(status, payload)
        return self.parse_json_payload(payload)["result"]

    def _as_plain(self, url: str, fields: Mapping[str, str], payload: bytes) -> bytes:
        """The body that sends a refused message again, once, as shortened plain text."""
        self.plain_resends += 1
        reason = payload.decode("utf-8", "replace")[:200]
        log.warning("Telegram refused a message's HTML (%s): sent again as plain text", reason)
        plain = {k: v for k, v in fields.items() if k not in ("parse_mode", "entities")}
        plain["text"] = plain_text(fields["text"])
        return urlencode(plain).encode()

    def _timeout(
        self, read_timeout: object, connect_timeout: object, pool_timeout: object
    ) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts for PTB's (seconds, None or DEFAULT_NONE); write has none."""
        connect = _seconds(connect_timeout, self._default_connect_timeout)
        # aiohttp's read clock starts once the body is sent. `connect` covers the wait for a
        # pooled connection plus the connect itself, `sock_connect` the connect alone.
        return aiohttp.ClientTimeout(
            total=None,
            connect=_total(_seconds(pool_timeout, self._default_pool_timeout), connect),
            sock_connect=connect,
            sock_read=_seconds(read_timeout, self._default_read_timeout),
        )

    async def _exchange(
        self,
        method: str,
        url: str,
        body: aiohttp.FormData | bytes | None,
        headers: dict[str, str] | None,
        chat: object,
        limits: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        """One HTTP request: the status and the body; aiohttp's errors as PTB's.

        `chat` is the call's chat_id, for on_message if the call posts a message.
        """
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        if self.on_message is not None and isinstance(chat, int | str) and posts_message(url):
            self.on_message(chat)
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=limits, proxy=self._proxy
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:
            raise TimedOut(POOL_TIMEOUT_MESSAGE) from err
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # The class name says what failed when the message is empty, as in HTTPXRequest.
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
