"""The fake Bot API's HTTP side: an aiohttp server on its own event loop in a daemon thread.

Routes, as Telegram's: `/bot{token}/{method}` (GET or POST; JSON, form or multipart bodies),
`/file/bot{token}/{path}` for downloads. getUpdates long-polls here; everything else is a
synchronous call into `botapi_methods.dispatch`. `refuse()` and `accept()` take the server off
the network and back on the same port, its state kept, as when Telegram is unreachable a while.
"""

from __future__ import annotations

import asyncio
import json
import math
import socket
import threading
from typing import Any, Final

from aiohttp import BodyPartReader, hdrs, web

from tests.fakes.botapi_errors import ApiError, bad_request
from tests.fakes.botapi_methods import dispatch
from tests.fakes.botapi_state import JSON, BotApiState, Call, UploadedFile

# Params that are strings even when they look like numbers or JSON.
STRING_PARAMS: Final = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "action",
        "language_code", "url", "document", "file_id", "secret_token", "ip_address",
        "description", "short_description", "name", "title", "business_connection_id",
        "message_effect_id", "query", "custom_title",
    }
)  # fmt: skip
MAX_BODY_BYTES: Final = 64 * 1024 * 1024
MAX_UPDATES: Final = 100
CONFLICT_OTHER_POLLER: Final = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
CONFLICT_WEBHOOK: Final = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_UNAUTHORIZED: Final = ApiError(401, "Unauthorized")
_NOT_FOUND: Final = ApiError(404, "Not Found")


def decode_param(name: str, value: Any) -> Any:
    """A form value as Telegram reads it: JSON objects, arrays, integers and booleans decoded."""
    if not isinstance(value, str) or name in STRING_PARAMS or not value:
        return value
    if value[0] in "{[" or value in ("true", "false") or value.lstrip("-").isdigit():
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    """The params of a request from its query string and a JSON, form or multipart body."""
    raw: JSON = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            raw.update(body)
        elif request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is None:
                    raw[part.name] = await part.text()
                else:
                    content_type = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
                    content = bytes(await part.read())
                    files[part.name] = UploadedFile(part.filename, content_type, content)
        else:
            raw.update(await request.post())
    return {name: decode_param(name, value) for name, value in raw.items()}, files


def _bound_socket(port: int) -> socket.socket:
    """A socket bound to 127.0.0.1:port, not listening; SO_REUSEADDR lets two of them share it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


def respond(status: int, payload: JSON) -> web.Response:
    """Telegram's JSON answer."""
    return web.Response(
        status=status, body=json.dumps(payload).encode(), content_type="application/json"
    )


