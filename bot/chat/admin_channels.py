"""Channels for admins: /bindchannel pushes a topic to a channel the bot administers too."""

from __future__ import annotations

import re
from typing import Final

from telegram import ChatFullInfo, ChatMember, ChatMemberAdministrator, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler

from bot.adapters.store import ChatKind
from bot.chat.admin import admin_reader, usage
from bot.chat.context import BotContext
from bot.chat.readers import Reader
from bot.chat.replies import reply
from bot.chat.routing import command
from bot.chat.topics import find_topic
from bot.core.render_admin import (
    render_cannot_post,
    render_channel_bound,
    render_channel_unbound,
    render_channel_unseen,
    render_not_a_channel,
)

# Public usernames: 5 to 32 characters, a letter first. Private channels go by -100… ids.
USERNAME: Final = re.compile(r"@([A-Za-z][A-Za-z0-9_]{3,31})")
LINK: Final = re.compile(r"(?:https?://)?(?:t\.me|telegram\.me)/([A-Za-z][A-Za-z0-9_]{3,31})/?")
# ASCII digits only (\d takes any script's), and few enough to fit SQLite's integer.
CHANNEL_ID: Final = re.compile(r"-100[0-9]{1,13}")
POSTERS: Final = (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


def channel_ref(text: str) -> int | str | None:
    """What getChat takes for "@name", "t.me/name" or "-100…": "@name" or the id; else None."""
    if CHANNEL_ID.fullmatch(text):
        return int(text)
    match = USERNAME.fullmatch(text) or LINK.fullmatch(text)
    return f"@{match.group(1)}" if match else None


async def bind_channel(update: Update, context: BotContext) -> None:
    """/bindchannel <slug> <@channel or -100id>: pushes of a topic go to the channel too."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    ref = channel_ref(args[1]) if len(args) == 2 else None
    if ref is None:
        await usage(update, tr.gettext("Usage: /bindchannel <slug> <@channel or -100 id>"))
        return
    topic = await find_topic(update, context, reader, args[0])
    if topic is None:
        return
    channel = await _postable_channel(update, context, reader, ref)
    if channel is None:
        return
    store = context.store
    # The channel reads in the language of the admin who bound it (a channel cannot choose).
    await store.upsert_chat(
        channel.id, kind=ChatKind.CHANNEL, title=channel.title or "", language=reader.lang
    )
    await store.set_chat_active(channel.id, True)
    new = await store.subscribe(channel.id, topic.id)
    await reply(update, render_channel_bound(tr, _name(channel), topic, new=new))


async def unbind_channel(update: Update, context: BotContext) -> None:
    """/unbindchannel <slug> <@channel or -100id>: stop pushing a topic to a channel."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    tr, args = reader.tr, context.args or []
    ref = channel_ref(args[1]) if len(args) == 2 else None
    if ref is None:
        await usage(update, tr.gettext("Usage: /unbindchannel <slug> <@channel or -100 id>"))
        return
    topic = await find_topic(update, context, reader, args[0])
    if topic is None:
        return
    chat_id = ref if isinstance(ref, int) else await _resolve(context, ref)
    was_bound = chat_id is not None and await context.store.unsubscribe(chat_id, topic.id)
    await reply(update, render_channel_unbound(tr, str(ref), topic, was_bound=was_bound))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, for app.py to register."""
    return [
        command("bindchannel", bind_channel),
        command("unbindchannel", unbind_channel),
    ]


async def _postable_channel(
    update: Update, context: BotContext, reader: Reader, ref: int | str
) -> ChatFullInfo | None:
    """The channel, if the bot is an administrator there that may post; else say why."""
    tr = reader.tr
    try:
        channel = await context.bot.get_chat(ref)
        member = await context.bot.get_chat_member(channel.id, context.bot.id)
    except (BadRequest, Forbidden):
        await reply(update, render_channel_unseen(tr, str(ref)))
        return None
    if channel.type != ChatType.CHANNEL:
        await reply(update, render_not_a_channel(tr, _name(channel)))
        return None
    can_post = member.status in POSTERS and not (
        isinstance(member, ChatMemberAdministrator) and member.can_post_messages is False
    )
    if not can_post:
        await reply(update, render_cannot_post(tr, _name(channel)))
        return None
    return channel


async def _resolve(context: BotContext, username: str) -> int | None:
    try:
        return (await context.bot.get_chat(username)).id
    except (BadRequest, Forbidden):
        return None


def _name(chat: ChatFullInfo) -> str:
    """How a chat is named to the admin: its title, else its username, else its id."""
    return chat.title or chat.username or str(chat.id)
