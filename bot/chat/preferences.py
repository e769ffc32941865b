"""A reader's preferences: /language and /settings, with buttons for every choice."""

from __future__ import annotations

from datetime import time

from telegram import Update
from telegram.ext import BaseHandler

from bot.adapters.store import Chat, DeliveryMode
from bot.adapters.telegram.keyboards import language_buttons, markup
from bot.chat.context import BotContext
from bot.chat.readers import Reader, may_manage, reader_of
from bot.chat.replies import edit_under, reply
from bot.chat.routing import button, command
from bot.config import find_timezone
from bot.core.callbacks import Action, decode, encode
from bot.core.i18n import LANGUAGE_NAMES, LANGUAGES, Translator
from bot.core.render import Button
from bot.core.render_reader import (
    parse_clock,
    render_settings,
    render_settings_usage,
    render_timezone_set,
    render_unknown_timezone,
)
from bot.operations.daily import resume

DAILY_TIMES = ("0700", "0800", "1200", "1800", "2100")
TIMEZONES = ("UTC", "Asia/Tokyo", "Europe/London", "America/New_York")
QUIET_PRESETS = ("off", "2207", "2308")


async def language(update: Update, context: BotContext) -> None:
    """Offer 日本語 / English."""
    reader = await reader_of(update, context)
    text = reader.tr.gettext("Choose your language:")
    await reply(update, text, markup(language_buttons(reader.lang)))


async def language_button(update: Update, context: BotContext) -> None:
    """Switch the chat's language; everything it reads from now on follows."""
    query = update.callback_query
    assert query is not None
    reader = await reader_of(update, context)
    callback = decode(query.data)
    lang = callback.args[0] if callback and callback.args else ""
    if lang not in LANGUAGES:
        await query.answer(reader.tr.gettext("This button is no longer valid."))
        return
    if not await may_manage(update, context, reader):
        await query.answer(reader.tr.gettext("Only the group's admins can change this."))
        return
    await context.store.set_chat_language(reader.chat_id, lang)
    tr = context.translators[lang]
    await query.answer(tr.gettext("Language: {language}").format(language=LANGUAGE_NAMES[lang]))
    await edit_under(
        query,
        tr.gettext("Language: {language}").format(language=LANGUAGE_NAMES[lang]),
        markup(language_buttons(lang)),
    )


async def settings(update: Update, context: BotContext) -> None:
    """Show delivery settings with buttons; `/settings tz Area/City` sets any timezone,
    `/settings HH:MM` any time for the daily digest."""
    reader = await reader_of(update, context)
    if context.args and context.args[0].casefold() == "tz":
        await _set_timezone(update, context, reader, context.args[1:])
        return
    if context.args:
        await _set_daily_time(update, context, reader, context.args)
        return
    chat = await context.store.get_chat(reader.chat_id)
    assert chat is not None, "reader_of stores the chat"
    await reply(update, describe(chat, reader.tr), markup(settings_buttons(chat, reader.tr)))


