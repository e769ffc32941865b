"""The fake Bot API, driven by python-telegram-bot itself and by raw httpx requests."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakes.botapi import BotApiServer, ErrorKind, FloodLimits
from tests.fakes.botapi_html import parse_html

USER = 42
GROUP = -1001234567890
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("💡 Key points", callback_data="kp:1")]])


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(bot_username="digest_test_bot") as server:
        yield server


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as bot:
        yield bot


@pytest.fixture
def http(server: BotApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.base_url}{server.token}/") as client:
        yield client


def application(server: BotApiServer) -> Application[Any, Any, Any, Any, Any, Any]:
    return (
        Application.builder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )


# the bot and its messages


async def test_get_me_returns_the_full_bot_user(server: BotApiServer, bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.is_bot, me.username) == (server.bot_id, True, "digest_test_bot")
    assert (me.can_join_groups, me.can_read_all_group_messages) == (True, False)
    assert me.supports_inline_queries is False


async def test_send_message_returns_a_real_message_and_records_decoded_params(
    server: BotApiServer, bot: Bot
) -> None:
    first = await bot.send_message(USER, "one", reply_markup=KEYBOARD)
    second = await bot.send_message(USER, "two", message_thread_id=7)

    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.type == "private"
    assert first.from_user is not None
    assert first.from_user.id == server.bot_id
    assert first.reply_markup == KEYBOARD
    assert second.message_thread_id == 7
    call = server.calls("sendMessage")[0]
    assert call.params["chat_id"] == USER
    assert call.params["reply_markup"] == KEYBOARD.to_dict()
    assert isinstance(call.response["result"]["date"], int)
    assert [m["text"] for m in server.sent_messages(USER)] == ["one", "two"]


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_send_message_accepts_json_and_form_bodies(
    server: BotApiServer, http: httpx.Client, encoding: str
) -> None:
    markup = {"inline_keyboard": [[{"text": "Next", "callback_data": "next"}]]}
    if encoding == "json":
        response = http.post(
            "sendMessage", json={"chat_id": USER, "text": "hi", "reply_markup": markup}
        )
    else:
        form = {"chat_id": str(USER), "text": "hi", "reply_markup": json.dumps(markup)}
        response = http.post("sendMessage", data=form)

    assert response.status_code == 200
    assert response.json()["result"]["reply_markup"] == markup
    assert server.calls("sendMessage")[0].params == {
        "chat_id": USER,
        "text": "hi",
        "reply_markup": markup,
    }


async def test_chats_take_the_registered_type(server: BotApiServer, bot: Bot) -> None:
    server.add_chat(-555, "channel", title="News", username="news")

    group_message = await bot.send_message(GROUP, "to a group")
    channel_message = await bot.send_message("@news", "to a channel")

    assert group_message.chat.type == "supergroup"
    assert (channel_message.chat.type, channel_message.chat.id) == ("channel", -555)
    assert channel_message.sender_chat is not None
    assert channel_message.from_user is None


def test_unknown_token_and_unknown_method_answer_as_telegram(
    server: BotApiServer, http: httpx.Client
) -> None:
    unauthorized = httpx.post(f"{server.base_url}123:nope/getMe")
    unknown = http.post("sendTelepathy", json={})

    assert (unauthorized.status_code, unauthorized.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )


async def test_ptb_sees_an_unknown_token_as_invalid(server: BotApiServer) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123:nope", base_url=server.base_url):
            pass


# Telegram's limits


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<x>y</x>", 'Unsupported start tag "x" at byte offset 0'),
        ("日本<br>", 'Unsupported start tag "br" at byte offset 6'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold</i>", 'Unmatched end tag at byte offset 7, expected "</b>", found "</i>"'),
        ("<b>bold", "Can't find end tag corresponding to start tag b"),
        ("done</b>", "Unexpected end tag at byte offset 4"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
    ids=[
        "unknown",
        "utf8-offset",
        "bare-lt",
        "unmatched",
        "unclosed",
        "stray-end",
        "span",
        "a",
        "b",
    ],
)
async def test_bad_html_is_refused_with_telegrams_words(
    server: BotApiServer, bot: Bot, text: str, description: str
) -> None:
    with pytest.raises(BadRequest, match=r"^Can't parse entities: "):
        await bot.send_message(USER, text, parse_mode="HTML")

    assert server.calls("sendMessage")[0].description == (
        f"Bad Request: can't parse entities: {description}"
    )
    assert server.sent_messages() == []


@given(st.text())
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    assert parse_html(html.escape(text)) == (text, [])


def test_html_becomes_text_and_utf16_entities() -> None:
    html = (
        '😀 <b>bold <i>both</i></b> &lt;tag&gt; &amp; &#x1F4A1;<a href="https://e.x/?a=1&amp;b">'
        'link</a> <pre><code class="language-python">x = 1</code></pre> '
        "<blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler>"
    )

    text, entities = parse_html(html)

    assert text == "😀 bold both <tag> & 💡link x = 1 qs"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 23, "length": 4, "url": "https://e.x/?a=1&b"},
        {"type": "pre", "offset": 28, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 34, "length": 1},
        {"type": "spoiler", "offset": 35, "length": 1},
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>" + "a" * 4096 + "</b>", None),
        ("a" * 4097, "Message is too long"),
        ("😀" * 2048, None),
        ("😀" * 2048 + "a", "Message is too long"),
        ("&lt;" * 4096, None),
        ("\n" + "a" * 4096 + "  ", None),
        ("   ", "Message text is empty"),
        ("<b></b>", "Message text is empty"),
        (f'<a href="https://ex.com/{"a" * 33_000}">t</a>', "Text is too long"),
        ('<a href="https://ex.com/\x00x">t</a>', "Can't parse entities: unclosed start tag .*"),
    ],
    ids=[
        "4096-plus-tags",
        "4097",
        "emoji-4096",
        "emoji-4097",
        "entities",
        "trimmed",
        "blank",
        "empty-tags",
        "raw-over-32-kib",
        "nul-in-a-tag",
    ],
)
async def test_text_is_limited_after_entity_parsing_in_utf16_units(
    bot: Bot, text: str, error: str | None
) -> None:
    if error is None:
        await bot.send_message(USER, text, parse_mode="HTML")
    else:
        with pytest.raises(BadRequest, match=f"^{error}$"):
            await bot.send_message(USER, text, parse_mode="HTML")


@pytest.mark.parametrize(
    ("data", "ok"),
    [("x" * 64, True), ("x" * 65, False), ("あ" * 21, True), ("あ" * 22, False)],
    ids=["64", "65", "63-bytes", "66-bytes"],
)
async def test_callback_data_is_limited_to_64_bytes(
    server: BotApiServer, bot: Bot, data: str, ok: bool
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data=data)]])

    if ok:
        await bot.send_message(USER, "buttons", reply_markup=markup)
    else:
        with pytest.raises(BadRequest):
            await bot.send_message(USER, "buttons", reply_markup=markup)
        assert server.calls("sendMessage")[0].description == "Bad Request: BUTTON_DATA_INVALID"


async def test_link_preview_options_are_recorded_with_the_message(
    server: BotApiServer, bot: Bot
) -> None:
    image = LinkPreviewOptions(
        url="https://img.example/lead.jpg", prefer_large_media=True, show_above_text=True
    )

    sent = await bot.send_message(USER, "with an image", link_preview_options=image)
    plain = await bot.send_message(
        USER, "none", link_preview_options=LinkPreviewOptions(is_disabled=True)
    )

    assert sent.link_preview_options == image
    assert plain.link_preview_options == LinkPreviewOptions(is_disabled=True)
    first, second = server.calls("sendMessage")
    assert first.params["link_preview_options"] == {
        "url": "https://img.example/lead.jpg",
        "prefer_large_media": True,
        "show_above_text": True,
    }
    assert second.params["link_preview_options"] == {"is_disabled": True}


@pytest.mark.parametrize(
    "options",
    ['{"url": 5}', '{"show_above_text": "yes"}', '{"colour": "red"}', "[1]", "{not json"],
    ids=["url-not-a-string", "flag-not-a-boolean", "unknown-field", "not-an-object", "not-json"],
)
def test_link_preview_options_that_telegram_cannot_parse_are_refused(
    server: BotApiServer, http: httpx.Client, options: str
) -> None:
    form = {"chat_id": str(USER), "text": "hi", "link_preview_options": options}

    response = http.post("sendMessage", data=form)

    assert response.status_code == 400
    assert response.json()["description"] == (
        "Bad Request: can't parse link preview options JSON object"
    )
    assert server.sent_messages(USER) == []


async def test_edits_change_the_stored_message(server: BotApiServer, bot: Bot) -> None:
    sent = await bot.send_message(USER, "draft", reply_markup=KEYBOARD)

    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_text("draft", USER, sent.message_id, reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("<b>final</b>", USER, sent.message_id, parse_mode="HTML")
    assert not isinstance(edited, bool)
    unchanged = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=KEYBOARD)

    assert server.calls("editMessageText")[0].description == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    assert (edited.text, edited.reply_markup, edited.edit_date is not None) == (
        "final",
        None,
        True,
    )
    assert not isinstance(unchanged, bool)
    assert unchanged.reply_markup == KEYBOARD
    [message] = server.sent_messages(USER)
    assert message["text"] == "final"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert message["reply_markup"] == KEYBOARD.to_dict()


async def test_editing_a_missing_message_is_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("text", USER, 99)


# updates


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    server: BotApiServer, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await server.wait_for_async(lambda: server.is_polling, what="the poll to wait")

    update_id = server.inject_message(USER, "hello", language_code="ja")

    async with asyncio.timeout(10):  # far below the poll's 60 s: it was woken
        [update] = await poll
    assert update.update_id == update_id
    assert update.message is not None
    assert update.message.text == "hello"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "ja"


async def test_offset_acknowledges_updates_for_good(server: BotApiServer, bot: Bot) -> None:
    ids = [server.inject_message(USER, f"m{n}") for n in range(3)]

    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert server.pending_updates() == 2
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert server.pending_updates() == 0


async def test_a_new_poller_ends_the_waiting_one_with_409(server: BotApiServer, bot: Bot) -> None:
    waiting = asyncio.create_task(bot.get_updates(timeout=60))
    await server.wait_for_async(lambda: server.is_polling, what="the first poll to wait")

    async with Bot(server.token, base_url=server.base_url) as second:
        assert await second.get_updates(timeout=0) == ()

    with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
        await waiting


async def test_get_updates_conflicts_with_a_webhook(bot: Bot) -> None:
    await bot.set_webhook("https://example.com/hook")

    with pytest.raises(Conflict, match=r"webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_allowed_updates_withhold_opt_in_kinds(server: BotApiServer, bot: Bot) -> None:
    member = {"user": {"id": 7, "is_bot": False, "first_name": "A"}, "status": "member"}
    change = {
        "chat": {"id": GROUP, "type": "supergroup", "title": "G"},
        "from": {"id": 7, "is_bot": False, "first_name": "A"},
        "date": 1,
        "old_chat_member": {**member, "status": "left"},
        "new_chat_member": member,
    }

    server.inject_raw({"chat_member": change})
    assert await bot.get_updates() == ()
    server.inject_raw({"chat_member": change})
    [update] = await bot.get_updates(allowed_updates=["chat_member"])
    assert update.chat_member is not None
    assert update.chat_member.new_chat_member.user.id == 7


def test_raw_updates_of_unknown_types_pass_through(
    server: BotApiServer, http: httpx.Client
) -> None:
    update_id = server.inject_raw({"update_id": 1, "future_update": {"x": [1, 2]}})

    assert http.post("getUpdates").json()["result"] == [
        {"update_id": update_id, "future_update": {"x": [1, 2]}}
    ]


async def test_an_injected_status_change_reaches_ptb_as_my_chat_member(
    server: BotApiServer, bot: Bot
) -> None:
    server.inject_my_chat_member(USER, "kicked")

    [update] = await bot.get_updates()

    assert update.my_chat_member is not None
    assert update.my_chat_member.old_chat_member.status == "member"
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert update.my_chat_member.new_chat_member.user.id == server.bot_id


async def test_an_injected_edit_reaches_ptb_as_edited_message(
    server: BotApiServer, bot: Bot
) -> None:
    server.inject_message(USER, "typo")
    server.inject_edited_message(USER, 1, "fixed")

    updates = await bot.get_updates()

    assert updates[1].edited_message is not None
    assert (updates[1].edited_message.message_id, updates[1].edited_message.text) == (1, "fixed")


async def test_a_command_reaches_a_command_handler_and_its_reply_is_recorded(
    server: BotApiServer,
) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"topic: {' '.join(context.args or [])}")

    app = application(server)
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling()
        try:
            server.inject_command(GROUP, "/start@digest_test_bot tech", user_id=7)
            call = await server.wait_for_call_async("sendMessage")
        finally:
            await app.updater.stop()
            await app.stop()

    assert call.params["text"] == "topic: tech"
    assert call.params["reply_parameters"] == {"message_id": 1}
    assert server.sent_messages(GROUP)[0]["reply_to_message"]["text"].startswith("/start@")
    assert server.pending_updates() == 0


async def test_a_button_press_reaches_a_callback_query_handler(server: BotApiServer) -> None:
    async def key_points(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("Loading")
        await update.callback_query.edit_message_text(f"pressed {update.callback_query.data}")

    app = application(server)
    app.add_handler(CallbackQueryHandler(key_points))
    async with app:
        sent = await app.bot.send_message(USER, "digest", reply_markup=KEYBOARD)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling()
        try:
            server.inject_callback(USER, "kp:1", message_id=sent.message_id)
            await server.wait_for_call_async("editMessageText")
        finally:
            await app.updater.stop()
            await app.stop()

    assert server.calls("answerCallbackQuery")[0].params["text"] == "Loading"
    assert server.sent_messages(USER)[0]["text"] == "pressed kp:1"


async def test_a_callback_query_can_be_answered_once(server: BotApiServer, bot: Bot) -> None:
    sent = await bot.send_message(USER, "digest", reply_markup=KEYBOARD)
    server.inject_callback(USER, "kp:1", message_id=sent.message_id)
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.message == sent

    assert await bot.answer_callback_query(update.callback_query.id) is True
    with pytest.raises(BadRequest, match=r"^Query is too old"):
        await bot.answer_callback_query(update.callback_query.id)


def test_a_press_on_a_button_the_message_lacks_is_a_test_error(server: BotApiServer) -> None:
    with pytest.raises(ValueError, match=r"the bot sent no message 1"):
        server.inject_callback(USER, "kp:1", message_id=1)


# files


async def test_send_document_keeps_the_uploaded_bytes(server: BotApiServer, bot: Bot) -> None:
    sent = await bot.send_document(USER, b"<opml/>", filename="feeds.opml", caption="export")

    call = server.calls("sendDocument")[0]
    assert call.files["document"].content == b"<opml/>"
    assert call.files["document"].filename == "feeds.opml"
    assert sent.document is not None
    assert sent.document.file_name == "feeds.opml"
    assert sent.caption == "export"
    assert server.file_content(sent.document.file_id) == b"<opml/>"


async def test_send_photo_answers_the_pngs_size_and_keeps_its_bytes(
    server: BotApiServer, bot: Bot
) -> None:
    # A PNG's signature and IHDR chunk: 640 × 480.
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (640).to_bytes(4) + (480).to_bytes(4)

    sent = await bot.send_photo(USER, png, caption="<b>chart</b>", parse_mode="HTML")

    [size] = sent.photo
    assert (size.width, size.height) == (640, 480)
    assert sent.caption == "chart"
    assert server.file_content(size.file_id) == png
    assert server.calls("sendPhoto")[0].files["photo"].content == png


async def test_a_photo_caption_over_1024_characters_is_refused(
    server: BotApiServer, bot: Bot
) -> None:
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(USER, b"\x89PNG", caption="x" * 1025)


def test_multipart_bodies_decode_their_json_fields(
    server: BotApiServer, http: httpx.Client
) -> None:
    markup = {"inline_keyboard": [[{"text": "Next", "callback_data": "next"}]]}

    response = http.post(
        "sendDocument",
        data={"chat_id": str(USER), "reply_markup": json.dumps(markup)},
        files={"document": ("a.txt", b"abc", "text/plain")},
    )

    assert response.json()["result"]["document"]["file_size"] == 3
    assert server.calls("sendDocument")[0].params == {"chat_id": USER, "reply_markup": markup}


async def test_an_injected_document_downloads_through_get_file(
    server: BotApiServer, bot: Bot
) -> None:
    content = "トピック\n".encode() * 1000
    server.inject_document(USER, "topics.opml", content, caption="import")

    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    file = await bot.get_file(update.message.document.file_id)

    assert file.file_size == len(content)
    assert await file.download_as_bytearray() == content


# scripted errors


@pytest.mark.parametrize(
    ("kind", "error", "text"),
    [
        (ErrorKind.FLOOD, RetryAfter, "Flood control exceeded. Retry in 0:00:07"),
        (ErrorKind.BLOCKED, Forbidden, "Forbidden: bot was blocked by the user"),
        (ErrorKind.CHAT_NOT_FOUND, BadRequest, "Chat not found"),
        (ErrorKind.MIGRATED, ChatMigrated, "Group migrated to supergroup. New chat id: -10042"),
        (ErrorKind.BAD_GATEWAY, NetworkError, "Bad Gateway"),
    ],
    ids=str,
)
async def test_queued_errors_surface_in_ptb(
    server: BotApiServer,
    bot: Bot,
    monkeypatch: pytest.MonkeyPatch,
    kind: ErrorKind,
    error: type[Exception],
    text: str,
) -> None:
    # PTB warns on RetryAfter.retry_after unless timedeltas are opted into.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    server.queue_error(USER, kind, retry_after=7)

    with pytest.raises(error) as raised:
        await bot.send_message(USER, "news")
    await bot.send_message(USER, "news again")

    assert type(raised.value) is error
    assert str(raised.value) == text
    if isinstance(raised.value, RetryAfter):
        assert raised.value.retry_after == dt.timedelta(seconds=7)
    if isinstance(raised.value, ChatMigrated):
        assert raised.value.new_chat_id == -10042
    assert [m["text"] for m in server.sent_messages()] == ["news again"]


async def test_a_queued_error_hits_only_its_chat_and_can_last(
    server: BotApiServer, bot: Bot
) -> None:
    server.queue_error(USER, "blocked", count=None)

    await bot.send_message(USER + 1, "other chat")
    await bot.send_chat_action(USER, "typing")
    for _ in range(3):
        with pytest.raises(Forbidden):
            await bot.send_message(USER, "news")
    server.clear_errors(USER)
    await bot.send_message(USER, "unblocked")

    assert len(server.sent_messages()) == 2


# commands, chats and members


async def test_command_menus_are_kept_per_scope_and_language(
    server: BotApiServer, bot: Bot
) -> None:
    admin = BotCommandScopeAllChatAdministrators()
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("start", "開始")], language_code="ja")
    await bot.set_my_commands([BotCommand("stats", "統計")], scope=admin, language_code="ja")
    await bot.set_my_commands([BotCommand("stats", "Stats")], scope=BotCommandScopeChat(GROUP))
    await bot.delete_my_commands(scope=BotCommandScopeChat(GROUP))

    assert server.commands() == [{"command": "start", "description": "Start"}]
    assert server.commands(language_code="ja") == [{"command": "start", "description": "開始"}]
    assert server.commands({"type": "all_chat_administrators"}, "ja") == [
        {"command": "stats", "description": "統計"}
    ]
    assert server.commands({"type": "all_chat_administrators"}, "en") == []
    assert server.commands({"type": "chat", "chat_id": GROUP}) == []
    assert await bot.get_my_commands(scope=admin, language_code="ja") == (
        BotCommand("stats", "統計"),
    )
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands([BotCommand("Start", "Start")])


async def test_group_admins_are_known_from_set_member(server: BotApiServer, bot: Bot) -> None:
    server.add_chat(GROUP, "supergroup", title="Readers")
    server.set_member(GROUP, 7, "administrator", first_name="Ann")
    server.set_member(GROUP, 8, "member")

    [admin] = await bot.get_chat_administrators(GROUP)
    chat = await bot.get_chat(GROUP)

    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.user.first_name == "Ann"
    assert (await bot.get_chat_member(GROUP, 8)).status == "member"
    assert (await bot.get_chat_member(GROUP, 9)).status == "left"
    assert (chat.type, chat.title) == ("supergroup", "Readers")
    with pytest.raises(BadRequest, match=r"no administrators in the private chat"):
        await bot.get_chat_administrators(USER)


# waiting, and load


def test_a_wait_that_times_out_lists_the_calls_seen(
    server: BotApiServer, http: httpx.Client
) -> None:
    http.post("sendMessage", json={"chat_id": USER, "text": ""})

    with pytest.raises(AssertionError, match=r"(?s)editMessageText call.*message text is empty"):
        server.wait_for_call("editMessageText", timeout=0.1)


def test_a_sync_wait_sees_a_call_from_another_thread(
    server: BotApiServer, http: httpx.Client
) -> None:
    sender = threading.Thread(
        target=http.post, args=("sendMessage",), kwargs={"json": {"chat_id": USER, "text": "late"}}
    )
    sender.start()

    call = server.wait_for_call("sendMessage", lambda c: c.params["text"] == "late")

    sender.join()
    assert call.ok


async def test_concurrent_sends_get_distinct_sequential_ids(server: BotApiServer) -> None:
    async with httpx.AsyncClient(
        base_url=f"{server.base_url}{server.token}/", limits=httpx.Limits(max_connections=8)
    ) as client:
        responses = await asyncio.gather(
            *(
                client.post("sendMessage", json={"chat_id": USER + n % 4, "text": f"m{n}"})
                for n in range(200)
            )
        )

    assert all(r.status_code == 200 for r in responses)
    for chat_id in range(USER, USER + 4):
        ids = [m["message_id"] for m in server.sent_messages(chat_id)]
        assert sorted(ids) == list(range(1, 51))


# flood limits, timeouts and held answers


async def test_flood_limits_are_off_unless_a_test_turns_them_on(
    server: BotApiServer, bot: Bot
) -> None:
    for n in range(5):
        await bot.send_message(USER, f"burst {n}")
    assert server.flood_refusals() == 0


async def test_a_private_chat_gets_a_short_burst_then_429(
    server: BotApiServer, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    server.enforce_limits()
    for n in range(3):
        await bot.send_message(USER, f"burst {n}")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER, "one too many")
    await bot.send_message(USER + 1, "another chat is not held back")
    await bot.send_chat_action(USER, "typing")  # not a message: not counted

    assert raised.value.retry_after == dt.timedelta(seconds=1)
    assert server.flood_refusals() == 1
    assert len(server.sent_messages(USER)) == 3


async def test_a_group_gets_twenty_a_minute(server: BotApiServer, bot: Bot) -> None:
    server.add_chat(GROUP, "supergroup")
    server.enforce_limits()
    for n in range(20):
        await bot.send_message(GROUP, f"news {n}")
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "news 21")
    assert server.flood_refusals() == 1
    assert server.calls("sendMessage")[-1].response["parameters"] == {"retry_after": 3}


async def test_the_overall_and_paid_limits_are_apart(server: BotApiServer, bot: Bot) -> None:
    server.enforce_limits(FloodLimits(overall=2, overall_burst=2, paid=3, paid_burst=3))
    await bot.send_message(USER, "1")
    await bot.send_message(USER + 1, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER + 2, "3")
    for n in range(3):
        await bot.send_message(USER + 10 + n, "paid", allow_paid_broadcast=True)
    with pytest.raises(RetryAfter):
        await bot.send_message(USER + 20, "paid too", allow_paid_broadcast=True)
    assert server.flood_refusals() == 2
    server.stop_limits()
    await bot.send_message(USER + 2, "free again")


async def test_a_timeout_holds_the_request_past_the_read_timeout(
    server: BotApiServer, bot: Bot
) -> None:
    server.queue_error(USER, "timeout", hold=1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "lost", read_timeout=0.2)
    await bot.send_message(USER, "delivered")

    assert [c.status for c in server.calls("sendMessage")] == [504, 200]
    assert [m["text"] for m in server.sent_messages()] == ["delivered"]


async def test_held_answers_wait_for_release_but_the_message_is_posted(
    server: BotApiServer, bot: Bot
) -> None:
    server.hold_responses(after=1)
    await bot.send_message(USER, "answered")
    pending = asyncio.create_task(bot.send_message(USER, "held"))
    await server.wait_for_async(lambda: server.held_responses() == 1, what="a held answer")
    assert [m["text"] for m in server.sent_messages()] == ["answered", "held"]
    assert not pending.done()
    server.release_responses()
    message = await pending
    assert message.text == "held"
    assert server.held_responses() == 0
