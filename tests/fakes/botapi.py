"""A fake Telegram Bot API for tests: a real HTTP server on 127.0.0.1, driven from pytest.

The bot under test, in this process or another, talks to it as to Telegram:

    with BotApiServer() as server:
        bot = telegram.Bot(server.token, base_url=server.base_url,
                           base_file_url=server.base_file_url)
        server.inject_command(42, "/start")
        call = server.wait_for_call("sendMessage")

Every method here is synchronous and thread-safe; inside an event loop that also runs the bot,
use the `*_async` waits so the loop keeps serving the bot.

Modules: `botapi_inject` (the inject_* half of this class), `botapi_state` (memory),
`botapi_methods` (dispatch) over `botapi_messages` and `botapi_chats` (the Bot API methods),
`botapi_html` (HTML parse mode), `botapi_errors` (error responses, and the gate where scripted
errors and flood limits refuse a call), `botapi_http` (the aiohttp server and getUpdates).

`pause()` / `resume()` (or `with server.blackout():`) make Telegram unreachable a while: connects
are refused and open connections dropped, then it answers again on the same URL.
"""

from __future__ import annotations

import asyncio
import copy
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Final

from tests.fakes.botapi_chats import command_key
from tests.fakes.botapi_errors import DEFAULT_HOLD, ErrorKind, FloodLimits, scripted_error
from tests.fakes.botapi_http import BotApiHttp
from tests.fakes.botapi_inject import InjectUpdates
from tests.fakes.botapi_methods import canonical_name
from tests.fakes.botapi_state import (
    JSON,
    MEMBER_STATUSES,
    BotApiState,
    Call,
    StoredFile,
    UploadedFile,
)

__all__ = ["BotApiServer", "Call", "ErrorKind", "FloodLimits", "StoredFile", "UploadedFile"]

DEFAULT_TOKEN: Final = "123456789:AAF-fake-bot-api-token-for-digestbot-tests"
WAIT_REPORT_CALLS: Final = 30
ASYNC_POLL_SECONDS: Final = 0.01


