"""Bot API methods that post, change or answer messages, with Telegram's checks and wording.

Each takes the state (locked by `botapi_methods.dispatch`), the decoded params and the uploaded
files, and returns the result or raises `ApiError`. All but answerCallbackQuery are bound to a
chat, so the gate sees them first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from tests.fakes.botapi_errors import bad_request
from tests.fakes.botapi_html import EntityParseError, parse_html, strip_text, utf16_len
from tests.fakes.botapi_state import JSON, BotApiState, UploadedFile

MAX_MESSAGE_CHARS: Final = 4096
MAX_RAW_TEXT_BYTES: Final = 32 * 1024
MAX_CAPTION_CHARS: Final = 1024
MAX_CALLBACK_BYTES: Final = 64
MAX_CALLBACK_ANSWER_CHARS: Final = 200
CHAT_ACTIONS: Final = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
BUTTON_ACTIONS: Final = frozenset(
    {
        "url", "callback_data", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
        "callback_game", "pay",
    }
)  # fmt: skip
NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
LINK_PREVIEW_FLAGS: Final = frozenset(
    {"is_disabled", "prefer_small_media", "prefer_large_media", "show_above_text"}
)
QUERY_TOO_OLD: Final = "query is too old and response timeout expired or query ID is invalid"

Method = Callable[[BotApiState, JSON, dict[str, UploadedFile]], Any]


# text, entities and keyboards


def formatted_text(
    params: JSON, key: str, *, entities_key: str, limit: int, empty: str | None, too_long: str
) -> tuple[str, list[JSON]]:
    """Text after entity parsing and trimming, checked against Telegram's limits."""
    raw = params.get(key)
    text = "" if raw is None else str(raw)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_RAW_TEXT_BYTES:
        # The Bot API server's own bound on a request's text, before any parsing.
        raise bad_request("text is too long")
    entities = params.get(entities_key)
    if entities is not None:
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise bad_request(f"can't parse {entities_key} JSON object")
    else:
        entities = []
        mode = str(params.get("parse_mode") or "").lower()
        if mode == "html":
            try:
                text, entities = parse_html(text)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif mode:
            raise bad_request(f"unsupported parse_mode {params['parse_mode']!r} in the fake")
    text, entities = strip_text(text, entities)
    if not text and empty is not None:
        raise bad_request(empty)
    if utf16_len(text) > limit:
        raise bad_request(too_long)
    return text, entities


def inline_markup(raw: Any) -> JSON | None:
    """The inline keyboard a message carries, checked as Telegram checks it."""
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = raw.get("inline_keyboard")
    if rows is None:
        return None  # reply keyboards are not part of the message
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("can't parse inline keyboard button: Text must be a String")
        if not BUTTON_ACTIONS & button.keys():
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if data is not None and (
            not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES
        ):
            raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button and not button["url"]:
            raise bad_request("BUTTON_URL_INVALID")
    rows = [row for row in rows if row]
    return {"inline_keyboard": rows} if rows else None


