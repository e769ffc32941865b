"""Everything the fake Bot API remembers, in memory, behind one lock.

The HTTP layer and the test thread both reach it; every public method of `BotApiState` is
called with `lock` held (it is reentrant, so a test's predicate may call back in).
"""

from __future__ import annotations

import itertools
import mimetypes
import struct
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from telegram import Update

from tests.fakes.botapi_errors import POSTING_METHODS, ApiError, Gate, bad_request

JSON = dict[str, Any]
CommandScope = tuple[str, int | None, int | None]  # type, chat_id, user_id
# Update kinds Telegram withholds unless a bot asks for them in allowed_updates.
OPT_IN_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_TYPES: Final = frozenset({"private", "group", "supergroup", "channel"})
MEMBER_STATUSES: Final = frozenset({"creator", "administrator", "member", "left", "kicked"})
MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Call:
    """One Bot API request as the fake saw it: params decoded from any encoding."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    status: int
    response: dict[str, Any]

    @property
    def ok(self) -> bool:
        """Whether Telegram would have answered ok: true."""
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The result of a successful call."""
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        return self.response.get("description")

    def summary(self) -> str:
        """One line for failure messages."""
        shown = {k: v for k, v in self.params.items() if k != "reply_markup"}
        outcome = "ok" if self.ok else f"{self.status} {self.description}"
        return f"{self.method} {shown!r:.160} -> {outcome}"


