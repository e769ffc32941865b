"""AiohttpRequest drives python-telegram-bot against the fake Bot API as HTTPXRequest does.

Its lean path, post_form, answers and refuses as PTB's own BaseRequest.post does.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.adapters.telegram.transport import AiohttpRequest, raise_refusal
from tests.fakes.botapi import BotApiServer
from tests.fakes.botapi_errors import ErrorKind
from tests.fakes.feedserver import FeedServer

USER = 42
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("💡 Key points", callback_data="kp:1")]])


def make_bot(botapi: BotApiServer, request: AiohttpRequest | None = None) -> Bot:
    """A PTB Bot on AiohttpRequest for both its calls and its long polls."""
    return Bot(
        botapi.token,
        base_url=botapi.base_url,
        base_file_url=botapi.base_file_url,
        request=request or AiohttpRequest(),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


@pytest.fixture
async def bot(botapi: BotApiServer) -> AsyncIterator[Bot]:
    async with make_bot(botapi) as bot:
        yield bot


def method_url(botapi: BotApiServer, method: str) -> str:
    return f"{botapi.base_url}{botapi.token}/{method}"


# calls and bodies


async def test_on_message_hears_the_chat_of_each_message_posted(botapi: BotApiServer) -> None:
    heard: list[int | str] = []
    request = AiohttpRequest()
    request.on_message = heard.append
    async with make_bot(botapi, request) as bot:
        await bot.get_me()
        await bot.send_chat_action(USER, "typing")
        sent = await bot.send_message(USER, "news")
        await bot.edit_message_text("news, edited", chat_id=USER, message_id=sent.message_id)
        await bot.send_document(-100, b"<opml/>", filename="feeds.opml")

    assert heard == [USER, -100]


async def test_get_me_reaches_the_fake(bot: Bot) -> None:
    me = await bot.get_me()

    assert me.username == "digest_test_bot"
    assert me.is_bot


async def test_send_message_sends_its_keyboard(botapi: BotApiServer, bot: Bot) -> None:
    sent = await bot.send_message(USER, "<b>news</b> ✓", parse_mode="HTML", reply_markup=KEYBOARD)

    call = botapi.calls("sendMessage")[0]
    assert call.params["chat_id"] == USER
    assert call.params["reply_markup"] == KEYBOARD.to_dict()
    assert sent.text == "news ✓"
    assert sent.reply_markup == KEYBOARD


async def test_send_document_uploads_the_bytes(botapi: BotApiServer, bot: Bot) -> None:
    content = bytes(range(256)) * 64

    sent = await bot.send_document(
        USER, content, filename='フィード "all".txt', caption="export", reply_markup=KEYBOARD
    )

    call = botapi.calls("sendDocument")[0]
    upload = call.files["document"]
    assert upload.content == content
    assert upload.filename == 'フィード "all".txt'
    assert upload.content_type == "text/plain"
    assert call.params == {
        "chat_id": USER,
        "caption": "export",
        "reply_markup": KEYBOARD.to_dict(),
    }
    assert sent.document is not None
    assert botapi.file_content(sent.document.file_id) == content


async def test_send_document_streams_an_open_file(
    botapi: BotApiServer, bot: Bot, tmp_path: Path
) -> None:
    path = tmp_path / "feeds.opml"
    path.write_bytes(b"<opml/>" * 1000)

    with path.open("rb") as handle:
        await bot.send_document(USER, InputFile(handle, read_file_handle=False))

    upload = botapi.calls("sendDocument")[0].files["document"]
    assert upload.content == path.read_bytes()
    assert upload.filename == "feeds.opml"


async def test_an_injected_document_downloads_through_get_file(
    botapi: BotApiServer, bot: Bot
) -> None:
    content = "トピック\n".encode() * 1000
    botapi.inject_document(USER, "topics.opml", content)

    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    file = await bot.get_file(update.message.document.file_id)

    assert await file.download_as_bytearray() == content


async def test_concurrent_sends_share_a_small_pool(botapi: BotApiServer) -> None:
    request = AiohttpRequest(connection_pool_size=4, pool_timeout=30)
    async with make_bot(botapi, request) as bot:
        sent = await asyncio.gather(*(bot.send_message(USER, f"m{n}") for n in range(100)))

    assert len({m.message_id for m in sent}) == 100
    assert sorted(m["text"] for m in botapi.sent_messages()) == sorted(f"m{n}" for n in range(100))


# long polling


async def test_a_long_poll_returns_an_injected_update(botapi: BotApiServer, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await botapi.wait_for_async(lambda: botapi.is_polling, what="the poll to wait")

    update_id = botapi.inject_message(USER, "hello")

    async with asyncio.timeout(10):  # far below the poll's 60 s: it was woken
        [update] = await poll
    assert update.update_id == update_id
    assert update.message is not None
    assert update.message.text == "hello"


async def test_a_long_poll_outlasts_the_read_timeout(botapi: BotApiServer) -> None:
    # PTB adds the poll's timeout to the request's read timeout, as for HTTPXRequest.
    request = AiohttpRequest(connection_pool_size=1, read_timeout=0.2)
    async with Bot(botapi.token, base_url=botapi.base_url, get_updates_request=request) as bot:
        assert await bot.get_updates(timeout=1) == ()


async def test_an_application_polls_and_replies_over_aiohttp(botapi: BotApiServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("hi")

    app = (
        Application.builder()
        .token(botapi.token)
        .base_url(botapi.base_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        await app.start()
        botapi.inject_command(USER, "/start")
        call = await botapi.wait_for_call_async("sendMessage")
        await app.updater.stop()
        await app.stop()

    assert call.params == {"chat_id": USER, "text": "hi"}


# errors


async def test_html_telegram_refuses_is_sent_again_once_as_plain_text(
    botapi: BotApiServer,
) -> None:
    request = AiohttpRequest()
    async with make_bot(botapi, request) as bot:
        sent = await bot.send_message(USER, "<b>open &amp; shut", parse_mode="HTML")
    assert (sent.text, sent.entities) == ("open & shut", ())
    assert request.plain_resends == 1
    refused, resent = botapi.calls("sendMessage")[-2:]
    assert refused.response["description"].startswith("Bad Request: can't parse entities")
    assert "parse_mode" not in resent.params


async def test_any_message_is_guarded_before_it_leaves(botapi: BotApiServer) -> None:
    """2,500 emoji and a 20,000-character link: Telegram would refuse it; it arrives cut."""
    request = AiohttpRequest()
    text = f'<b><a href="https://ex.com/{"a" * 20_000}">{"😀" * 2500}</a></b> lede'
    async with make_bot(botapi, request) as bot:
        sent = await bot.send_message(USER, text, parse_mode="HTML")
    assert sent.text.endswith("…")
    assert len(sent.text.encode("utf-16-le")) // 2 <= 4096
    assert request.plain_resends == 0


async def test_other_bad_requests_still_raise(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(USER, "   ", parse_mode="HTML")


@pytest.mark.parametrize(
    ("kind", "error", "text"),
    [
        ("flood", RetryAfter, "Flood control exceeded. Retry in 0:00:07"),
        ("blocked", Forbidden, "Forbidden: bot was blocked by the user"),
        ("bad_gateway", NetworkError, "Bad Gateway"),
    ],
    ids=str,
)
async def test_scripted_errors_surface_as_ptb_exceptions(
    botapi: BotApiServer, bot: Bot, kind: str, error: type[Exception], text: str
) -> None:
    botapi.queue_error(USER, kind, retry_after=7)

    with pytest.raises(error) as raised:
        await bot.send_message(USER, "news")

    assert type(raised.value) is error
    assert str(raised.value) == text
    if isinstance(raised.value, RetryAfter):
        assert raised.value.retry_after == dt.timedelta(seconds=7)


async def test_a_slow_answer_is_timed_out(botapi: BotApiServer) -> None:
    # The fake's slow path is a long poll: it answers after 5 s, the read timeout is 0.2 s.
    async with AiohttpRequest() as request:
        with pytest.raises(TimedOut, match=r"^Timed out$"):
            await request.post(method_url(botapi, "getUpdates?timeout=5"), read_timeout=0.2)


async def test_a_full_pool_is_timed_out(botapi: BotApiServer) -> None:
    # aiohttp bounds the wait for a pooled connection and the connect together: 0.3 s here.
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.2, connect_timeout=0.1)
    async with request:
        poll = asyncio.create_task(request.post(method_url(botapi, "getUpdates?timeout=30")))
        await botapi.wait_for_async(lambda: botapi.is_polling, what="the poll to wait")
        with pytest.raises(TimedOut, match=r"^Connect or pool timeout: "):
            await request.post(method_url(botapi, "getMe"))
        poll.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poll
    assert botapi.calls("getMe") == []


async def test_a_refused_connection_is_a_network_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError, match=r"^aiohttp\.ClientConnectorError: "):
            await request.post(f"http://127.0.0.1:{port}/bot1:x/getMe")


# the lean path: post_form


async def test_post_form_posts_the_fields_and_answers_the_result(botapi: BotApiServer) -> None:
    heard: list[int | str] = []
    async with AiohttpRequest() as request:
        request.on_message = heard.append
        result = await request.post_form(
            method_url(botapi, "sendMessage"),
            {
                "chat_id": USER,
                "text": "<b>news</b> ✓ & more",
                "parse_mode": "HTML",
                "reply_markup": KEYBOARD.to_json(),
                "message_thread_id": None,
                "allow_paid_broadcast": True,
            },
        )

    call = botapi.calls("sendMessage")[0]
    assert call.params == {
        "chat_id": USER,
        "text": "<b>news</b> ✓ & more",
        "parse_mode": "HTML",
        "reply_markup": KEYBOARD.to_dict(),
        "allow_paid_broadcast": True,
    }
    assert isinstance(result, dict)
    assert result["text"] == "news ✓ & more"
    assert isinstance(result["message_id"], int)
    assert heard == [USER]


def same_error(error: BaseException) -> tuple[object, ...]:
    """What a caller can tell of a PTB exception: its class, text, fields and cause's class."""
    return (
        type(error),
        str(error),
        getattr(error, "retry_after", None),
        getattr(error, "new_chat_id", None),
        type(error.__cause__),
    )


