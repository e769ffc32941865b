"""The bot end to end: `digestbot run` as a process, the fake Bot API, a local feed server."""

from __future__ import annotations

import sqlite3
from html import escape

from tests.conftest import ADMIN, USER
from tests.e2e.conftest import BotProcess
from tests.fakes.botapi import BotApiServer, Call
from tests.fakes.feedserver import FeedServer

STRANGER = 3003
PARAGRAPHS = [
    "2022年2月24日にロシアがウクライナに侵攻を開始し、首都キーウ周辺への侵攻に続き、東部と南部に"
    "攻撃を集中した。ロシアは2022年9月30日に占領した4州を併合すると宣言した。",
    "ウクライナは2023年6月以降反撃を強め、ロシア本土への攻撃も開始した。2024年8月にはウクライナが"
    "ロシア本土の一部を占領した。",
    "ウクライナの市民生活は厳しい状況が続き、特に電力不足が深刻化している。捕虜交換などのやり取りは"
    "あるものの、和平につながる交渉の場は存在しない。",
    "米ロ両国は停戦交渉の開始で合意した。トランプ米大統領は、戦闘を終わらせたという功績を得たいと"
    "考えている。",
    "停戦交渉の課題は、ウクライナが受け入れられる妥協点を見つけることだ。占領地をロシア領として"
    "認めることはできないため、両国の要求が対立している。",
    "トランプ氏の警告がロシア政府に影響を与えるかは不明だが、今後の展開に注目が集まっている。",
]


def feed(*items: tuple[str, str, str]) -> bytes:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{escape(title)}</title>"
        f"<link>https://news.example.jp/{guid}</link>"
        f"<description>{escape(text)}</description></item>"
        for guid, title, text in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>例のニュース</title><link>https://news.example.jp/</link>{body}"
        "</channel></rss>"
    ).encode()


def buttons(call: Call) -> list[tuple[str, str]]:
    rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


def to(chat_id: int, text: str = "") -> object:
    return lambda c: c.params.get("chat_id") == chat_id and text in c.params.get("text", "")


def test_admin_builds_a_topic_and_a_japanese_reader_reads_a_push(
    bot_process: BotProcess, botapi: BotApiServer, feed_server: FeedServer
) -> None:
    feed_server.route("/e2e.xml", body=feed(("old", "古い記事", PARAGRAPHS[0])), conditional=True)
    bot_process.wait_until_polling()

    # An admin builds a topic with a feed.
    botapi.inject_command(ADMIN, "/addtopic news ニュース", language_code="en")
    botapi.wait_for_call("sendMessage", to(ADMIN, "Added the topic"))
    botapi.inject_command(ADMIN, f"/addfeed news {feed_server.url('/e2e.xml')}")
    added = botapi.wait_for_call("editMessageText", to(ADMIN, "例のニュース"), timeout=30)
    assert "1 entry" in added.params["text"]

    # A stranger cannot add topics, and nothing changes.
    botapi.inject_command(STRANGER, "/addtopic evil Evil", language_code="en")
    botapi.wait_for_call("sendMessage", to(STRANGER, "only the bot's admins"))

    # A Japanese reader subscribes with a button.
    botapi.inject_command(USER, "/start", language_code="ja")
    greeting = botapi.wait_for_call("sendMessage", to(USER, "こんにちは"))
    ((label, data),) = buttons(greeting)
    assert "ニュース" in label
    botapi.inject_callback(USER, data, message_id=greeting.result["message_id"])
    answer = botapi.wait_for_call("answerCallbackQuery")
    assert answer.params["text"] == "ニュース を購読しました。"

    # A poll finds a new entry; the push arrives in Japanese with three key points.
    text = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    feed_server.route(
        "/e2e.xml",
        body=feed(("war", "ウクライナ情勢の現状", text), ("old", "古い記事", PARAGRAPHS[0])),
        conditional=True,
    )
    push = botapi.wait_for_call("sendMessage", to(USER, "この記事で分かる事！"), timeout=30)
    assert push.params["text"].count("💡") == 3
    assert "さらに読む ⇒" in push.params["text"]
    labels = [label for label, _ in buttons(push)]
    # The push shows all three key points: no 💡 button that would show them again.
    assert labels == ["🔗 出典", "▶ 次のページ"]
    article = {label: data for label, data in buttons(push)}
    message_id = push.result["message_id"]

    since = len(botapi.calls())
    botapi.inject_callback(USER, article["🔗 出典"], message_id=message_id)
    sources = botapi.wait_for_call("sendMessage", to(USER, "🔗 出典"), since=since)
    assert 'href="https://news.example.jp/war"' in sources.params["text"]

    since = len(botapi.calls())
    botapi.inject_command(USER, "/summary")
    points = botapi.wait_for_call("sendMessage", to(USER, "💡"), since=since)
    assert points.params["text"].count("💡") == 3

    # Next page walks the article's pages, then the unread backlog, then says so plainly.
    seen = []
    page = push
    for _ in range(10):
        next_data = next(data for label, data in buttons(page) if "次のページ" in label)
        since = len(botapi.calls())
        botapi.inject_callback(USER, next_data, message_id=page.result["message_id"])
        page = botapi.wait_for_call("sendMessage", to(USER), since=since)
        seen.append(page.params["text"])
        if "次の記事：" in page.params["text"]:  # "no more pages", then the next article
            page = botapi.wait_for_call("sendMessage", to(USER, "<b><a"), since=since)
            seen.append(page.params["text"])
        if not buttons(page):
            break
    assert any("✅" in text for text in seen), "the article's pages have ✅ bullets"
    assert "にこれ以上ページはありません。次の記事：古い記事" in "".join(seen)
    assert any("<b><a" in text and "古い記事" in text for text in seen), "then the backlog"
    assert seen[-1].endswith("にこれ以上ページはありません。未読の記事もありません。🎉")

    # /language en switches everything the reader sees, stored digests included.
    botapi.inject_command(USER, "/language")
    choice = botapi.wait_for_call("sendMessage", to(USER, "言語"))
    english = dict((label, data) for label, data in buttons(choice))["English"]
    botapi.inject_callback(USER, english, message_id=choice.result["message_id"])
    botapi.wait_for_call("editMessageText", to(USER, "English"))
    since = len(botapi.calls())
    botapi.inject_command(USER, "/summary")
    summary = botapi.wait_for_call("sendMessage", to(USER), since=since)
    assert "What you'll learn" in summary.params["text"]
    assert [label for label, _ in buttons(summary)] == [
        "🔗 Sources",
        "▶ Next page",
    ]

    assert bot_process.stop() == 0
    with sqlite3.connect(bot_process.workdir / "bot.sqlite3") as db:
        assert db.execute("SELECT slug FROM topics").fetchall() == [("news",)]
