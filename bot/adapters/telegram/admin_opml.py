"""OPML for admins: an .opml file captioned /import <slug> adds its feeds; /export sends one."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from html import escape
from typing import Final

from telegram import Document, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.adapters.store import DuplicateError
from bot.adapters.telegram.admin import admin_reader, topic_label, usage
from bot.adapters.telegram.context import BotContext
from bot.adapters.telegram.readers import Reader
from bot.adapters.telegram.replies import reply
from bot.adapters.telegram.routing import NEW_MESSAGES, command
from bot.adapters.telegram.topics import find_topic
from bot.core.i18n import Translator
from bot.core.models import Topic
from bot.core.opml import (
    MAX_IMPORT_FEEDS,
    MAX_OPML_BYTES,
    ImportPlan,
    OpmlError,
    OpmlFeed,
    OpmlGroup,
    Refused,
    build_opml,
    parse_opml,
    plan_import,
)
from bot.core.render import shorten
from bot.errors import FeedError

IMPORT_CAPTION: Final = r"^/import(@\w+)?(\s|$)"
OPML_SUFFIXES: Final = (".opml", ".xml")
IMPORT_CONCURRENCY: Final = 8
PROGRESS_SECONDS: Final = 1.0
MAX_LISTED_REFUSED: Final = 10
URL_CHARS: Final = 100
REASON_CHARS: Final = 120
EXPORT_TITLE: Final = "digestbot"


class Added(StrEnum):
    """How adding one feed of an import ended, when it was not refused."""

    NEW = "new"
    ALREADY = "already"


@dataclass(frozen=True)
class ImportResult:
    """How an import ended for each feed it listed."""

    added: int
    duplicates: int
    refused: tuple[Refused, ...]


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
    plan = await _plan(context, tr, topic, data, progress)
    if plan is None:
        return
    result = await _add_all(context, tr, topic, plan, progress)
    await progress.edit_text(render_import(tr, topic, result))


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
    topics = await context.store.list_topics()
    if not topics:
        await reply(update, reader.tr.gettext("There are no topics yet."))
        return
    groups = [
        OpmlGroup(
            t.name, tuple(OpmlFeed(f.url, f.title) for f in await context.store.list_feeds(t.id))
        )
        for t in topics
    ]
    now = datetime.now(UTC)
    message = update.effective_message
    assert message is not None
    await message.reply_document(
        build_opml(EXPORT_TITLE, groups, now),
        caption=_export_caption(reader.tr, groups),
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


def render_import(tr: Translator, topic: Topic, result: ImportResult) -> str:
    """The import summary: added, duplicates, refused with their reasons (the first few)."""
    lines = [
        tr.gettext("📥 Import into {topic}:").format(topic=topic_label(topic)),
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


async def _plan(
    context: BotContext, tr: Translator, topic: Topic, data: bytes, progress: Message
) -> ImportPlan | None:
    """The document's feeds sorted against the topic's; None after saying why it won't do."""
    try:
        opml = await asyncio.to_thread(parse_opml, data)
    except OpmlError as error:
        text = tr.gettext("❌ This is not an OPML file I can read: {reason}")
        await progress.edit_text(text.format(reason=escape(str(error))))
        return None
    known = [feed.url for feed in await context.store.list_feeds(topic.id)]
    plan = plan_import(opml.feeds, known)
    if len(plan.to_add) > MAX_IMPORT_FEEDS:
        text = tr.gettext("❌ The file lists {count} new feeds: at most {limit} per import.")
        await progress.edit_text(text.format(count=len(plan.to_add), limit=MAX_IMPORT_FEEDS))
        return None
    return plan


def _export_caption(tr: Translator, groups: list[OpmlGroup]) -> str:
    topics, feeds = len(groups), sum(len(g.feeds) for g in groups)
    return " · ".join(
        [
            tr.ngettext("📤 {count} topic", "📤 {count} topics", topics).format(count=topics),
            tr.ngettext("{count} feed", "{count} feeds", feeds).format(count=feeds),
        ]
    )


async def _add_all(
    context: BotContext, tr: Translator, topic: Topic, plan: ImportPlan, progress: Message
) -> ImportResult:
    """Validate and add the planned feeds a few at a time; edit progress at most once a second."""
    now, gate = datetime.now(UTC), asyncio.Semaphore(IMPORT_CONCURRENCY)
    adding = [_add_one(context, topic, feed, now, gate) for feed in plan.to_add]
    added, duplicates, refused = 0, len(plan.duplicates), list(plan.refused)
    last_shown = time.monotonic()
    for done, outcome in enumerate(asyncio.as_completed(adding), 1):
        match await outcome:
            case Added.NEW:
                added += 1
            case Added.ALREADY:
                duplicates += 1
            case Refused() as reason:
                refused.append(reason)
        if time.monotonic() - last_shown >= PROGRESS_SECONDS and done < len(adding):
            last_shown = time.monotonic()
            await _show_progress(tr, progress, done, len(adding))
    return ImportResult(added, duplicates, tuple(refused))


async def _add_one(
    context: BotContext, topic: Topic, feed: OpmlFeed, now: datetime, gate: asyncio.Semaphore
) -> Added | Refused:
    async with gate:
        try:
            await context.poller.add_feed(topic.id, feed.url, now)
        except DuplicateError:
            # Added meanwhile, by another import or /addfeed.
            return Added.ALREADY
        except FeedError as error:
            return Refused(feed.url, str(error))
        return Added.NEW


async def _show_progress(tr: Translator, progress: Message, done: int, total: int) -> None:
    text = tr.ngettext(
        "⏳ Checked {done} of {total} feed…", "⏳ Checked {done} of {total} feeds…", total
    )
    # Progress is a courtesy: a refused edit must not stop the import.
    with contextlib.suppress(BadRequest):
        await progress.edit_text(text.format(done=done, total=total))
