"""Dispatch of Bot API calls to the methods the fake implements, and the record of each call.

getUpdates is not here: it waits, so the HTTP layer (`botapi_http`) serves it, as it serves
the waits `dispatch` asks for (a scripted timeout, an answer held by `hold_responses`).
"""

from __future__ import annotations

import math
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
) -> tuple[int, JSON, float]:
    """Run a method and record the call: HTTP status, Telegram's JSON answer, and a wait.

    The wait is how many seconds to hold the answer: 0, a scripted timeout's hold, a posted
    message's delay (`delay_answers`), or math.inf for an answer held until `release_responses`.
    """
    entry = METHODS.get(name.lower())
    hold = 0.0
    with state.lock:
        try:
            if entry is None:
                raise ApiError(404, "Not Found")
            canonical, run = entry
            if canonical in botapi_messages.CHAT_BOUND and "inline_message_id" not in params:
                # The gate sees a call before its checks, as flood control would.
                state.admit(canonical, state.resolve_chat(params.get("chat_id")), params)
            result = run(state, params, files)
            status, payload = 200, {"ok": True, "result": result}
            if state.hold_answer(canonical):
                hold = math.inf
            elif isinstance(result, dict) and isinstance(chat := result.get("chat"), dict):
                hold = state.answer_delay(canonical, chat["id"])
        except ApiError as error:
            status, payload, hold = error.code, error.payload(), error.hold
        state.record(Call(canonical_name(name), params, files, status, payload))
    return status, payload, hold