@pytest.mark.parametrize(
    "kind", [kind for kind in ErrorKind if kind is not ErrorKind.TIMEOUT], ids=str
)
async def test_post_form_raises_what_a_bot_method_raises(
    botapi: BotApiServer, kind: ErrorKind
) -> None:
    botapi.queue_error(USER, kind, count=2, retry_after=7)
    async with make_bot(botapi) as bot, AiohttpRequest() as request:
        with pytest.raises(TelegramError) as by_ptb:
            await bot.send_message(USER, "news")
        with pytest.raises(TelegramError) as by_form:
            await request.post_form(
                method_url(botapi, "sendMessage"), {"chat_id": USER, "text": "news"}
            )

    assert same_error(by_form.value) == same_error(by_ptb.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, b'{"ok":false,"error_code":400,"description":"Bad Request: message is empty"}'),
        (401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'),
        (403, b'{"ok":false,"error_code":403,"description":"Forbidden: user is deactivated"}'),
        (404, b'{"ok":false,"error_code":404,"description":"Not Found"}'),
        (409, b'{"ok":false,"error_code":409,"description":"Conflict: terminated"}'),
        (429, b'{"ok":false,"description":"Too Many Requests","parameters":{"retry_after":3}}'),
        (400, b'{"ok":false,"parameters":{"migrate_to_chat_id":-1001}}'),
        (500, b'{"ok":false,"parameters":{"unknown":1}}'),
        (500, b'{"ok":false}'),
        (502, b"<html>Bad Gateway</html>"),
        (599, b"{}"),
    ],
    ids=str,
)
async def test_refusals_are_raised_as_ptb_raises_them(
    feed_server: FeedServer, status: int, body: bytes
) -> None:
    # PTB's own mapping, through BaseRequest.retrieve on the same answer, is the reference.
    path = f"/t/{uuid.uuid4().hex}"
    feed_server.route(path, status=status, body=body)
    async with AiohttpRequest() as request:
        with pytest.raises(TelegramError) as by_ptb:
            await request.retrieve(feed_server.url(path))
    with pytest.raises(TelegramError) as by_us:
        raise_refusal(status, body)

    assert same_error(by_us.value) == same_error(by_ptb.value)