async def settings_button(update: Update, context: BotContext) -> None:
    """Apply one settings button, then redraw the settings message."""
    query = update.callback_query
    assert query is not None
    reader = await reader_of(update, context)
    callback = decode(query.data)
    if not await may_manage(update, context, reader):
        await query.answer(reader.tr.gettext("Only the group's admins can change this."))
        return
    args = callback.args if callback is not None else ()
    if len(args) != 2 or not await _apply(context, reader, *args):
        await query.answer(reader.tr.gettext("This button is no longer valid."))
        return
    await query.answer(reader.tr.gettext("Saved."))
    chat = await context.store.get_chat(reader.chat_id)
    assert chat is not None
    await edit_under(query, describe(chat, reader.tr), markup(settings_buttons(chat, reader.tr)))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, for app.py to register."""
    return [
        command("language", language),
        command("settings", settings),
        button(Action.LANGUAGE, language_button),
        button(Action.SETTINGS, settings_button),
    ]


def describe(chat: Chat, tr: Translator) -> str:
    """The current settings, one per line."""
    quiet = (chat.quiet_start, chat.quiet_end) if chat.quiet_start and chat.quiet_end else None
    return render_settings(
        tr,
        daily_at=chat.daily_time if chat.mode is DeliveryMode.DAILY else None,
        timezone=chat.timezone,
        quiet=quiet,
        paused=chat.paused,
    )


def settings_buttons(chat: Chat, tr: Translator) -> list[list[Button]]:
    """Every choice as a button, the current one marked."""
    instant = chat.mode is DeliveryMode.INSTANT
    daily_at = chat.daily_time.strftime("%H%M")
    quiet = (
        f"{chat.quiet_start:%H}{chat.quiet_end:%H}"
        if chat.quiet_start and chat.quiet_end
        else "off"
    )
    rows = [
        [
            _choice(tr.gettext("⚡ Instant"), instant, "mode", "i"),
            _choice(tr.gettext("📅 Daily"), not instant, "mode", "d"),
        ]
    ]
    if not instant:
        # A time set with /settings HH:MM shows among the presets, marked.
        times = sorted({*DAILY_TIMES, daily_at})
        rows.append([_choice(_clock(_parse_clock(t)), t == daily_at, "at", t) for t in times])
    rows.append([_choice(z, z == chat.timezone, "tz", z) for z in TIMEZONES])
    rows.append(
        [
            _choice(
                tr.gettext("🔔 No quiet hours") if q == "off" else f"🌙 {q[:2]}–{q[2:]}",
                q == quiet,
                "quiet",
                q,
            )
            for q in QUIET_PRESETS
        ]
    )
    if chat.paused:
        rows.append([Button(tr.gettext("▶ Resume"), encode(Action.SETTINGS, "pause", "0"))])
    else:
        rows.append([Button(tr.gettext("⏸ Pause"), encode(Action.SETTINGS, "pause", "1"))])
    return rows


def _choice(label: str, current: bool, key: str, value: str) -> Button:
    return Button(f"● {label}" if current else label, encode(Action.SETTINGS, key, value))


async def _apply(context: BotContext, reader: Reader, key: str, value: str) -> bool:
    store, chat_id = context.store, reader.chat_id
    if key == "mode" and value in ("i", "d"):
        mode = DeliveryMode.DAILY if value == "d" else DeliveryMode.INSTANT
        return await store.set_delivery_mode(chat_id, mode)
    if key == "at" and (at := parse_clock(f"{value[:2]}:{value[2:]}")) is not None:
        return await store.set_delivery_mode(chat_id, DeliveryMode.DAILY, at)
    if key == "tz" and value in TIMEZONES:
        return await store.set_chat_timezone(chat_id, value)
    if key == "quiet" and value in QUIET_PRESETS:
        if value == "off":
            return await store.set_quiet_hours(chat_id, None, None)
        return await store.set_quiet_hours(chat_id, time(int(value[:2])), time(int(value[2:])))
    if key == "pause" and value == "1":
        return await store.set_paused(chat_id, True, at=context.now())
    if key == "pause" and value == "0":
        # What came while paused arrives as one catch-up digest, not as a flood.
        return await resume(store, chat_id, context.now())
    return False


async def _set_timezone(
    update: Update, context: BotContext, reader: Reader, args: list[str]
) -> None:
    tr = reader.tr
    if not await may_manage(update, context, reader):
        await reply(update, tr.gettext("Only the group's admins can change this."))
        return
    zone = find_timezone(args[0]) if len(args) == 1 else None
    if zone is None:
        await reply(update, render_unknown_timezone(tr))
        return
    await context.store.set_chat_timezone(reader.chat_id, zone)
    await reply(update, render_timezone_set(tr, zone))


async def _set_daily_time(
    update: Update, context: BotContext, reader: Reader, args: list[str]
) -> None:
    tr = reader.tr
    at = parse_clock(args[0]) if len(args) == 1 else None
    if at is None:
        await reply(update, render_settings_usage(tr))
        return
    if not await may_manage(update, context, reader):
        await reply(update, tr.gettext("Only the group's admins can change this."))
        return
    await context.store.set_delivery_mode(reader.chat_id, DeliveryMode.DAILY, at)
    chat = await context.store.get_chat(reader.chat_id)
    assert chat is not None
    await reply(update, describe(chat, tr), markup(settings_buttons(chat, tr)))


def _parse_clock(value: str) -> time:
    return time(int(value[:2]), int(value[2:]))


def _clock(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""
