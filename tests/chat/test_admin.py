"""Admin topic commands and buttons, and the refusal everyone else gets, against the fake API."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapters.store import ChatKind, Store
from tests.conftest import ADMIN, USER, RunningBot
from tests.fakes.botapi import Call, ErrorKind

REFUSAL = "Sorry, only the bot's admins can do that."
CHANNEL = -1001234567890
JA_CHAT = 3003
GONE_CHAT = 4004

ADMIN_COMMANDS = [
    "/addtopic news News",
    "/renametopic tech Technology",
    "/deltopic tech",
    "/addfeed tech https://example.com/other.xml",
    "/delfeed https://example.com/feed.xml",
    "/delfeed 1",
    "/feeds",
    "/feeds tech",
    "/filter tech +rust -crypto",
    "/filter tech clear",
    "/filter tech",
    "/topic tech",
    "/pollnow",
    "/stats",
    "/import tech",
    "/export",
    "/bindchannel tech @news_channel",
    "/unbindchannel tech @news_channel",
]
# Methods a refused command must not reach: every way the bot looks at or changes anything.
FORBIDDEN_METHODS = {
    "getChat",
    "getChatMember",
    "getFile",
    "sendDocument",
    "sendChatAction",
    "editMessageText",
    "editMessageReplyMarkup",
}


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    markup = params.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


async def snapshot(store: Store) -> object:
    """Everything an admin command could change, without the poll state that may move."""
    topics = await store.list_topics()
    feeds = [(f.id, f.topic_id, f.url) for f in await store.list_feeds()]
    subscriptions = {c: await store.subscriptions(c) for c in (USER, ADMIN, CHANNEL)}
    channel = await store.get_chat(CHANNEL)
    return topics, feeds, subscriptions, channel


async def seed(running_bot: RunningBot) -> None:
    store = running_bot.store
    topic = await store.add_topic("tech", "Tech")
    await store.add_feed(topic.id, "https://example.com/feed.xml")
    await store.set_filters("tech", ["rust"], [])
    await store.upsert_chat(USER, kind=ChatKind.PRIVATE, language="en")
    await store.subscribe(USER, topic.id)
    running_bot.api.add_chat(CHANNEL, "channel", title="News", username="news_channel")
    running_bot.api.set_member(CHANNEL, running_bot.api.bot_id, "administrator")


@pytest.mark.parametrize("text", ADMIN_COMMANDS)
async def test_every_admin_command_refuses_others_and_changes_nothing(
    running_bot: RunningBot, text: str
) -> None:
    await seed(running_bot)
    before = await snapshot(running_bot.store)
    call = await running_bot.command(USER, text)
    assert call.params["text"] == REFUSAL
    # A later command is answered after the refused one has finished.
    await running_bot.command(USER, "/mytopics")
    assert await snapshot(running_bot.store) == before
    assert not FORBIDDEN_METHODS & {c.method for c in running_bot.api.calls()}


async def test_the_refusal_is_in_the_readers_language(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/stats", language_code="ja")
    ja = running_bot.app.bot_data.translators
    assert ja is not None
    assert call.params["text"] == ja["ja"].gettext(REFUSAL)


async def test_an_import_document_from_others_is_refused(running_bot: RunningBot) -> None:
    await seed(running_bot)
    before = await snapshot(running_bot.store)
    since = len(running_bot.api.calls())
    opml = b'<opml version="2.0"><body><outline xmlUrl="https://example.com/x.xml"/></body></opml>'
    running_bot.api.inject_document(USER, "feeds.opml", opml, caption="/import tech")
    call = await running_bot.api.wait_for_call_async("sendMessage", since=since)
    assert call.params["text"] == REFUSAL
    await running_bot.command(USER, "/mytopics")
    assert await snapshot(running_bot.store) == before
    assert not FORBIDDEN_METHODS & {c.method for c in running_bot.api.calls()}


async def forged_message(running_bot: RunningBot, chat_id: int, data: str) -> int:
    """A message from the bot carrying a button with any data, as a forger could craft."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("?", callback_data=data)]])
    message = await running_bot.app.bot.send_message(chat_id, "…", reply_markup=keyboard)
    return message.message_id


