"""Telegram's error responses, and the gate that decides when a chat-bound call is refused.

`Gate.check` runs before every chat-bound method. It replays errors a test scripted with
`BotApiServer.queue_error`, then, when a test turned them on with `enforce_limits`, Telegram's
flood limits: overall (30/s, or 1,000/s for paid broadcasts), per private chat (1/s) and per
group, supergroup or channel (20/min). Each is a token bucket that allows a short burst, as
Telegram does; a refused call costs nothing and is answered 429 with retry_after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

# Methods a scripted error hits when the test does not name one: the ones that post or change
# a message, not chat actions or callback answers.
MESSAGE_METHODS: Final = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}
)
# Methods that post a new message: the ones Telegram's flood limits count.
POSTING_METHODS: Final = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
# How long a scripted timeout holds a request: longer than PTB's default read timeout (5 s).
DEFAULT_HOLD: Final = 6.0


class ApiError(Exception):
    """A Telegram error response: HTTP status, description and optional parameters."""

    def __init__(
        self,
        code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        hold: float = 0.0,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.hold = hold  # seconds to hold the request before answering (a timeout)

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
    TIMEOUT = "timeout"  # no answer within the client's read timeout (then 504)
    CANT_PARSE = "cant_parse"  # 400, can't parse entities (as for broken HTML)


def supergroup_id(chat_id: int) -> int:
    """The id Telegram gives a group upgraded to a supergroup: -100 followed by its digits."""
    return int(f"-100{abs(chat_id)}")


def scripted_error(
    kind: ErrorKind | str,
    chat_id: int,
    *,
    retry_after: int = 1,
    migrate_to_chat_id: int | None = None,
    hold: float = DEFAULT_HOLD,
) -> ApiError:
    """The error Telegram answers for kind, in Telegram's words; a timeout waits `hold` s first."""
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
        case ErrorKind.TIMEOUT:
            return ApiError(504, "Gateway Timeout", hold=hold)
        case ErrorKind.CANT_PARSE:
            return bad_request(
                "can't parse entities: Can't find end tag corresponding to start tag \"b\""
            )


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's flood limits as the fake enforces them: rates in messages/s, bursts in messages.

    The defaults are Telegram's published limits; Telegram tolerates short bursts, so the
    buckets start full and hold a little more than one message.
    """

    overall: float = 30.0
    overall_burst: float = 30.0
    paid: float = 1000.0  # requests with allow_paid_broadcast=true
    paid_burst: float = 1000.0
    private: float = 1.0
    private_burst: float = 3.0
    group: float = 20 / 60  # groups, supergroups and channels
    group_burst: float = 20.0


@dataclass
class _Bucket:
    """A token bucket: `rate` tokens/s up to `capacity`, full at first; a call takes one."""

    rate: float
    capacity: float
    level: float = 0.0
    stamp: float | None = None

    def wait(self, now: float) -> float:
        """Seconds until a token is there; 0 if one is there now."""
        self._refill(now)
        return 0.0 if self.level >= 1.0 else (1.0 - self.level) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.level -= 1.0

    def _refill(self, now: float) -> None:
        if self.stamp is None:
            self.level = self.capacity
        else:
            self.level = min(self.capacity, self.level + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now


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
        self.limits: FloodLimits | None = None  # None: no flood limits (the default)
        self.flood_refusals = 0  # 429s answered because a limit was exceeded
        self._buckets: dict[tuple[str, int], _Bucket] = {}

    def enforce(self, limits: FloodLimits | None) -> None:
        """Turn flood limits on (None: off), with full buckets."""
        self.limits = limits
        self._buckets.clear()

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

    def check(
        self,
        method: str,
        chat_id: int,
        now: float,
        *,
        chat_type: str = "private",
        paid: bool = False,
    ) -> ApiError | None:
        """The error to answer instead of running method for chat_id at now, if any."""
        for entry in self._scripted.get(chat_id, []):
            if entry.matches(method):
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._scripted[chat_id].remove(entry)
                return entry.error
        if self.limits is None or method not in POSTING_METHODS:
            return None
        buckets = self._buckets_for(self.limits, chat_id, chat_type, paid)
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            self.flood_refusals += 1
            retry_after = max(1, math.ceil(wait))
            return ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        for bucket in buckets:
            bucket.take(now)
        return None

    def _buckets_for(
        self, limits: FloodLimits, chat_id: int, chat_type: str, paid: bool
    ) -> list[_Bucket]:
        overall = (
            self._bucket("paid", 0, limits.paid, limits.paid_burst)
            if paid
            else self._bucket("overall", 0, limits.overall, limits.overall_burst)
        )
        if chat_type == "private":
            chat = self._bucket("chat", chat_id, limits.private, limits.private_burst)
        else:
            chat = self._bucket("chat", chat_id, limits.group, limits.group_burst)
        return [overall, chat]

    def _bucket(self, kind: str, key: int, rate: float, capacity: float) -> _Bucket:
        bucket = self._buckets.get((kind, key))
        if bucket is None:
            bucket = self._buckets[(kind, key)] = _Bucket(rate, capacity)
        return bucket