class BotApiServer(InjectUpdates):
    """A fake Telegram Bot API server holding its state in memory."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_id: int | None = None,
        bot_username: str = "digestbot_test_bot",
        bot_first_name: str = "Digest Bot",
        clock: Callable[[], float] = time.time,
    ) -> None:
        prefix = token.split(":", 1)[0]
        self.token = token
        self.bot_id = bot_id if bot_id is not None else int(prefix) if prefix.isdigit() else 1
        self.bot_username = bot_username
        bot = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._state = BotApiState(token, bot, clock)
        self._http: BotApiHttp | None = None

    # lifecycle

    def start(self) -> BotApiServer:
        """Listen on a free port of 127.0.0.1."""
        if self._http is None:
            self._http = BotApiHttp(self._state)
            self._http.start()
        return self

    def stop(self) -> None:
        """Answer waiting polls, close connections and stop the server thread."""
        if self._http is not None:
            self._http.stop()
            self._http = None

    def __enter__(self) -> BotApiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def pause(self) -> None:
        """Be unreachable: refuse connects and drop open connections, keeping port and state."""
        if self._http is None:
            raise RuntimeError("the fake Bot API is not started")
        self._http.refuse()

    def resume(self) -> None:
        """Be reachable again, at the same URL."""
        if self._http is not None:
            self._http.accept()

    @contextmanager
    def blackout(self) -> Iterator[None]:
        """Unreachable (connection refused) inside the block, reachable again after it."""
        self.pause()
        try:
            yield
        finally:
            self.resume()

    @property
    def url(self) -> str:
        """The server's root, e.g. http://127.0.0.1:PORT."""
        if self._http is None:
            raise RuntimeError("the fake Bot API is not started")
        return f"http://127.0.0.1:{self._http.port}"

    @property
    def base_url(self) -> str:
        """What PTB calls base_url: methods are at {base_url}{token}/{method}."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What PTB calls base_file_url: files are at {base_file_url}{token}/{path}."""
        return f"{self.url}/file/bot"

    @property
    def is_polling(self) -> bool:
        """Whether a getUpdates long poll is waiting now: the bot is up and listening."""
        return self._http is not None and self._http.polling

    # chats

    def add_chat(
        self,
        chat_id: int,
        chat_type: str,
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        is_forum: bool | None = None,
    ) -> JSON:
        """Register a chat: private, group, supergroup or channel."""
        with self._state.lock:
            chat = self._state.chat(
                chat_id,
                chat_type,
                title=title,
                username=username,
                first_name=first_name,
                is_forum=is_forum,
            )
            return copy.deepcopy(chat)

    def set_member(
        self,
        chat_id: int,
        user_id: int,
        status: str,
        *,
        first_name: str | None = None,
        username: str | None = None,
    ) -> None:
        """Set a user's status in a chat: creator, administrator, member, left or kicked."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"status must be one of {sorted(MEMBER_STATUSES)}, not {status!r}")
        with self._state.lock:
            self._state.chat(chat_id)
            if user_id != self.bot_id:
                self._state.user(user_id, first_name=first_name, username=username)
            self._state.members.setdefault(chat_id, {})[user_id] = status

    def pending_updates(self) -> int:
        """Updates not yet acknowledged by a getUpdates offset."""
        with self._state.lock:
            return len(self._state.updates)

    # inspection

    def calls(self, method: str | None = None) -> list[Call]:
        """Every call so far, or those of one method."""
        with self._state.lock:
            calls = list(self._state.calls)
        if method is None:
            return calls
        name = canonical_name(method)
        return [call for call in calls if call.method == name]

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """The messages the bot sent (to chat_id), as they are now after edits and deletes."""
        with self._state.lock:
            messages = [
                self._state.messages[key]
                for key in self._state.bot_messages
                if chat_id is None or key[0] == chat_id
            ]
            return copy.deepcopy(messages)

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """Any message (the bot's or a user's) as it is now."""
        with self._state.lock:
            return copy.deepcopy(self._state.messages.get((chat_id, message_id)))

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command menu set for scope (default: the default scope) and language."""
        with self._state.lock:
            key = command_key({"scope": scope, "language_code": language_code})
            return copy.deepcopy(self._state.commands.get(key, []))

    def file_content(self, file_id: str) -> bytes:
        """The bytes of a file the bot uploaded or a test injected."""
        with self._state.lock:
            return self._state.file(file_id).content

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10.0, *, what: str = "condition"
    ) -> None:
        """Wait until predicate() holds, or fail listing the calls seen.

        predicate runs outside the server's lock, after each change; keep it cheap.
        """
        deadline = time.monotonic() + timeout
        state = self._state
        while True:
            with state.lock:
                seen = state.version
            if predicate():
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._timed_out(timeout, what)
            with state.changed:
                if state.version == seen:
                    state.changed.wait(remaining)

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        *,
        since: int = 0,
    ) -> Call:
        """The first call of method (from the since-th call on) that satisfies predicate."""
        arrived, found = self._call_watch(method, predicate, since)
        self.wait_for(arrived, timeout, what=f"a {canonical_name(method)} call")
        return found[0]

    # The async waits take `timeout` like the sync ones: it bounds the wait and names it in
    # the failure report, which asyncio.timeout() around the call could not do.
    async def wait_for_async(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        what: str = "condition",
    ) -> None:
        """wait_for for a test whose event loop also runs the bot: polls without blocking it."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                raise self._timed_out(timeout, what)
            await asyncio.sleep(ASYNC_POLL_SECONDS)

    async def wait_for_call_async(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> Call:
        """wait_for_call for a test whose event loop also runs the bot."""
        arrived, found = self._call_watch(method, predicate, since)
        await self.wait_for_async(arrived, timeout, what=f"a {canonical_name(method)} call")
        return found[0]

    def _call_watch(
        self, method: str, predicate: Callable[[Call], bool] | None, since: int
    ) -> tuple[Callable[[], bool], list[Call]]:
        """A predicate that looks at each call once, and the list it fills with matches."""
        name = canonical_name(method)
        position = since
        found: list[Call] = []

        def arrived() -> bool:
            nonlocal position
            with self._state.lock:
                fresh = self._state.calls[position:]
            position += len(fresh)
            found.extend(
                c for c in fresh if c.method == name and (predicate is None or predicate(c))
            )
            return bool(found)

        return arrived, found

    def _timed_out(self, timeout: float, what: str) -> AssertionError:
        with self._state.lock:
            calls = list(self._state.calls)
            pending = len(self._state.updates)
        lines = [
            f"timed out after {timeout:g}s waiting for {what}; "
            f"{len(calls)} calls so far, {pending} updates pending"
        ]
        if len(calls) > WAIT_REPORT_CALLS:
            lines.append(f"  ... {len(calls) - WAIT_REPORT_CALLS} earlier calls")
        lines.extend(f"  {call.summary()}" for call in calls[-WAIT_REPORT_CALLS:])
        return AssertionError("\n".join(lines))

    # errors

    def queue_error(
        self,
        chat_id: int,
        kind: ErrorKind | str,
        *,
        count: int | None = 1,
        retry_after: int = 1,
        migrate_to_chat_id: int | None = None,
        method: str | None = None,
        hold: float = DEFAULT_HOLD,
    ) -> None:
        """Refuse the next count sends to chat_id (None: all, until clear_errors) with kind.

        Without method, sends are sendMessage, sendDocument, sendPhoto and the message edits. A
        "timeout" holds the request `hold` seconds (past the client's read timeout), then
        answers 504 without running it.
        """
        error = scripted_error(
            kind,
            chat_id,
            retry_after=retry_after,
            migrate_to_chat_id=migrate_to_chat_id,
            hold=hold,
        )
        with self._state.lock:
            self._state.gate.script(
                chat_id, error, count=count, method=canonical_name(method) if method else None
            )

    def clear_errors(self, chat_id: int | None = None) -> None:
        """Forget queued errors for chat_id, or for every chat."""
        with self._state.lock:
            self._state.gate.clear(chat_id)

    # flood limits

    def enforce_limits(self, limits: FloodLimits | None = None) -> None:
        """Answer 429 as Telegram does past its flood limits (Telegram's own by default).

        Off until a test calls this, so other tests never see a 429 they did not script.
        """
        with self._state.lock:
            self._state.gate.enforce(limits or FloodLimits())

    def stop_limits(self) -> None:
        """Stop enforcing flood limits."""
        with self._state.lock:
            self._state.gate.enforce(None)

    def flood_refusals(self) -> int:
        """How many 429s the flood limits answered (scripted floods not counted)."""
        with self._state.lock:
            return self._state.gate.flood_refusals

    # slow answers: a slow Telegram, and answers that come after the client gave up

    def delay_answers(self, chat_id: int, seconds: float, *, count: int | None = None) -> None:
        """Post the next `count` messages to the chat (None: all) but answer `seconds` later.

        Each message is delivered (in sent_messages) at once, as Telegram would; its answer
        comes late, or never reaches a client whose read timeout is shorter. `math.inf` holds
        the answers until `release_responses` (they count in `held_responses`).
        """
        if seconds == math.inf:
            if self._http is None:
                raise RuntimeError("the fake Bot API is not started")
            self._http.hold_answers(True)
        with self._state.lock:
            self._state.answer_delays[chat_id] = [seconds, count]

    # held answers: a crash between Telegram's delivery and the bot's record of it

    def hold_responses(self, after: int = 0) -> None:
        """Answer the next `after` posted messages; post later ones but hold their answers.

        The held messages are delivered (recorded, in sent_messages) as Telegram would, while
        the bot waits for their message ids until `release_responses`.
        """
        if self._http is None:
            raise RuntimeError("the fake Bot API is not started")
        with self._state.lock:
            self._state.answers_before_hold = after
        self._http.hold_answers(True)

    def release_responses(self) -> None:
        """Send every held answer, and hold no more."""
        with self._state.lock:
            self._state.answers_before_hold = None
        if self._http is not None:
            self._http.hold_answers(False)

    def held_responses(self) -> int:
        """How many answers are being held now."""
        with self._state.lock:
            return self._state.held
