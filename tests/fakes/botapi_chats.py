"""Bot API methods about the bot itself, its command menus, webhook, chats and files."""

from __future__ import annotations

import re
from typing import Final

from tests.fakes.botapi_errors import bad_request
from tests.fakes.botapi_messages import Method
from tests.fakes.botapi_state import (
    JSON,
    MAX_DOWNLOAD_BYTES,
    BotApiState,
    CommandScope,
    UploadedFile,
)

SCOPE_TYPES: Final = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators",
        "chat", "chat_administrators", "chat_member",
    }
)  # fmt: skip
BOT_COMMAND: Final = re.compile(r"[a-z0-9_]{1,32}")
MAX_COMMAND_DESCRIPTION: Final = 256


def get_me(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> JSON:
    return state.bot


def command_key(params: JSON) -> tuple[CommandScope, str]:
    """Where setMyCommands stores a list: its scope and language."""
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    chat_id = scope.get("chat_id")
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        chat_id = int(chat_id)
    return (scope["type"], chat_id, scope.get("user_id")), str(params.get("language_code") or "")


def set_my_commands(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not BOT_COMMAND.fullmatch(
            str(command.get("command", ""))
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= MAX_COMMAND_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = command_key(params)
    if commands:
        state.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        state.commands.pop(key, None)
    return True


def delete_my_commands(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> bool:
    state.commands.pop(command_key(params), None)
    return True


def get_my_commands(
    state: BotApiState, params: JSON, files: dict[str, UploadedFile]
) -> list[JSON]:
    return state.commands.get(command_key(params), [])


def set_webhook(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> bool:
    state.webhook_url = str(params.get("url") or "")
    if params.get("drop_pending_updates"):
        state.updates.clear()
    return True


def delete_webhook(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> bool:
    state.webhook_url = ""
    if params.get("drop_pending_updates"):
        state.updates.clear()
    return True


def get_webhook_info(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> JSON:
    return {
        "url": state.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }


def get_file(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> JSON:
    stored = state.file(params.get("file_id"))
    if len(stored.content) > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return stored.file()


def get_chat(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> JSON:
    chat = state.resolve_chat(params.get("chat_id"))
    gift_types = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {
        **chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gift_types,
    }


def chat_member(state: BotApiState, chat: JSON, user_id: int, status: str | None = None) -> JSON:
    """A ChatMember object for user_id in chat, with status or the one the state knows."""
    user = state.bot_user if user_id == state.bot["id"] else state.user(user_id)
    status = status or state.member_status(chat["id"], user_id)
    member: JSON = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        rights = (
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
            "can_restrict_members", "can_change_info", "can_invite_users",
        )  # fmt: skip
        member.update(dict.fromkeys(rights, True))
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_promote_members=False,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
        )
        if chat["type"] == "channel":
            member.update(can_post_messages=True, can_edit_messages=True)
        else:
            member.update(can_pin_messages=True)
    elif status == "kicked":
        member["until_date"] = 0
    return member


def get_chat_member(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> JSON:
    chat = state.resolve_chat(params.get("chat_id"))
    user_id = params.get("user_id")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise bad_request("invalid user_id specified")
    return chat_member(state, chat, user_id)


def get_chat_administrators(
    state: BotApiState, params: JSON, files: dict[str, UploadedFile]
) -> list[JSON]:
    chat = state.resolve_chat(params.get("chat_id"))
    if chat["type"] == "private":
        raise bad_request("there are no administrators in the private chat")
    admins = [
        user_id
        for user_id, status in state.members.get(chat["id"], {}).items()
        if status in ("creator", "administrator")
    ]
    return [chat_member(state, chat, user_id) for user_id in admins]


METHODS: Final[dict[str, Method]] = {
    "getMe": get_me,
    "setMyCommands": set_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getMyCommands": get_my_commands,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "getFile": get_file,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
}
