"""Reading in chat: /summary, /sources, /next and the buttons under every article.

A whole article (opened, or the next unread one) previews what its push would: its lead image
or page, as its topic says. Key points, sources and pages preview nothing (see `replies`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler

from bot.adapters.pages import fetch_article_text
from bot.chat.context import BotContext
from bot.chat.readers import Reader, reader_of
from bot.chat.replies import reply, reply_rendered
from bot.chat.routing import button, command
from bot.core.callbacks import Action, decode
from bot.core.condense import continue_digest
from bot.core.models import Digest
from bot.core.reading import ShowPage, next_step
from bot.core.render import (
    Rendered,
    preview_url,
    render_key_points,
    render_page,
    render_push,
    render_sources,
)
from bot.core.render_reader import render_caught_up, render_no_more_pages

log = logging.getLogger(__name__)


async def summary(update: Update, context: BotContext) -> None:
    """The key points of the current article."""
    reader = await reader_of(update, context)
    await _show(update, context, reader, Action.KEY_POINTS, await _current(context, reader))


async def sources(update: Update, context: BotContext) -> None:
    """The source links of the current article."""
    reader = await reader_of(update, context)
    await _show(update, context, reader, Action.SOURCES, await _current(context, reader))


async def next_page(update: Update, context: BotContext) -> None:
    """The current article's next page, then the next unread article."""
    reader = await reader_of(update, context)
    state = await context.store.get_reading(reader.chat_id)
    if state is None:
        await _next_article(update, context, reader)
        return
    await _page_or_next(update, context, reader, *state)


async def article_button(update: Update, context: BotContext) -> None:
    """💡 / 🔗 / ▶ / open: act on the article the button sits under."""
    query = update.callback_query
    assert query is not None
    reader = await reader_of(update, context)
    callback = decode(query.data)
    try:
        article_id = callback.id_arg() if callback else None
        page = callback.int_arg(1) if callback and len(callback.args) > 1 else 0
    except ValueError:
        article_id = None
    if callback is None or article_id is None:
        await query.answer(reader.tr.gettext("This button is no longer valid."))
        return
    await query.answer()
    if callback.action is Action.NEXT:
        await _page_or_next(update, context, reader, article_id, page)
    else:
        await _show(update, context, reader, callback.action, article_id)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, for app.py to register."""
    buttons = (Action.KEY_POINTS, Action.SOURCES, Action.NEXT, Action.OPEN)
    return [
        command("summary", summary),
        command("sources", sources),
        command("next", next_page),
        *(button(a, article_button) for a in buttons),
    ]


async def _current(context: BotContext, reader: Reader) -> int | None:
    state = await context.store.get_reading(reader.chat_id)
    return state[0] if state else None


async def _show(
    update: Update, context: BotContext, reader: Reader, action: Action, article_id: int | None
) -> None:
    digest = await context.store.get_digest(article_id) if article_id is not None else None
    if article_id is None or digest is None:
        text = reader.tr.gettext("No article yet: try /latest or wait for the next push.")
        if article_id is not None:
            text = reader.tr.gettext("That article is no longer available.")
        await reply(update, text)
        return
    if action is Action.SOURCES:
        await reply_rendered(update, render_sources(digest, article_id, reader.tr))
    elif action is Action.KEY_POINTS:
        await reply_rendered(update, render_key_points(digest, article_id, reader.tr))
    else:
        await reply_rendered(update, await _article(context, reader, article_id, digest))
        await context.store.mark_read(reader.chat_id, article_id)
    # Key points and sources of the article being read keep the reader's page.
    if action is Action.OPEN or await _current(context, reader) != article_id:
        await context.store.set_reading(reader.chat_id, article_id, 0)


async def _page_or_next(
    update: Update, context: BotContext, reader: Reader, article_id: int, index: int
) -> None:
    digest = await context.store.get_digest(article_id)
    if digest is not None and index >= len(digest.pages) and digest.next_url:
        digest = await _follow_next_link(context, reader, article_id, digest)
    step = next_step(len(digest.pages) if digest else 0, index)
    if digest is None or not isinstance(step, ShowPage):
        await _next_article(update, context, reader, finished=digest)
        return
    await reply_rendered(update, render_page(digest, article_id, step.index, reader.tr))
    await context.store.set_reading(reader.chat_id, article_id, step.index + 1)


async def _follow_next_link(
    context: BotContext, reader: Reader, article_id: int, digest: Digest
) -> Digest:
    """Past the last page: the publisher's next page, fetched and condensed once, then cached
    in the digest so the next reader costs nothing. A failure drops the link, so it is never
    retried in a loop."""
    assert digest.next_url is not None
    fetcher = context.services.fetcher
    assert fetcher is not None, "services start before updates"
    # Fetching and condensing a page takes a moment: show that something is happening.
    await context.bot.send_chat_action(
        reader.chat_id, ChatAction.TYPING, message_thread_id=reader.thread_id
    )
    page = await fetch_article_text(fetcher, digest.next_url)
    if page.error:
        log.info("next page %s not used: %s", digest.next_url, page.error)
        continued = replace(digest, next_url=None, next_title=None)
    else:
        continued = await asyncio.to_thread(continue_digest, digest, page.text, page.structure)
    await context.store.update_digest(article_id, continued)
    return continued


async def _next_article(
    update: Update, context: BotContext, reader: Reader, finished: Digest | None = None
) -> None:
    """The next unread article; after the last page of `finished`, say so first."""
    found = await context.store.next_unread(reader.chat_id)
    if finished is not None:
        await reply(update, render_no_more_pages(reader.tr, finished, found[1] if found else None))
    if found is None:
        if finished is None:
            await reply(update, render_caught_up(reader.tr))
        return
    article_id, digest = found
    await reply_rendered(update, await _article(context, reader, article_id, digest))
    await context.store.mark_read(reader.chat_id, article_id)
    await context.store.set_reading(reader.chat_id, article_id, 0)


async def _article(
    context: BotContext, reader: Reader, article_id: int, digest: Digest
) -> Rendered:
    """The article as its push shows it, with the preview its topic gives pushes."""
    mode = await context.store.article_link_preview(article_id) or context.settings.link_preview
    topic = await context.store.article_topic(article_id)
    rendered = render_push(digest, article_id, reader.tr, topic)
    return replace(rendered, preview=preview_url(digest, mode))
