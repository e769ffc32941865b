"""A real HTTP server on 127.0.0.1 for feed tests: static files plus routes scripted at runtime.

Runs in a daemon thread of the test process (like httpx's `serve_in_thread`), so a bot started
as a child process can reach it too. Every request is recorded; routes can answer any status,
redirect, trickle their body, gzip it, or serve ETag / Last-Modified and answer 304.
"""

from __future__ import annotations

import gzip as gzip_module
import hashlib
import mimetypes
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Python's table lacks the feed types; a feed reader's Accept header asks for these first.
CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

# A handler that waits on `hold` gives up after this long, so a failed test cannot hang.
HOLD_TIMEOUT = 30.0


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; header names are lower-cased."""

    method: str
    path: str
    target: str
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Route:
    """What the server answers on one path."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    chunks: Sequence[bytes] | None = None
    delay_per_chunk: float = 0.0
    redirect_to: str | None = None
    gzip: bool = False
    conditional: bool = False
    last_modified: datetime | None = None
    hold: threading.Event | None = None
    delay: float = 0.0


def etag_of(body: bytes) -> str:
    """The strong ETag the server gives a body."""
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def is_fresh(headers: Mapping[str, str], etag: str, last_modified: datetime) -> bool:
    """True when a conditional request's validators still match (RFC 9110 precedence)."""
    if "if-none-match" in headers:
        tags = [tag.strip().removeprefix("W/") for tag in headers["if-none-match"].split(",")]
        return "*" in tags or etag in tags
    if "if-modified-since" in headers:
        try:
            since = parsedate_to_datetime(headers["if-modified-since"])
        except (TypeError, ValueError):
            return False
        return since.replace(tzinfo=since.tzinfo or UTC) >= last_modified.replace(microsecond=0)
    return False


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 serving `root` and scripted routes."""

    def __init__(self, root: Path = DATA_DIR, *, port: int = 0) -> None:
        self.root = root.resolve()
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        self._requests: list[RecordedRequest] = []
        self._in_flight: dict[str, int] = {}
        self._peak: dict[str, int] = {}
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.feeds = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + "/" + path.lstrip("/")

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        chunks: Sequence[bytes] | None = None,
        delay_per_chunk: float = 0.0,
        redirect_to: str | None = None,
        gzip: bool = False,
        conditional: bool = False,
        last_modified: datetime | None = None,
        hold: threading.Event | None = None,
        delay: float = 0.0,
    ) -> None:
        """Script the answer on `path`, replacing any earlier one (a feed that updates).

        `chunks` are sent one by one, each after `delay_per_chunk` seconds, chunked unless
        `headers` sets Content-Length. `redirect_to` answers 302 (or `status` if 3xx) with that
        Location. `conditional` adds ETag and Last-Modified (default: now) and answers 304 to
        matching validators. `delay` waits that many seconds before answering at all, and
        `hold` until the event is set.
        """
        if redirect_to is not None and not 300 <= status < 400:
            status = 302
        route = Route(
            status=status,
            body=body,
            headers=dict(headers or {}),
            chunks=chunks,
            delay_per_chunk=delay_per_chunk,
            redirect_to=redirect_to,
            gzip=gzip,
            conditional=conditional,
            last_modified=last_modified or datetime.now(UTC),
            hold=hold,
            delay=delay,
        )
        with self._lock:
            self._routes["/" + path.lstrip("/")] = route

    def requests(self, path: str | None = None) -> list[RecordedRequest]:
        """The requests received so far, oldest first, for `path` or for every path."""
        with self._lock:
            return [r for r in self._requests if path is None or r.path == _clean(path)]

    def in_flight(self, path: str) -> int:
        """How many requests for `path` are being answered right now."""
        with self._lock:
            return self._in_flight.get(_clean(path), 0)

    def peak_in_flight(self, path: str) -> int:
        """The most requests for `path` that were ever being answered at once."""
        with self._lock:
            return self._peak.get(_clean(path), 0)

    def reset(self) -> None:
        """Forget every route and recorded request."""
        with self._lock:
            self._routes.clear()
            self._requests.clear()
            self._peak.clear()

    def _begin(self, request: RecordedRequest) -> Route | None:
        with self._lock:
            self._requests.append(request)
            count = self._in_flight.get(request.path, 0) + 1
            self._in_flight[request.path] = count
            self._peak[request.path] = max(self._peak.get(request.path, 0), count)
            return self._routes.get(request.path)

    def _end(self, path: str) -> None:
        with self._lock:
            self._in_flight[path] -= 1


def _clean(path: str) -> str:
    return "/" + urlsplit(path).path.lstrip("/")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    feeds: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up mid-body (a deadline, a byte cap) is the point of many tests.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    # A 200's head and body are written apart: with Nagle's algorithm on, the body would wait
    # for the client's delayed ACK, some 40 ms an answer that no real server adds.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        feeds = self.server.feeds
        request = RecordedRequest(
            method=self.command,
            path=_clean(self.path),
            target=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        route = feeds._begin(request)
        try:
            if route is None:
                self._serve_file(feeds.root, request)
            else:
                self._serve_route(route, request)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        finally:
            feeds._end(request.path)

    do_HEAD = do_GET

    def _serve_file(self, root: Path, request: RecordedRequest) -> None:
        file = (root / request.path.lstrip("/")).resolve()
        if not file.is_relative_to(root) or not file.is_file():
            self._send(404, {}, [b"not found\n"])
            return
        body = file.read_bytes()
        modified = datetime.fromtimestamp(file.stat().st_mtime, UTC)
        content_type = CONTENT_TYPES.get(file.suffix) or (
            mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        )
        route = Route(body=body, headers={"Content-Type": content_type}, conditional=True)
        self._serve_route(route, request, modified)

    def _serve_route(
        self, route: Route, request: RecordedRequest, modified: datetime | None = None
    ) -> None:
        if route.hold is not None:
            route.hold.wait(HOLD_TIMEOUT)
        if route.delay:
            time.sleep(route.delay)
        headers = dict(route.headers)
        if route.redirect_to is not None:
            headers.setdefault("Location", route.redirect_to)
        chunks = list(route.chunks) if route.chunks is not None else [route.body]
        if route.gzip:
            chunks = [gzip_module.compress(b"".join(chunks))]
            headers.setdefault("Content-Encoding", "gzip")
        if route.conditional:
            body = b"".join(chunks)
            modified = modified or route.last_modified or datetime.now(UTC)
            headers.setdefault("ETag", etag_of(body))
            headers.setdefault("Last-Modified", format_datetime(modified, usegmt=True))
            if is_fresh(request.headers, headers["ETag"], modified):
                self._send(304, headers, [])
                return
        self._send(route.status, headers, chunks, route.delay_per_chunk)

    def _send(
        self,
        status: int,
        headers: Mapping[str, str],
        chunks: list[bytes],
        delay: float = 0.0,
    ) -> None:
        self.send_response_only(status, _reason(status))
        names = {name.lower() for name in headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if "date" not in names:
            self.send_header("Date", formatdate(usegmt=True))
        # A test that sets its own framing gets its bytes raw; the connection cannot be reused.
        raw = "content-length" in names or "transfer-encoding" in names
        chunked = not raw and (len(chunks) > 1 or delay > 0)
        if raw:
            self.close_connection = True
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(sum(map(len, chunks))))
        self.end_headers()
        if self.command == "HEAD" or status == 304:
            return
        for chunk in _paced(chunks, delay):
            if chunked and chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            elif not chunked:
                self.wfile.write(chunk)
            self.wfile.flush()
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()


def _paced(chunks: list[bytes], delay: float) -> Iterator[bytes]:
    for chunk in chunks:
        if delay:
            time.sleep(delay)
        yield chunk


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
