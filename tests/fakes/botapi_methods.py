"""Dispatch of Bot API calls to the methods the fake implements, and the record of each call.

getUpdates is not here: it waits, so the HTTP layer (`botapi_http`) serves it.
"""

from __future__ import annotations

from typing import Final

from tests.fakes import botapi_chats, botapi_messages
from tests.fakes.botapi_errors import ApiError
from tests.fakes.botapi_messages import Method
from tests.fakes.botapi_state import JSON, BotApiState, Call, UploadedFile

# Telegram ignores the case of method names: lower-cased name -> (Bot API name, method).
METHODS: Final[dict[str, tuple[str, Method]]] = {
    name.lower(): (name, run)
    for table in (botapi_messages.METHODS, botapi_chats.METHODS)
    for name, run in table.items()
}


def canonical_name(name: str) -> str:
    """The Bot API spelling of a method name."""
    entry = METHODS.get(name.lower())
    return entry[0] if entry else name


def dispatch(
    state: BotApiState, name: str, params: JSON, files: dict[str, UploadedFile]
) -> tuple[int, JSON]:
    """Run a method and record the call: the HTTP status and Telegram's JSON answer."""
    entry = METHODS.get(name.lower())
    with state.lock:
        try:
            if entry is None:
                raise ApiError(404, "Not Found")
            canonical, run = entry
            if canonical in botapi_messages.CHAT_BOUND and "inline_message_id" not in params:
                # The gate sees a call before its checks, as flood control would.
                state.admit(canonical, state.resolve_chat(params.get("chat_id"))["id"])
            status, payload = 200, {"ok": True, "result": run(state, params, files)}
        except ApiError as error:
            status, payload = error.code, error.payload()
        state.record(Call(canonical_name(name), params, files, status, payload))
    return status, payload
