"""Telegram's error responses, and the gate that decides when a chat-bound call is refused.

`Gate.check` runs before every chat-bound method. Today it replays errors a test scripted with
`BotApiServer.queue_error`; flood limits (overall, per chat, per group) belong there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

# Methods a scripted error hits when the test does not name one: the ones that post or change
# a message, not chat actions or callback answers.
MESSAGE_METHODS: Final = frozenset(
    {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"}
)


class ApiError(Exception):
    """A Telegram error response: HTTP status, description and optional parameters."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


class ErrorKind(StrEnum):
    """Errors a test can script for a chat."""

    FLOOD = "flood"  # 429, parameters.retry_after
    BLOCKED = "blocked"  # 403, the user blocked the bot
    KICKED = "kicked"  # 403, the bot was removed from the group
    CHAT_NOT_FOUND = "chat_not_found"  # 400
    MIGRATED = "migrated"  # 400, parameters.migrate_to_chat_id
    BAD_GATEWAY = "bad_gateway"  # 502


def supergroup_id(chat_id: int) -> int:
    """The id Telegram gives a group upgraded to a supergroup: -100 followed by its digits."""
    return int(f"-100{abs(chat_id)}")


def scripted_error(
    kind: ErrorKind | str,
    chat_id: int,
    *,
    retry_after: int = 1,
    migrate_to_chat_id: int | None = None,
) -> ApiError:
    """The error Telegram answers for kind, in Telegram's words."""
    match ErrorKind(kind):
        case ErrorKind.FLOOD:
            return ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        case ErrorKind.BLOCKED:
            return ApiError(403, "Forbidden: bot was blocked by the user")
        case ErrorKind.KICKED:
            return ApiError(403, "Forbidden: bot was kicked from the group chat")
        case ErrorKind.CHAT_NOT_FOUND:
            return bad_request("chat not found")
        case ErrorKind.MIGRATED:
            new_id = (
                migrate_to_chat_id if migrate_to_chat_id is not None else supergroup_id(chat_id)
            )
            return ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new_id},
            )
        case ErrorKind.BAD_GATEWAY:
            return ApiError(502, "Bad Gateway")


@dataclass
class _Scripted:
    error: ApiError
    method: str | None
    remaining: int | None  # None: until cleared

    def matches(self, method: str) -> bool:
        return method == self.method if self.method else method in MESSAGE_METHODS


class Gate:
    """Decides whether Telegram refuses a chat-bound call before it runs.

    Not locked: the state calls it under its own lock.
    """

    def __init__(self) -> None:
        self._scripted: dict[int, list[_Scripted]] = {}

    def script(
        self, chat_id: int, error: ApiError, *, count: int | None, method: str | None
    ) -> None:
        """Refuse the next count matching calls for chat_id (None: every one until cleared)."""
        if count is not None and count < 1:
            raise ValueError(f"count must be at least 1 or None, not {count}")
        self._scripted.setdefault(chat_id, []).append(_Scripted(error, method, count))

    def clear(self, chat_id: int | None = None) -> None:
        """Forget scripted errors for chat_id, or for every chat."""
        if chat_id is None:
            self._scripted.clear()
        else:
            self._scripted.pop(chat_id, None)

    def check(self, method: str, chat_id: int, now: float) -> ApiError | None:
        """The error to answer instead of running method for chat_id at now, if any."""
        scripted = self._scripted.get(chat_id)
        if not scripted:
            return None
        for entry in scripted:
            if entry.matches(method):
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        scripted.remove(entry)
                return entry.error
        return None
