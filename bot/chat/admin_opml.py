"""OPML for admins: an .opml file captioned /import <slug> adds its feeds; /export sends one."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Final

from telegram import Document, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.chat.admin import admin_reader, topic_label, usage
from bot.chat.context import BotContext
from bot.chat.readers import Reader
from bot.chat.replies import reply
from bot.chat.routing import NEW_MESSAGES, command
from bot.chat.topics import find_topic
from bot.core import outcomes
from bot.core.i18n import Translator
from bot.core.models import Topic
from bot.core.opml import MAX_OPML_BYTES
from bot.core.render import shorten
from bot.operations import opml as opml_ops

IMPORT_CAPTION: Final = r"^/import(@\w+)?(\s|$)"
OPML_SUFFIXES: Final = (".opml", ".xml")
PROGRESS_SECONDS: Final = 1.0
MAX_LISTED_REFUSED: Final = 10
URL_CHARS: Final = 100
REASON_CHARS: Final = 120


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
    name = escape(shorten(message.document.file_name or "", URL_CHARS))
    progress = await reply(update, tr.gettext("⏳ Reading {file}…").format(file=name))
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
        caption=_export_caption(reader.tr, exported),
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


def render_import(tr: Translator, outcome: outcomes.ImportOutcome) -> str:
    """The import summary: added, duplicates, refused with their reasons (the first few)."""
    match outcome:
        case outcomes.NotOpml(reason):
            text = tr.gettext("❌ This is not an OPML file I can read: {reason}")
            return text.format(reason=escape(reason))
        case outcomes.TooManyFeeds(count, limit):
            text = tr.gettext("❌ The file lists {count} new feeds: at most {limit} per import.")
            return text.format(count=count, limit=limit)
    result = outcome
    lines = [
        tr.gettext("📥 Import into {topic}:").format(topic=topic_label(result.topic)),
        tr.ngettext("✅ {count} feed added", "✅ {count} feeds added", result.added).format(
            count=result.added
        ),
        tr.ngettext(
            "↩️ {count} feed was there already",
            "↩️ {count} feeds were there already",
            result.duplicates,
        ).format(count=result.duplicates),
        tr.ngettext(
            "❌ {count} feed refused", "❌ {count} feeds refused", len(result.refused)
        ).format(count=len(result.refused)),
    ]
    for refused in result.refused[:MAX_LISTED_REFUSED]:
        url = escape(shorten(refused.url, URL_CHARS))
        lines.append(f"• <code>{url}</code>: {escape(shorten(refused.reason, REASON_CHARS))}")
    rest = len(result.refused) - MAX_LISTED_REFUSED
    if rest > 0:
        lines.append(
            tr.ngettext("…and {count} more.", "…and {count} more.", rest).format(count=rest)
        )
    return "\n".join(lines)


def _document_problem(tr: Translator, document: Document) -> str | None:
    """Why a document is not taken as OPML before downloading it, or None."""
    if not (document.file_name or "").lower().endswith(OPML_SUFFIXES):
        return tr.gettext("❌ Send an .opml or .xml file.")
    if (document.file_size or 0) > MAX_OPML_BYTES:
        text = tr.gettext("❌ The file is too large: at most {size} KiB.")
        return text.format(size=MAX_OPML_BYTES // 1024)
    return None


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
    problem = _document_problem(reader.tr, document) if topic else None
    if problem is not None:
        await reply(update, problem)
        return None
    return topic


def _export_caption(tr: Translator, exported: outcomes.Exported) -> str:
    topics, feeds = exported.topics, exported.feeds
    return " · ".join(
        [
            tr.ngettext("📤 {count} topic", "📤 {count} topics", topics).format(count=topics),
            tr.ngettext("{count} feed", "{count} feeds", feeds).format(count=feeds),
        ]
    )


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
        text = self.tr.ngettext(
            "⏳ Checked {done} of {total} feed…", "⏳ Checked {done} of {total} feeds…", total
        )
        # Progress is a courtesy: a refused edit must not stop the import.
        with contextlib.suppress(BadRequest):
            await self.message.edit_text(text.format(done=done, total=total))