class BotApiHttp:
    """Serves a BotApiState over HTTP on 127.0.0.1, from a daemon thread."""

    def __init__(self, state: BotApiState) -> None:
        self.state = state
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Accepted connections inherit it, so refuse() may bind the port while they close.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="fake-botapi", daemon=True
        )
        self.runner: web.AppRunner | None = None
        self.site: web.SockSite | None = None  # None while connections are refused
        self.placeholder: socket.socket | None = None  # keeps the port while refusing
        self.poller: asyncio.Future[str] | None = None  # the waiting getUpdates, if any
        self.closing = False
        self.released: asyncio.Event | None = None  # set: held answers go out

    @property
    def polling(self) -> bool:
        """Whether a getUpdates request is waiting for an update."""
        poller = self.poller
        return poller is not None and not poller.done()

    def start(self) -> None:
        """Listen and serve until stop()."""
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=30)
        self.state.on_update = self._wake_threadsafe

    def stop(self) -> None:
        """Answer waiting polls, close every connection and end the thread."""
        self.state.on_update = lambda: None
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()

    def hold_answers(self, held: bool) -> None:
        """Hold answers marked for holding from now on (True), or let them all go (False)."""

        async def switch() -> None:
            if self.released is not None:
                if held:
                    self.released.clear()
                else:
                    self.released.set()

        # Wait for the switch, so that no answer slips through after hold_responses returns.
        asyncio.run_coroutine_threadsafe(switch(), self.loop).result(timeout=30)

    def refuse(self) -> None:
        """Stop listening and drop every open connection: connects are refused until accept()."""
        asyncio.run_coroutine_threadsafe(self._refuse(), self.loop).result(timeout=30)

    def accept(self) -> None:
        """Listen again, on the same port."""
        asyncio.run_coroutine_threadsafe(self._accept(), self.loop).result(timeout=30)

    async def _refuse(self) -> None:
        if self.site is None or self.runner is None:
            return
        site, self.site = self.site, None
        await site.stop()  # closes the listening socket
        # A socket bound but not listening keeps the port ours (a connect to a free port of
        # the ephemeral range could even be given that port and connect to itself).
        self.placeholder = _bound_socket(self.port)
        server = self.runner.server
        for handler in server.connections if server is not None else []:
            if handler.transport is not None:
                handler.transport.abort()  # a reset, as when the network goes away

    async def _accept(self) -> None:
        if self.site is not None or self.runner is None:
            return
        self.site = web.SockSite(self.runner, _bound_socket(self.port))
        await self.site.start()
        if self.placeholder is not None:
            self.placeholder.close()
            self.placeholder = None

    async def _start(self) -> None:
        self.released = asyncio.Event()
        self.released.set()
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file)
        app.router.add_route("*", "/{tail:.*}", self.handle_unknown)
        self.runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=5
        )
        await self.runner.setup()
        self.site = web.SockSite(self.runner, self.sock)
        await self.site.start()

    async def _stop(self) -> None:
        self.closing = True
        self._wake("closing")
        if self.released is not None:
            self.released.set()
        if self.runner is not None:
            await self.runner.cleanup()
        if self.placeholder is not None:
            self.placeholder.close()
            self.placeholder = None

    def _wake_threadsafe(self) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._wake, "update")

    def _wake(self, reason: str) -> None:
        if self.poller is not None and not self.poller.done():
            self.poller.set_result(reason)

    async def handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.token:
            return respond(401, _UNAUTHORIZED.payload())
        name = request.match_info["method"]
        try:
            params, files = await read_params(request)
        except ApiError as error:
            return respond(error.code, error.payload())
        if name.lower() != "getupdates":
            status, payload, hold = dispatch(self.state, name, params, files)
            if hold == math.inf:
                await self._held()
            elif hold > 0:
                # A timeout (the client gives up first, and aiohttp cancels this handler) or
                # a slow answer (`delay_answers`).
                await asyncio.sleep(hold)
            return respond(status, payload)
        try:
            status, payload = 200, {"ok": True, "result": await self.get_updates(params)}
        except ApiError as error:
            status, payload = error.code, error.payload()
        with self.state.lock:
            self.state.record(Call("getUpdates", params, files, status, payload))
        return respond(status, payload)

    async def _held(self) -> None:
        """Wait until held answers are released; the call ran and is recorded already."""
        with self.state.lock:
            self.state.held += 1
            self.state.touch()
        try:
            if self.released is not None:
                await self.released.wait()
        finally:
            with self.state.lock:
                self.state.held -= 1
                self.state.touch()

    async def get_updates(self, params: JSON) -> list[JSON]:
        """Long polling: answer at once if updates are pending, else wait up to timeout."""
        offset, limit, timeout = params.get("offset"), params.get("limit"), params.get("timeout")
        limit = min(max(limit, 1), MAX_UPDATES) if isinstance(limit, int) else MAX_UPDATES
        timeout = max(float(timeout), 0.0) if isinstance(timeout, int | float) else 0.0
        with self.state.lock:
            if self.state.webhook_url:
                raise ApiError(409, CONFLICT_WEBHOOK)
        # A new poll ends the one waiting, as on Telegram's servers.
        self._wake("conflict")
        deadline = self.loop.time() + timeout
        allowed = params.get("allowed_updates")
        while True:
            with self.state.lock:
                updates = self.state.take_updates(
                    offset if isinstance(offset, int) else None, limit, allowed
                )
            remaining = deadline - self.loop.time()
            if updates or self.closing or remaining <= 0:
                return updates
            poller = self.poller = self.loop.create_future()
            try:
                reason = await asyncio.wait_for(poller, remaining)
            except TimeoutError:
                return []
            finally:
                if self.poller is poller:
                    self.poller = None
            if reason == "conflict":
                raise ApiError(409, CONFLICT_OTHER_POLLER)

    async def handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.token:
            return respond(401, _UNAUTHORIZED.payload())
        with self.state.lock:
            stored = self.state.files_by_path.get(request.match_info["path"])
        if stored is None:
            return respond(404, _NOT_FOUND.payload())
        return web.Response(body=stored.content, headers={hdrs.CONTENT_TYPE: stored.mime_type})

    async def handle_unknown(self, request: web.Request) -> web.Response:
        return respond(404, _NOT_FOUND.payload())
