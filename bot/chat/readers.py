"""Who is asking: the chat, its language and rights, remembered on first contact."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Chat as TelegramChat
from telegram import ChatMember, Update
from telegram.constants import ChatType

from bot.adapters.store import ChatKind
from bot.chat.context import BotContext
from bot.core.i18n import Translator, pick_language

GROUP_KINDS = (ChatKind.GROUP, ChatKind.SUPERGROUP)
MANAGER_STATUSES = (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


@dataclass(frozen=True)
class Reader:
    """The chat an update came from, in the language it reads."""

    chat_id: int
    thread_id: int | None
    user_id: int | None
    kind: ChatKind
    tr: Translator
    is_admin: bool

    @property
    def lang(self) -> str:
        """The reader's interface language."""
        return self.tr.lang


async def reader_of(update: Update, context: BotContext) -> Reader:
    """The reader behind an update; a chat seen for the first time is stored."""
    chat = update.effective_chat
    assert chat is not None, "handlers are registered for chat updates only"
    user = update.effective_user
    store = context.store
    stored = await store.get_chat(chat.id)
    language = stored.language if stored else None
    if stored is None:
        # A private chat reads in its user's Telegram language; a group in the default.
        first_language = (
            pick_language(user.language_code, context.settings.default_language)
            if user and chat.type == ChatType.PRIVATE
            else None
        )
        await store.upsert_chat(
            chat.id, kind=ChatKind(chat.type), title=_title(chat), language=first_language
        )
        # A Japanese reader starts on Japan's clock, anyone else on the configured default.
        zone = "Asia/Tokyo" if first_language == "ja" else context.settings.default_timezone
        await store.set_chat_timezone(chat.id, zone)
        language = first_language
    lang = language or pick_language(
        user.language_code if user else None, context.settings.default_language
    )
    message = update.effective_message
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    user_id = user.id if user else None
    return Reader(
        chat_id=chat.id,
        thread_id=thread_id,
        user_id=user_id,
        kind=ChatKind(chat.type),
        tr=context.translators[lang],
        is_admin=user_id in context.settings.admin_ids,
    )


async def may_manage(update: Update, context: BotContext, reader: Reader) -> bool:
    """Whether the sender may change this chat's subscriptions and settings.

    Anyone in a private chat; in a group, its administrators (an anonymous admin posts as the
    group itself) and the bot's admins; in a channel, nobody by command.
    """
    if reader.kind is ChatKind.PRIVATE or reader.is_admin:
        return True
    message = update.effective_message
    if message and message.sender_chat and message.sender_chat.id == reader.chat_id:
        return True
    if reader.kind not in GROUP_KINDS or reader.user_id is None:
        return False
    member = await context.bot.get_chat_member(reader.chat_id, reader.user_id)
    return member.status in MANAGER_STATUSES


def _title(chat: TelegramChat) -> str:
    return chat.title or chat.full_name or chat.username or ""
