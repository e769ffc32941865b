"""A push's link preview end to end: `digestbot run` as a process against the fake Bot API."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from tests.conftest import ADMIN, USER
from tests.e2e.conftest import BotProcess
from tests.e2e.test_bot import PARAGRAPHS, buttons, to
from tests.fakes.botapi import BotApiServer, Call
from tests.fakes.feedserver import FeedServer

TEXT = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
NONE = {"is_disabled": True}


def image(key: str) -> str:
    return f"https://cdn.example.jp/{key}.jpg"


def feed(*keys: str) -> bytes:
    """An RSS feed of these entries, each with its lead image as an enclosure."""
    body = "".join(
        f"<item><guid>{key}</guid><title>記事 {key}</title>"
        f"<link>https://news.example.jp/{key}</link>"
        f"<description>{escape(TEXT)}</description>"
        f'<enclosure url="{image(key)}" type="image/jpeg" length="1"/></item>'
        for key in keys
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>例のニュース</title><link>https://news.example.jp/</link>{body}"
        "</channel></rss>"
    ).encode()


def lead_image(key: str) -> dict[str, Any]:
    return {"url": image(key), "prefer_large_media": True, "show_above_text": True}


def subscribed_reader(bot: BotProcess, botapi: BotApiServer, feeds: FeedServer) -> None:
    """The admin makes topic "news" with the feed (its entry "old" is backlog); USER reads it."""
    feeds.route("/news.xml", body=feed("old"), conditional=True)
    bot.wait_until_polling()
    botapi.inject_command(ADMIN, "/addtopic news ニュース", language_code="ja")
    botapi.wait_for_call("sendMessage", to(ADMIN, "ニュース"))
    botapi.inject_command(ADMIN, f"/addfeed news {feeds.url('/news.xml')}")
    botapi.wait_for_call("editMessageText", to(ADMIN, "例のニュース"), timeout=30)
    botapi.inject_command(USER, "/subscribe news", language_code="en")
    botapi.wait_for_call("sendMessage", to(USER, "ニュース"))


def next_push(botapi: BotApiServer, feeds: FeedServer, *keys: str) -> Call:
    """The feed gains the first of keys; the push of it that USER gets."""
    since = len(botapi.calls())
    feeds.route("/news.xml", body=feed(*keys), conditional=True)
    return botapi.wait_for_call(
        "sendMessage", to(USER, f"記事 {keys[0]}"), since=since, timeout=30
    )


def test_a_push_previews_its_lead_image_until_the_admin_turns_it_off(
    bot_process: BotProcess, botapi: BotApiServer, feed_server: FeedServer
) -> None:
    subscribed_reader(bot_process, botapi, feed_server)

    push = next_push(botapi, feed_server, "one", "old")
    assert push.params["link_preview_options"] == lead_image("one")
    assert botapi.message(USER, push.result["message_id"])["link_preview_options"] == lead_image(
        "one"
    )

    # The admin turns the topic's previews off with a button, in Japanese.
    botapi.inject_command(ADMIN, "/topic news")
    view = botapi.wait_for_call("sendMessage", to(ADMIN, "の設定"))
    label = "<b>ニュース</b> (<code>news</code>)"
    assert view.params["text"] == (
        f"⚙️ {label} の設定\n各プッシュの上のリンクプレビュー:記事の画像(既定)"
    )
    off = dict(buttons(view))["🚫 プレビューなし"]
    since = len(botapi.calls())
    botapi.inject_callback(ADMIN, off, message_id=view.result["message_id"])
    assert botapi.wait_for_call("answerCallbackQuery", since=since).params["text"] == (
        "保存しました。"
    )
    edited = botapi.wait_for_call("editMessageText", to(ADMIN), since=since)
    assert edited.params["text"] == (f"⚙️ {label} の設定\n各プッシュの上のリンクプレビュー:なし")

    push = next_push(botapi, feed_server, "two", "one", "old")
    assert push.params["link_preview_options"] == NONE
    assert bot_process.stop() == 0


def test_link_preview_off_sends_none(
    botapi: BotApiServer, feed_server: FeedServer, tmp_path: Path
) -> None:
    bot = BotProcess(botapi, tmp_path, DIGESTBOT_LINK_PREVIEW="off")
    try:
        subscribed_reader(bot, botapi, feed_server)
        push = next_push(botapi, feed_server, "one", "old")
        assert push.params["link_preview_options"] == NONE
    finally:
        assert bot.stop() == 0
