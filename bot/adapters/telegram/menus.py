"""Command menus: subscriber commands for everyone, admin commands for admins only, ja and en."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import BadRequest

from bot.core.commands import ADMIN_COMMANDS, SUBSCRIBER_COMMANDS
from bot.core.i18n import LANGUAGES, Translators

MAX_DESCRIPTION = 256


async def set_menus(bot: Bot, translators: Translators, admin_ids: Iterable[int]) -> None:
    """setMyCommands per scope and language; the default language gets the default menu."""
    for lang in LANGUAGES:
        tr = translators[lang]
        # No language code: the menu for every user without a menu in their own language.
        language_code = None if lang == translators.default else lang
        everyone = [BotCommand(n, tr.gettext(d)[:MAX_DESCRIPTION]) for n, d in SUBSCRIBER_COMMANDS]
        admins = everyone + [
            BotCommand(n, tr.gettext(d)[:MAX_DESCRIPTION]) for n, d in ADMIN_COMMANDS
        ]
        await bot.set_my_commands(everyone, BotCommandScopeDefault(), language_code=language_code)
        for admin_id in admin_ids:
            try:
                await bot.set_my_commands(
                    admins, BotCommandScopeChat(admin_id), language_code=language_code
                )
            except BadRequest:
                # An admin who never opened a chat with the bot has no chat to scope to yet.
                continue
