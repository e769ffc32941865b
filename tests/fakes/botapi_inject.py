"""The update-injecting half of BotApiServer: what users do, as Telegram reports it."""

from __future__ import annotations

from typing import Any

from tests.fakes.botapi_chats import chat_member
from tests.fakes.botapi_html import utf16_len
from tests.fakes.botapi_state import JSON, BotApiState


class InjectUpdates:
    """inject_* methods: each builds an update, checks it with PTB and queues it.

    Each returns the update id. Users and chats are registered on first use.
    """

    _state: BotApiState
    bot_id: int

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str | None = None,
        chat_type: str | None = None,
        message_thread_id: int | None = None,
        first_name: str | None = None,
        username: str | None = None,
        entities: list[JSON] | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user writes text in a chat (a channel post in channels); returns the update id.

        language_code None keeps the user's (new users get "en"); "" removes it.
        """
        with self._state.lock:
            message = self._user_message(
                chat_id, user_id, language_code, chat_type, message_thread_id, first_name, username
            )
            message["text"] = text
            if entities:
                message["entities"] = entities
            if reply_to_message_id is not None:
                replied = self._state.messages.get((chat_id, reply_to_message_id))
                if replied is None:
                    raise ValueError(f"no message {reply_to_message_id} in chat {chat_id}")
                message["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
            return self._post(message)

    def inject_command(self, chat_id: int, command: str, **kwargs: Any) -> int:
        """A user sends a command such as "/start arg" or "/help@botname"."""
        if not command.startswith("/"):
            raise ValueError(f"a command starts with '/': {command!r}")
        length = utf16_len(command.split(maxsplit=1)[0])
        entity = {"type": "bot_command", "offset": 0, "length": length}
        return self.inject_message(chat_id, command, entities=[entity], **kwargs)

    def inject_document(
        self,
        chat_id: int,
        file_name: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        user_id: int | None = None,
        language_code: str | None = None,
        chat_type: str | None = None,
        message_thread_id: int | None = None,
    ) -> int:
        """A user sends a file the bot can download with getFile; returns the update id."""
        with self._state.lock:
            message = self._user_message(
                chat_id, user_id, language_code, chat_type, message_thread_id, None, None
            )
            message["document"] = self._state.add_file(content, file_name, mime_type).document()
            if caption:
                message["caption"] = caption
            return self._post(message)

    def inject_edited_message(self, chat_id: int, message_id: int, text: str) -> int:
        """A user edits a message injected earlier; returns the update id."""
        with self._state.lock:
            message = self._state.messages.get((chat_id, message_id))
            if message is None or self._state.is_from_bot(message) or "text" not in message:
                raise ValueError(f"no user text message {message_id} in chat {chat_id}")
            edited = {k: v for k, v in message.items() if k != "entities"}
            edited.update(text=text, edit_date=int(self._state.clock()))
            self._state.store(edited, from_bot=False)
            kind = (
                "edited_channel_post" if edited["chat"]["type"] == "channel" else "edited_message"
            )
            return self._state.enqueue({kind: edited})

    def inject_callback(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int,
        user_id: int | None = None,
        language_code: str | None = None,
        first_name: str | None = None,
        username: str | None = None,
    ) -> int:
        """A user presses the button carrying data on a message the bot sent."""
        with self._state.lock:
            message = self._state.messages.get((chat_id, message_id))
            if message is None or not self._state.is_from_bot(message):
                raise ValueError(f"the bot sent no message {message_id} in chat {chat_id}")
            buttons = message.get("reply_markup", {}).get("inline_keyboard", [])
            offered = [b.get("callback_data") for row in buttons for b in row]
            if data not in offered:
                raise ValueError(
                    f"message {message_id} has no button with {data!r}; it offers {offered!r} "
                    "(use inject_raw for anything else)"
                )
            user = self._sender(message["chat"], user_id, language_code, first_name, username)
            query_id = str(self._state.next_id())
            self._state.callback_queries[query_id] = False
            query = {
                "id": query_id,
                "from": user,
                "message": message,
                "chat_instance": str(hash((chat_id, self.bot_id)) & 0x7FFFFFFFFFFFFFFF),
                "data": data,
            }
            return self._state.enqueue({"callback_query": query})

    def inject_my_chat_member(
        self,
        chat_id: int,
        new_status: str,
        *,
        old_status: str | None = None,
        user_id: int | None = None,
        chat_type: str | None = None,
    ) -> int:
        """The bot's own status changes: added to a group, made admin, blocked (kicked)."""
        with self._state.lock:
            chat = self._state.chat(chat_id, chat_type)
            user = self._sender(chat, user_id, None, None, None)
            if old_status is None:
                old_status = "member" if new_status in ("left", "kicked") else "left"
            change = {
                "chat": chat,
                "from": user,
                "date": int(self._state.clock()),
                "old_chat_member": chat_member(self._state, chat, self.bot_id, old_status),
                "new_chat_member": chat_member(self._state, chat, self.bot_id, new_status),
            }
            self._state.members.setdefault(chat_id, {})[self.bot_id] = new_status
            return self._state.enqueue({"my_chat_member": change})

    def inject_raw(self, update: JSON) -> int:
        """Queue any update, even of a type PTB does not know; its update_id is assigned."""
        body = {k: v for k, v in update.items() if k != "update_id"}
        with self._state.lock:
            return self._state.enqueue(body)

    # with the lock held

    def _sender(
        self,
        chat: JSON,
        user_id: int | None,
        language_code: str | None,
        first_name: str | None,
        username: str | None,
    ) -> JSON:
        if user_id is None:
            if chat["type"] != "private":
                raise ValueError(f"user_id is required in {chat['type']} chat {chat['id']}")
            user_id = chat["id"]
        is_new = user_id not in self._state.users
        user = self._state.user(
            user_id,
            first_name=first_name,
            username=username,
            language_code=language_code or ("en" if is_new and language_code is None else None),
        )
        if language_code == "":
            user.pop("language_code", None)
        if chat["type"] == "private":
            chat.update(first_name=user["first_name"])
            if "username" in user:
                chat["username"] = user["username"]
        return user

    def _user_message(
        self,
        chat_id: int,
        user_id: int | None,
        language_code: str | None,
        chat_type: str | None,
        thread_id: int | None,
        first_name: str | None,
        username: str | None,
    ) -> JSON:
        chat = self._state.chat(chat_id, chat_type)
        sender = None
        if chat["type"] != "channel":
            sender = self._sender(chat, user_id, language_code, first_name, username)
        return self._state.new_message(chat, sender, thread_id=thread_id)

    def _post(self, message: JSON) -> int:
        self._state.store(message, from_bot=False)
        kind = "channel_post" if message["chat"]["type"] == "channel" else "message"
        return self._state.enqueue({kind: message})
