"""Groups, forum topics, menus, preferences and bad input, the bot running in-process."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CommandHandler

from bot.adapters.store import ChatKind, DeliveryMode, NewArticle
from bot.chat.jobs import drain_outbox
from bot.core.models import Digest, Entry
from tests.conftest import ADMIN, USER, RunningBot

GROUP = -100555
MEMBER = 4004
GROUP_ADMIN = 5005
NOW = datetime(2026, 5, 1, tzinfo=UTC)


async def add_article(running_bot: RunningBot, topic_id: int, key: str) -> int:
    store = running_bot.store
    feeds = await store.list_feeds(topic_id)
    feed = feeds[0] if feeds else await store.add_feed(topic_id, "https://example.com/feed")
    digest = Digest(key, f"https://example.com/{key}", "Example", NOW, "en", "Lede.", ("P1.",))
    (article_id,) = await store.save_poll(
        feed.id,
        [NewArticle(Entry(key, key, digest.url, "", NOW, "en"), digest)],
        polled_at=NOW,
        next_poll_at=NOW,
        etag=None,
        modified=None,
        title="Example",
        problem=None,
        push=True,
    )
    return article_id


async def test_in_a_group_only_its_admins_subscribe(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.add_chat(GROUP, "supergroup", title="Readers")
    api.set_member(GROUP, MEMBER, "member")
    api.set_member(GROUP, GROUP_ADMIN, "administrator")
    await running_bot.store.add_topic("tech", "Tech")
    refused = await running_bot.command(GROUP, "/subscribe tech", user_id=MEMBER)
    assert refused.params["text"] == "Only the group's admins can change this."
    assert await running_bot.store.subscriptions(GROUP) == []
    done = await running_bot.command(GROUP, "/subscribe tech", user_id=GROUP_ADMIN)
    assert done.params["text"] == "Subscribed to <b>Tech</b>."
    chat = await running_bot.store.get_chat(GROUP)
    assert chat is not None
    assert chat.kind is ChatKind.SUPERGROUP


async def test_an_anonymous_group_admin_may_manage(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.add_chat(GROUP, "supergroup", title="Readers")
    await running_bot.store.add_topic("tech", "Tech")
    since = len(api.calls())
    group = {"id": GROUP, "type": "supergroup", "title": "Readers"}
    api.inject_raw(
        {
            "message": {
                "message_id": 900,
                "date": int(time.time()),
                "chat": group,
                "sender_chat": group,
                "from": {
                    "id": 1087968824,
                    "is_bot": True,
                    "first_name": "Group",
                    "username": "GroupAnonymousBot",
                },
                "text": "/subscribe tech",
                "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
            }
        }
    )
    reply = await api.wait_for_call_async("sendMessage", since=since)
    assert reply.params["text"] == "Subscribed to <b>Tech</b>."


async def test_forum_topic_subscriptions_push_into_their_thread(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.add_chat(GROUP, "supergroup", title="Forum", is_forum=True)
    api.set_member(GROUP, GROUP_ADMIN, "administrator")
    topic = await running_bot.store.add_topic("tech", "Tech")
    reply = await running_bot.command(
        GROUP, "/subscribe tech", user_id=GROUP_ADMIN, message_thread_id=77
    )
    assert reply.params["message_thread_id"] == 77
    await add_article(running_bot, topic.id, "forum-news")
    since = len(api.calls())
    await drain_outbox(running_bot.context())
    push = await api.wait_for_call_async("sendMessage", since=since)
    assert (push.params["chat_id"], push.params["message_thread_id"]) == (GROUP, 77)
    assert "forum-news" in push.params["text"]


async def test_blocked_chat_is_marked_inactive_and_its_rows_cancelled(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api
    topic = await running_bot.store.add_topic("tech", "Tech")
    await running_bot.store.upsert_chat(USER, kind=ChatKind.PRIVATE)
    await running_bot.store.subscribe(USER, topic.id)
    await add_article(running_bot, topic.id, "a1")
    api.queue_error(USER, "blocked")
    await drain_outbox(running_bot.context())
    chat = await running_bot.store.get_chat(USER)
    assert chat is not None
    assert not chat.active
    counts = await running_bot.store.count_deliveries()
    assert counts["cancelled"] == 1


async def test_menus_in_both_languages_admin_commands_for_admins_only(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api
    default = {"type": "default"}
    everyone_en = [c["command"] for c in api.commands(default)]
    everyone_ja = api.commands(default, language_code="ja")
    admin_en = [c["command"] for c in api.commands({"type": "chat", "chat_id": ADMIN})]
    assert "latest" in everyone_en
    assert "addtopic" not in everyone_en
    assert "addtopic" in admin_en
    assert any("購読" in c["description"] for c in everyone_ja)


async def test_language_button_switches_the_reader(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/language", language_code="en")
    assert [b["callback_data"] for b in call.params["reply_markup"]["inline_keyboard"][0]] == [
        "l:en",
        "l:ja",
    ]
    await running_bot.press(USER, "l:ja", call.result["message_id"])
    chat = await running_bot.store.get_chat(USER)
    assert chat is not None
    assert chat.language == "ja"
    help_text = (await running_bot.command(USER, "/help", language_code="en")).params["text"]
    assert help_text.startswith("コマンド一覧")


async def test_settings_buttons_change_delivery(running_bot: RunningBot) -> None:
    call = await running_bot.command(USER, "/settings")
    assert "Delivery: instant" in call.params["text"]
    await running_bot.press(USER, "st:mode:d", call.result["message_id"])
    edit = await running_bot.api.wait_for_call_async("editMessageText")
    assert "one daily digest at 08:00" in edit.params["text"]
    await running_bot.press(USER, "st:at:1800", call.result["message_id"])
    await running_bot.press(USER, "st:quiet:2207", call.result["message_id"])
    await running_bot.press(USER, "st:pause:1", call.result["message_id"])
    tz = await running_bot.command(USER, "/settings tz Asia/Tokyo")
    assert tz.params["text"] == "Timezone: Asia/Tokyo"
    bad = await running_bot.command(USER, "/settings tz Mars/Olympus")
    assert bad.params["text"].startswith("Unknown timezone")
    chat = await running_bot.store.get_chat(USER)
    assert chat is not None
    assert (chat.mode, f"{chat.daily_time:%H:%M}", chat.paused, chat.timezone) == (
        DeliveryMode.DAILY,
        "18:00",
        True,
        "Asia/Tokyo",
    )
    assert (f"{chat.quiet_start:%H}", f"{chat.quiet_end:%H}") == ("22", "07")


async def test_forged_and_stale_buttons_are_answered_and_change_nothing(
    running_bot: RunningBot,
) -> None:
    call = await running_bot.command(USER, "/settings")
    api = running_bot.api
    for data in ("st:mode:zz", "o:999999", "k:abc", "t:424242"):
        since = len(api.calls())
        api.inject_raw(
            {
                "callback_query": {
                    "id": f"q-{data}",
                    "from": {"id": USER, "is_bot": False, "first_name": "U"},
                    "chat_instance": "ci-1",
                    "message": call.result,
                    "data": data,
                }
            }
        )
        await api.wait_for_call_async(
            "answerCallbackQuery",
            lambda c, data=data: c.params["callback_query_id"] == f"q-{data}",  # type: ignore[misc]
            since=since,
        )
    chat = await running_bot.store.get_chat(USER)
    assert chat is not None
    assert chat.mode is DeliveryMode.INSTANT


async def test_edited_commands_and_channel_posts_are_ignored(running_bot: RunningBot) -> None:
    api = running_bot.api
    first = await running_bot.command(USER, "/help")
    api.inject_edited_message(USER, first.result["message_id"] - 1, "/deltopic tech")
    api.add_chat(-100777, "channel", title="News")
    api.inject_message(-100777, "/start")
    # A later command is answered, and it is the only message since: nothing answered the edit
    # or the channel post.
    since = len(api.calls("sendMessage"))
    await running_bot.command(USER, "/mytopics")
    assert len(api.calls("sendMessage")) == since + 1


async def test_an_unexpected_error_is_logged_and_the_user_told(running_bot: RunningBot) -> None:
    async def explode(update: Update, context: object) -> None:
        raise RuntimeError("boom")

    # Before every other group (the flood guard sits in -1), so it is this handler that runs.
    running_bot.app.add_handler(CommandHandler("explode", explode), group=-2)
    reply = await running_bot.command(USER, "/explode")
    assert reply.params["text"] == "Sorry, something went wrong. Please try again later."


async def test_a_reply_refused_with_a_short_429_is_sent_after_the_wait(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api
    api.queue_error(USER, "flood", retry_after=1)
    since = len(api.calls())
    api.inject_command(USER, "/help")

    answered = await api.wait_for_call_async(
        "sendMessage", lambda c: c.params.get("chat_id") == USER and c.ok, since=since
    )

    tries = [
        c.status
        for c in api.calls()[since:]
        if c.method == "sendMessage" and c.params.get("chat_id") == USER
    ]
    assert tries == [429, 200]
    assert "/summary" in answered.params["text"]


async def test_a_reply_refused_with_a_long_429_is_not_waited_for(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api
    api.queue_error(USER, "flood", retry_after=60)
    refused = await running_bot.command(USER, "/help")
    assert refused.status == 429
    # The next command is answered: nothing waits out the minute.
    assert (await running_bot.command(USER, "/help")).ok