@pytest.mark.parametrize("data", ["dt:1", "x", "lp:1:off"])
async def test_admin_buttons_refuse_others(running_bot: RunningBot, data: str) -> None:
    await seed(running_bot)
    before = await snapshot(running_bot.store)
    message_id = await forged_message(running_bot, USER, data)
    answer = await running_bot.press(USER, data, message_id)
    assert answer.params["text"] == REFUSAL
    assert answer.params["show_alert"] is True
    await running_bot.command(USER, "/mytopics")
    assert await snapshot(running_bot.store) == before
    assert not FORBIDDEN_METHODS & {c.method for c in running_bot.api.calls()}


async def test_a_non_admin_pressing_delete_under_the_admins_question_changes_nothing(
    running_bot: RunningBot,
) -> None:
    await seed(running_bot)
    question = await running_bot.command(ADMIN, "/deltopic tech")
    before = await snapshot(running_bot.store)
    answer = await running_bot.press(ADMIN, "dt:1", question.result["message_id"], user_id=USER)
    assert answer.params["text"] == REFUSAL
    assert await snapshot(running_bot.store) == before


@pytest.mark.parametrize("data", ["dt:999", "dt:abc", "dt"])
async def test_forged_delete_data_from_an_admin_deletes_nothing(
    running_bot: RunningBot, data: str
) -> None:
    await seed(running_bot)
    before = await snapshot(running_bot.store)
    message_id = await forged_message(running_bot, ADMIN, data)
    answer = await running_bot.press(ADMIN, data, message_id)
    assert answer.params["text"] == "That topic no longer exists."
    assert await snapshot(running_bot.store) == before


async def test_addtopic(running_bot: RunningBot) -> None:
    call = await running_bot.command(ADMIN, "/addtopic Tech Tech & Science")
    assert call.params["text"] == (
        "✅ Added the topic <b>Tech &amp; Science</b> (<code>tech</code>). "
        "Now add feeds: <code>/addfeed tech &lt;url&gt;</code>"
    )
    [topic] = await running_bot.store.list_topics()
    assert (topic.slug, topic.name) == ("tech", "Tech & Science")


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        pytest.param("/addtopic", "Usage: /addtopic &lt;slug&gt; &lt;name&gt;", id="no-args"),
        pytest.param("/addtopic tech", "Usage: /addtopic &lt;slug&gt; &lt;name&gt;", id="no-name"),
        pytest.param(
            "/addtopic -bad Bad",
            "“-bad” cannot be a slug: use up to 32 lower-case letters, digits, - and _, "
            "starting with a letter or digit.",
            id="bad-slug",
        ),
        pytest.param(
            "/addtopic long " + "x" * 65, "A topic name has 1 to 64 characters.", id="long-name"
        ),
        pytest.param(
            "/addtopic world World again",
            "There is already a topic <code>world</code>. Rename it with /renametopic.",
            id="duplicate",
        ),
    ],
)
async def test_addtopic_refuses_bad_input(running_bot: RunningBot, text: str, reply: str) -> None:
    await running_bot.store.add_topic("world", "World")
    call = await running_bot.command(ADMIN, text)
    assert call.params["text"] == reply
    assert [t.slug for t in await running_bot.store.list_topics()] == ["world"]


