"""OPML for admins: an .opml file captioned /import <slug> adds its feeds; /export sends one."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from telegram import Document, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.chat.admin import admin_reader, usage
from bot.chat.context import BotContext
from bot.chat.readers import Reader
from bot.chat.replies import reply
from bot.chat.routing import NEW_MESSAGES, command
from bot.chat.topics import find_topic
from bot.core.i18n import Translator
from bot.core.models import Topic
from bot.core.render_admin import (
    render_document_problem,
    render_export_caption,
    render_import,
    render_import_progress,
    render_reading,
)
from bot.operations import opml as opml_ops

IMPORT_CAPTION: Final = r"^/import(@\w+)?(\s|$)"
PROGRESS_SECONDS: Final = 1.0


async def import_opml(update: Update, context: BotContext) -> None:
    """A document captioned /import <slug>: validate and add each feed, showing progress."""
    message = update.effective_message
    assert message is not None, "routed by filters"
    assert message.document is not None, "routed by filters"
    if not _addressed_to(message.caption or "", context.bot.username):
        return
    reader = await admin_reader(update, context)
    if reader is None:
        return
    topic = await _import_topic(update, context, reader, message.document)
    if topic is None:
        return
    tr = reader.tr
    progress = await reply(update, render_reading(tr, message.document.file_name or ""))
    data = bytes(await (await message.document.get_file()).download_as_bytearray())
    shown = ProgressShown(tr, progress, context.now, context.now())
    outcome = await opml_ops.import_opml(
        context.store, context.poller, topic, data, context.now(), shown.show
    )
    await progress.edit_text(render_import(tr, outcome))


async def import_help(update: Update, context: BotContext) -> None:
    """/import typed as text: explain that it is the caption of an OPML file."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    await usage(update, reader.tr.gettext("Send an OPML file with the caption /import <slug>."))


async def export_opml(update: Update, context: BotContext) -> None:
    """/export: every topic and its feeds as an OPML file."""
    reader = await admin_reader(update, context)
    if reader is None:
        return
    now = context.now()
    exported = await opml_ops.export_opml(context.store, now)
    if exported is None:
        await reply(update, reader.tr.gettext("There are no topics yet."))
        return
    message = update.effective_message
    assert message is not None
    await message.reply_document(
        exported.body,
        caption=render_export_caption(reader.tr, exported),
        filename=f"digestbot-{now:%Y%m%d}.opml",
        do_quote=False,
    )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, for app.py to register."""
    # CommandHandler reads text only: a command in a document's caption needs its own filter.
    with_caption = NEW_MESSAGES & filters.Document.ALL & filters.CaptionRegex(IMPORT_CAPTION)
    return [
        MessageHandler(with_caption, import_opml),
        command("import", import_help),
        command("export", export_opml),
    ]


def _addressed_to(caption: str, username: str) -> bool:
    """False for "/import@otherbot …": in a group, that caption is for another bot."""
    command = caption.split(maxsplit=1)[0] if caption.strip() else ""
    _, _, target = command.partition("@")
    return not target or target.lower() == username.lower()


async def _import_topic(
    update: Update, context: BotContext, reader: Reader, document: Document
) -> Topic | None:
    """The topic the caption names, when the document may be OPML; else a reply says why."""
    message = update.effective_message
    words = (message.caption or "").split() if message else []
    if len(words) != 2:
        await usage(
            update, reader.tr.gettext("Send an OPML file with the caption /import <slug>.")
        )
        return None
    topic = await find_topic(update, context, reader, words[1])
    problem = (
        render_document_problem(reader.tr, document.file_name or "", document.file_size or 0)
        if topic
        else None
    )
    if problem is not None:
        await reply(update, problem)
        return None
    return topic


@dataclass
class ProgressShown:
    """Edits an import's progress message at most once every PROGRESS_SECONDS."""

    tr: Translator
    message: Message
    clock: Callable[[], datetime]
    last: datetime

    async def show(self, done: int, total: int) -> None:
        """Show "checked done of total", unless shown less than PROGRESS_SECONDS ago."""
        now = self.clock()
        if done >= total or (now - self.last).total_seconds() < PROGRESS_SECONDS:
            return
        self.last = now
        # Progress is a courtesy: a refused edit must not stop the import.
        with contextlib.suppress(BadRequest):
            await self.message.edit_text(render_import_progress(self.tr, done, total))
