"""`digestbot run` in webhook mode: it registers its URL and answers updates posted to it."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from tests.conftest import USER
from tests.e2e.conftest import BotProcess, eventually
from tests.fakes.botapi import BotApiServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_update(update_id: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": USER, "type": "private", "first_name": "Ann"},
            "from": {"id": USER, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def test_webhook_mode(botapi: BotApiServer, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    process = BotProcess(
        botapi,
        tmp_path,
        DIGESTBOT_WEBHOOK_URL=url,
        DIGESTBOT_WEBHOOK_LISTEN="127.0.0.1",
        DIGESTBOT_WEBHOOK_PORT=str(port),
        DIGESTBOT_WEBHOOK_SECRET="s3cret",
    )
    try:
        registered = botapi.wait_for_call("setWebhook", timeout=30)
        assert registered.params["url"] == url
        assert registered.params["secret_token"] == "s3cret"
        assert not botapi.calls("getUpdates")

        def post(update_id: int, secret: str) -> int:
            try:
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                return httpx.post(url, json=start_update(update_id), headers=headers).status_code
            except httpx.ConnectError:
                return 0

        eventually(lambda: post(1, "wrong") == 403, "the webhook to refuse a wrong secret")
        assert post(2, "s3cret") == 200
        reply = botapi.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == USER)
        assert reply.params["text"].startswith("👋 Hello!")
        assert process.stop() == 0
    finally:
        if process.process.poll() is None:
            process.process.kill()