async def test_renametopic(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    call = await running_bot.command(ADMIN, "/renametopic tech <Tech> news")
    assert call.params["text"] == (
        "✏️ Renamed Tech to <b>&lt;Tech&gt; news</b> (<code>tech</code>)."
    )
    topic = await running_bot.store.get_topic("tech")
    assert topic is not None
    assert topic.name == "<Tech> news"


async def test_renametopic_of_an_unknown_topic_suggests_one(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("science", "Science")
    call = await running_bot.command(ADMIN, "/renametopic sceince Sci")
    assert call.params["text"] == "There is no topic “sceince”. Did you mean <code>science</code>?"


async def test_deltopic_confirm_deletes_and_tells_each_subscriber(
    running_bot: RunningBot,
) -> None:
    store, api = running_bot.store, running_bot.api
    await seed(running_bot)
    await store.upsert_chat(JA_CHAT, kind=ChatKind.PRIVATE, language="ja")
    await store.subscribe(JA_CHAT, 1)
    await store.upsert_chat(GONE_CHAT, kind=ChatKind.PRIVATE)
    await store.subscribe(GONE_CHAT, 1)
    api.queue_error(GONE_CHAT, ErrorKind.BLOCKED)

    question = await running_bot.command(ADMIN, "/deltopic tech")
    assert question.params["text"] == (
        "🗑 Delete the topic <b>Tech</b> (<code>tech</code>)? Its feeds and articles go with it.\n"
        "3 subscribed chats will be told."
    )
    assert buttons(question.params) == [("🗑 Delete", "dt:1"), ("Cancel", "x")]
    answer = await running_bot.press(ADMIN, "dt:1", question.result["message_id"])
    assert answer.params["text"] == "Deleted."
    edit = await api.wait_for_call_async("editMessageText")
    assert edit.params["text"] == (
        "🗑 Deleted the topic <b>Tech</b> (<code>tech</code>).\nTold 2 of 3 subscribed chats."
    )
    assert "reply_markup" not in edit.params
    assert await store.list_topics() == []
    assert await store.list_feeds() == []
    told = {
        c.params["chat_id"]: c for c in api.calls("sendMessage") if c.params["chat_id"] != ADMIN
    }
    translators = running_bot.app.bot_data.translators
    assert translators is not None
    notice = "The topic {topic} was removed: no more digests will come from it."
    assert told[USER].params["text"] == notice.format(topic="<b>Tech</b>")
    assert told[JA_CHAT].params["text"] == translators["ja"].gettext(notice).format(
        topic="<b>Tech</b>"
    )
    assert not told[GONE_CHAT].ok


async def test_deltopic_cancel_keeps_the_topic(running_bot: RunningBot) -> None:
    await seed(running_bot)
    question = await running_bot.command(ADMIN, "/deltopic tech")
    await running_bot.press(ADMIN, "x", question.result["message_id"])
    edit = await running_bot.api.wait_for_call_async("editMessageText")
    assert edit.params["text"] == "Cancelled: nothing was changed."
    assert [t.slug for t in await running_bot.store.list_topics()] == ["tech"]


async def test_deltopic_pressed_twice_says_the_topic_is_gone(running_bot: RunningBot) -> None:
    await seed(running_bot)
    question = await running_bot.command(ADMIN, "/deltopic tech")
    await running_bot.press(ADMIN, "dt:1", question.result["message_id"])
    await running_bot.api.wait_for_call_async("editMessageText")
    message_id = await forged_message(running_bot, ADMIN, "dt:1")
    answer = await running_bot.press(ADMIN, "dt:1", message_id)
    assert answer.params["text"] == "That topic no longer exists."


async def test_filter_shows_sets_and_clears(running_bot: RunningBot) -> None:
    store = running_bot.store
    await store.add_topic("tech", "Tech")
    shown = await running_bot.command(ADMIN, "/filter tech")
    assert shown.params["text"] == (
        "<b>Tech</b> (<code>tech</code>) has no filters: every article passes."
    )
    saved = await running_bot.command(ADMIN, "/filter tech +Rust +半導体 -<ads>")
    assert saved.params["text"] == (
        "Saved.\n"
        "Filters of <b>Tech</b> (<code>tech</code>):\n"
        "➕ Only articles that mention: Rust, 半導体\n"
        "➖ Never articles that mention: &lt;ads&gt;\n"
        "To change them: <code>/filter tech +Rust +半導体 -&lt;ads&gt;</code>"
    )
    topic = await store.get_topic("tech")
    assert topic is not None
    assert (topic.include, topic.exclude) == (("Rust", "半導体"), ("<ads>",))
    cleared = await running_bot.command(ADMIN, "/filter tech CLEAR")
    assert cleared.params["text"].startswith("Saved.\n<b>Tech</b> (<code>tech</code>) has no")
    topic = await store.get_topic("tech")
    assert topic is not None
    assert (topic.include, topic.exclude) == ((), ())


async def test_filter_refuses_too_many_keywords(running_bot: RunningBot) -> None:
    await running_bot.store.add_topic("tech", "Tech")
    words = " ".join(f"+w{n}" for n in range(31))
    call = await running_bot.command(ADMIN, f"/filter tech {words}")
    assert call.params["text"] == "At most 30 keywords, each at most 40 characters long."
    topic = await running_bot.store.get_topic("tech")
    assert topic is not None
    assert topic.include == ()


async def test_filter_without_arguments_shows_usage(running_bot: RunningBot) -> None:
    call: Call = await running_bot.command(ADMIN, "/filter")
    assert call.params["text"] == (
        "Usage: /filter &lt;slug&gt; +word -word, or /filter &lt;slug&gt; clear"
    )