async def test_post_form_times_out_as_a_bot_method_does(botapi: BotApiServer) -> None:
    async with AiohttpRequest() as request:
        with pytest.raises(TimedOut, match=r"^Timed out$"):
            await request.post_form(
                method_url(botapi, "getUpdates"), {"timeout": 5}, read_timeout=0.2
            )


async def test_post_form_on_a_closed_request_is_a_network_error(botapi: BotApiServer) -> None:
    # BaseRequest.post wraps what the transport raises unexpectedly; so does post_form.
    with pytest.raises(NetworkError, match=r"^Unknown error in HTTP implementation: "):
        await AiohttpRequest().post_form(method_url(botapi, "getMe"), {})


# lifecycle


async def test_requests_need_initialize_and_can_restart(botapi: BotApiServer) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(method_url(botapi, "getMe"), "POST")

    for _ in range(2):
        async with request:
            await request.post(method_url(botapi, "getMe"))
        await request.shutdown()  # a second shutdown is harmless

    assert len(botapi.calls("getMe")) == 2


async def test_requests_go_through_the_proxy_given(botapi: BotApiServer) -> None:
    # A plain-HTTP proxy gets the absolute URL; the fake serves it as if it were Telegram.
    async with AiohttpRequest(proxy=botapi.url) as request:
        me = await request.post(f"http://api.telegram.invalid/bot{botapi.token}/getMe")

    assert isinstance(me, dict)
    assert me["username"] == "digest_test_bot"
