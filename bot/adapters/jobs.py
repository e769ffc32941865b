"""JobQueue callbacks: the scheduled work of a running bot."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Final

from bot.adapters.store import Delivery
from bot.adapters.telegram.context import BotContext
from bot.adapters.telegram.keyboards import markup
from bot.adapters.telegram.sender import send
from bot.core.delivery import ChatGone, Failed, MoveChat, Retry, SendFailure, SendPlain, next_step
from bot.core.render import render_push
from bot.core.text import html_to_text
from bot.pipeline import Outcome

log = logging.getLogger(__name__)

OUTBOX_BATCH: Final = 100
WORKER: Final = f"pid-{os.getpid()}"


async def poll_due_feeds(context: BotContext) -> None:
    """Poll every feed that is due; one broken feed never stops the others."""
    reports = await context.poller.poll_due(datetime.now(UTC))
    for report in reports:
        if report.outcome is Outcome.NEW and report.new_entries:
            log.info("feed %s: %d new entries", report.feed.url, report.new_entries)
    if any(report.pushed and report.digests for report in reports):
        await drain_outbox(context)


async def drain_outbox(context: BotContext) -> None:
    """Send every due outbox row; each ends sent, rescheduled, cancelled or failed."""
    store = context.store
    while rows := await store.claim_deliveries(datetime.now(UTC), OUTBOX_BATCH, WORKER):
        for row in rows:
            await deliver(context, row)


async def deliver(context: BotContext, row: Delivery) -> None:
    """Send one outbox row as a push in its chat's language."""
    store = context.store
    chat = await store.get_chat(row.chat_id)
    digest = await store.get_digest(row.article_id)
    if chat is None or digest is None:
        await store.fail_delivery(row.id, "the chat or the article no longer exists")
        return
    rendered = render_push(digest, row.article_id, context.translators[chat.language])
    keyboard = markup(rendered.buttons)
    html: str | None = rendered.html
    chat_id = row.chat_id
    while True:
        result = await send(
            context.bot,
            chat_id,
            html,
            plain=html_to_text(rendered.html),
            keyboard=keyboard,
            thread_id=row.thread_id,
        )
        if not isinstance(result, SendFailure):
            await store.mark_sent(row.id, result.message_id, datetime.now(UTC))
            await store.mark_read(chat_id, row.article_id)
            await store.set_reading(chat_id, row.article_id, 0)
            return
        step = next_step(result, row.attempts, datetime.now(UTC), plain_tried=html is None)
        log.info("send to %s failed (%s): %s", chat_id, result.kind, result.message)
        match step:
            case SendPlain():
                html = None
            case MoveChat(new_chat_id=new_id):
                await store.move_chat(chat_id, new_id)
                chat_id = new_id
            case Retry(at=at):
                await store.retry_delivery(row.id, result.message, at)
                return
            case ChatGone():
                await store.set_chat_active(chat_id, False)
                await store.cancel_chat_deliveries(chat_id, result.message)
                return
            case Failed():
                await store.fail_delivery(row.id, result.message)
                return