@dataclass
class StoredFile:
    """A file Telegram holds: uploaded by the bot or injected by a test."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    content: bytes

    def document(self) -> JSON:
        """The Document object of a message carrying this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }

    def photo(self) -> list[JSON]:
        """The PhotoSize list of a message carrying this file: one size, a PNG's own."""
        # A PNG's IHDR chunk: width and height, big-endian, at bytes 16 to 24.
        png = self.content.startswith(b"\x89PNG\r\n\x1a\n") and len(self.content) >= 24
        width, height = struct.unpack(">II", self.content[16:24]) if png else (0, 0)
        size = {"file_size": len(self.content), "width": width, "height": height}
        return [{"file_id": self.file_id, "file_unique_id": self.file_unique_id, **size}]

    def file(self) -> JSON:
        """The File object getFile returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


def update_kind(update: JSON) -> str:
    """The type of an update: the one key besides update_id."""
    return next((key for key in update if key != "update_id"), "")


def default_chat_type(chat_id: int) -> str:
    """Private for users (positive ids), supergroup for negative ids."""
    return "private" if chat_id > 0 else "supergroup"


class BotApiState:
    """Chats, users, messages, updates, files, commands and every call, with one lock."""

    def __init__(self, token: str, bot: JSON, clock: Callable[[], float]) -> None:
        self.token = token
        self.bot = bot  # getMe's answer
        # The bot as the sender of a message: the User fields without getMe's extras.
        self.bot_user = {k: bot[k] for k in ("id", "is_bot", "first_name", "username")}
        self.clock = clock
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.version = 0  # bumped on every change, for waiters
        self.gate = Gate()
        # hold_responses: posts answered before answers are held (None: none are held), and
        # how many answers are held now.
        self.answers_before_hold: int | None = None
        self.held = 0
        # delay_answers: chat id -> [seconds each answer waits, how many more (None: all)].
        self.answer_delays: dict[int, list[Any]] = {}
        self.calls: list[Call] = []
        self.chats: dict[int, JSON] = {}
        self.users: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.bot_messages: dict[tuple[int, int], None] = {}  # an ordered set
        self.updates: deque[JSON] = deque()
        self.allowed_updates: frozenset[str] | None = None  # None: Telegram's default set
        self.webhook_url = ""
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.commands: dict[tuple[CommandScope, str], list[JSON]] = {}
        self.members: dict[int, dict[int, str]] = {}
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self.on_update: Callable[[], None] = lambda: None  # wakes a waiting getUpdates
        self._last_message_id: dict[int, int] = {}
        self._next_update_id = 1
        self._ids = itertools.count(1)

    # chats and users

    def chat(self, chat_id: int, chat_type: str | None = None, **fields: Any) -> JSON:
        """The chat with chat_id, registered on first use; chat_type and fields update it."""
        chat = self.chats.get(chat_id)
        if chat is None or (chat_type is not None and chat["type"] != chat_type):
            kind = chat_type or default_chat_type(chat_id)
            if kind not in CHAT_TYPES:
                raise ValueError(f"unknown chat type {kind!r}")
            if kind == "private":
                user = self.users.get(chat_id, {})
                chat = {"id": chat_id, "type": kind}
                chat["first_name"] = user.get("first_name", f"User {chat_id}")
                if "username" in user:
                    chat["username"] = user["username"]
            else:
                chat = {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}
            self.chats[chat_id] = chat
        chat.update({k: v for k, v in fields.items() if v is not None})
        return chat

    def resolve_chat(self, value: Any) -> JSON:
        """The chat a chat_id parameter names: an integer id or an @username."""
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return self.chat(value)
        if isinstance(value, str) and value.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username", "").lower() == value[1:].lower():
                    return chat
        raise bad_request("chat not found")

    def user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        """The user with user_id, registered on first use; given fields update it."""
        user = self.users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )
        for key, value in (
            ("first_name", first_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is not None:
                user[key] = value
        return user

    def member_status(self, chat_id: int, user_id: int) -> str:
        """A user's status in a chat: as the test set it, else member of their private chat."""
        status = self.members.get(chat_id, {}).get(user_id)
        if status is not None:
            return status
        if user_id == chat_id or user_id == self.bot["id"]:
            return "member"
        return "left"

    # messages

    def new_message(self, chat: JSON, sender: JSON | None, *, thread_id: Any = None) -> JSON:
        """A message skeleton in chat: the next id, the date, the sender."""
        message_id = self._last_message_id.get(chat["id"], 0) + 1
        self._last_message_id[chat["id"]] = message_id
        message: JSON = {"message_id": message_id, "date": int(self.clock()), "chat": chat}
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        elif sender is not None:
            message["from"] = sender
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.get("is_forum"):
                message["is_topic_message"] = True
        return message

    def store(self, message: JSON, *, from_bot: bool) -> None:
        """Keep message (replacing an older version with the same id)."""
        key = (message["chat"]["id"], message["message_id"])
        if from_bot:
            self.bot_messages[key] = None
        self.messages[key] = message
        self.touch()

    def is_from_bot(self, message: JSON) -> bool:
        """Whether the bot sent message."""
        return (message["chat"]["id"], message["message_id"]) in self.bot_messages

    # updates

    def enqueue(self, body: JSON) -> int:
        """Queue an update for getUpdates, checked and normalised by PTB's own parser."""
        update = {**body, "update_id": self._next_update_id}
        normalised = Update.de_json(update, bot=None).to_dict()
        self._next_update_id += 1
        self.updates.append(normalised)
        self.touch()
        self.on_update()
        return int(normalised["update_id"])

    def is_allowed(self, kind: str) -> bool:
        """Whether the bot's allowed_updates setting lets updates of kind through."""
        if self.allowed_updates is None:
            return kind not in OPT_IN_UPDATES
        return kind in self.allowed_updates

    def take_updates(self, offset: int | None, limit: int, allowed: Any) -> list[JSON]:
        """Acknowledge updates before offset, then the next limit ones (not removed)."""
        if offset is not None:
            if offset < 0:
                while len(self.updates) > -offset:
                    self.updates.popleft()
            else:
                while self.updates and self.updates[0]["update_id"] < offset:
                    self.updates.popleft()
        if isinstance(allowed, list):
            self.allowed_updates = frozenset(allowed) if allowed else None
        if not all(self.is_allowed(update_kind(u)) for u in self.updates):
            # Telegram would never have queued them.
            self.updates = deque(u for u in self.updates if self.is_allowed(update_kind(u)))
        return list(itertools.islice(self.updates, limit))

    # files

    def add_file(self, content: bytes, file_name: str, mime_type: str | None = None) -> StoredFile:
        """Hold content as a document Telegram can serve."""
        number = next(self._ids)
        suffix = "." + file_name.rsplit(".", 1)[1] if "." in file_name else ""
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{number:08d}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=f"documents/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type
            or mimetypes.guess_type(file_name, strict=False)[0]
            or "application/octet-stream",
            content=content,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file(self, file_id: Any) -> StoredFile:
        """The file with file_id, or Telegram's error."""
        stored = self.files.get(file_id) if isinstance(file_id, str) else None
        if stored is None:
            raise bad_request("invalid file_id")
        return stored

    # calls

    def touch(self) -> None:
        """Note a change and wake anyone waiting for one."""
        self.version += 1
        self.changed.notify_all()

    def next_id(self) -> int:
        """A fresh number for callback query ids and the like."""
        return next(self._ids)

    def record(self, call: Call) -> None:
        """Remember a call and wake anyone waiting for it."""
        self.calls.append(call)
        self.touch()

    def admit(self, method: str, chat: JSON, params: JSON) -> None:
        """Raise the error Telegram would answer instead of running method in chat."""
        error: ApiError | None = self.gate.check(
            method,
            chat["id"],
            self.clock(),
            chat_type=chat["type"],
            paid=params.get("allow_paid_broadcast") is True,
        )
        if error is not None:
            raise error

    def answer_delay(self, method: str, chat_id: int) -> float:
        """After a message was posted to the chat: seconds its answer waits (`delay_answers`)."""
        entry = self.answer_delays.get(chat_id)
        if method not in POSTING_METHODS or entry is None:
            return 0.0
        seconds, count = entry
        if count is not None:
            if count <= 1:
                del self.answer_delays[chat_id]
            else:
                entry[1] = count - 1
        return float(seconds)

    def hold_answer(self, method: str) -> bool:
        """After a message was posted: whether its answer is to be held (`hold_responses`)."""
        if method not in POSTING_METHODS or self.answers_before_hold is None:
            return False
        if self.answers_before_hold > 0:
            self.answers_before_hold -= 1
            return False
        return True