def link_preview(raw: Any) -> JSON | None:
    """The link_preview_options a message is sent with, checked as Telegram checks them.

    Telegram fetches the URL later and sends the text whatever it finds: the fake fetches
    nothing, and the message records the options as Telegram's Message does.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if not isinstance(raw, dict) or not raw.keys() <= LINK_PREVIEW_FLAGS | {"url"}:
        raise bad_request("can't parse link preview options JSON object")
    if any(not isinstance(raw[flag], bool) for flag in LINK_PREVIEW_FLAGS & raw.keys()):
        raise bad_request("can't parse link preview options JSON object")
    if "url" in raw and not isinstance(raw["url"], str):
        raise bad_request("can't parse link preview options JSON object")
    return raw


def reply_target(state: BotApiState, chat: JSON, params: JSON) -> JSON | None:
    """The message a new message replies to, if any."""
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        message_id, allow = reply.get("message_id"), reply.get("allow_sending_without_reply")
    else:
        message_id = params.get("reply_to_message_id")
        allow = params.get("allow_sending_without_reply")
    if message_id is None:
        return None
    target = state.messages.get((chat["id"], message_id))
    if target is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return {k: v for k, v in target.items() if k != "reply_to_message"}


def send(state: BotApiState, params: JSON, content: JSON) -> JSON:
    """Post a message from the bot with content into the chat params name."""
    chat = state.resolve_chat(params.get("chat_id"))
    markup = inline_markup(params.get("reply_markup"))
    preview = link_preview(params.get("link_preview_options"))
    replied = reply_target(state, chat, params)
    message = state.new_message(chat, state.bot_user, thread_id=params.get("message_thread_id"))
    if replied is not None:
        message["reply_to_message"] = replied
    message.update(content)
    if markup is not None:
        message["reply_markup"] = markup
    if preview is not None:
        message["link_preview_options"] = preview
    state.store(message, from_bot=True)
    return message


def message_to_edit(state: BotApiState, params: JSON) -> JSON:
    """The bot's message an edit names by chat_id and message_id."""
    chat = state.resolve_chat(params.get("chat_id"))
    message_id = params.get("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = state.messages.get((chat["id"], message_id))
    if message is None:
        raise bad_request("message to edit not found")
    if not state.is_from_bot(message):
        raise bad_request("message can't be edited")
    return message


def edit(state: BotApiState, message: JSON, changes: JSON) -> JSON:
    """Replace message with a copy carrying changes (None values remove keys)."""
    current = {k: message.get(k) for k in changes}
    if current == changes:
        raise bad_request(NOT_MODIFIED)
    edited = {k: v for k, v in message.items() if k not in changes}
    edited.update({k: v for k, v in changes.items() if v is not None})
    edited["edit_date"] = int(state.clock())
    state.store(edited, from_bot=True)
    return edited


# methods


def send_message(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> JSON:
    text, entities = formatted_text(
        params,
        "text",
        entities_key="entities",
        limit=MAX_MESSAGE_CHARS,
        empty="message text is empty",
        too_long="message is too long",
    )
    return send(state, params, {"text": text, **({"entities": entities} if entities else {})})


def send_document(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> JSON:
    return send_file(state, params, files, "document")


def send_photo(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> JSON:
    return send_file(state, params, files, "photo")


def send_file(
    state: BotApiState, params: JSON, files: dict[str, UploadedFile], field: str
) -> JSON:
    """sendDocument or sendPhoto: the file uploaded (or an id), with an optional caption."""
    caption, entities = formatted_text(
        params,
        "caption",
        entities_key="caption_entities",
        limit=MAX_CAPTION_CHARS,
        empty=None,
        too_long="message caption is too long",
    )
    upload = params.get(field)
    if isinstance(upload, str) and upload.startswith("attach://"):
        upload = files.get(upload.removeprefix("attach://"))
    elif upload is None:
        upload = files.get(field)
    if isinstance(upload, UploadedFile):
        stored = state.add_file(upload.content, upload.filename, upload.content_type)
    elif isinstance(upload, str) and upload in state.files:
        stored = state.files[upload]
    elif upload is None:
        raise bad_request(f"there is no {field} in the request")
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    content: JSON = {field: stored.photo() if field == "photo" else stored.document()}
    if caption:
        content["caption"] = caption
    if entities:
        content["caption_entities"] = entities
    return send(state, params, content)


def edit_message_text(
    state: BotApiState, params: JSON, files: dict[str, UploadedFile]
) -> JSON | bool:
    text, entities = formatted_text(
        params,
        "text",
        entities_key="entities",
        limit=MAX_MESSAGE_CHARS,
        empty="message text is empty",
        too_long="message is too long",
    )
    markup = inline_markup(params.get("reply_markup"))
    link_preview(params.get("link_preview_options"))
    if params.get("inline_message_id") is not None:
        return True
    message = message_to_edit(state, params)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    changes = {"text": text, "entities": entities or None, "reply_markup": markup}
    return edit(state, message, changes)


def edit_message_reply_markup(
    state: BotApiState, params: JSON, files: dict[str, UploadedFile]
) -> JSON | bool:
    markup = inline_markup(params.get("reply_markup"))
    if params.get("inline_message_id") is not None:
        return True
    return edit(state, message_to_edit(state, params), {"reply_markup": markup})


def delete_message(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> bool:
    chat, message_id = state.resolve_chat(params.get("chat_id")), params.get("message_id")
    key: tuple[int, int] = (chat["id"], message_id if isinstance(message_id, int) else 0)
    if state.messages.pop(key, None) is None:
        raise bad_request("message to delete not found")
    state.bot_messages.pop(key, None)
    return True


def send_chat_action(state: BotApiState, params: JSON, files: dict[str, UploadedFile]) -> bool:
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def answer_callback_query(
    state: BotApiState, params: JSON, files: dict[str, UploadedFile]
) -> bool:
    query_id = params.get("callback_query_id")
    if state.callback_queries.get(str(query_id)) is not False:
        raise bad_request(QUERY_TOO_OLD)
    if utf16_len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_CHARS:
        raise bad_request("MESSAGE_TOO_LONG")
    state.callback_queries[str(query_id)] = True
    return True


METHODS: Final[dict[str, Method]] = {
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
    "answerCallbackQuery": answer_callback_query,
}
CHAT_BOUND: Final = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "sendChatAction",
    }
)
