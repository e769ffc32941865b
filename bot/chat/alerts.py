"""Feed health alerts: each admin hears, in their language, of a feed that keeps failing."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.adapters.logs import feed_ids
from bot.adapters.telegram.sender import send
from bot.chat.context import BotContext
from bot.core.delivery import SendFailure
from bot.core.polls import PollReport
from bot.core.render_feeds import render_health_event

log = logging.getLogger(__name__)


async def report_feed_health(context: BotContext, reports: Iterable[PollReport]) -> None:
    """Tell every admin, in their language, about each feed this poll alerted on or disabled."""
    for report in reports:
        if report.health is None:
            continue
        for admin_id in sorted(context.settings.admin_ids):
            chat = await context.store.get_chat(admin_id)
            tr = context.translators[chat.language if chat else None]
            text = render_health_event(tr, report.feed, report.health, report.error or "")
            result = await send(context.bot, admin_id, text)
            if isinstance(result, SendFailure):
                log.warning(
                    "could not alert admin %s: %s",
                    admin_id,
                    result.message,
                    extra={"chat_id": admin_id, **feed_ids(report.feed)},
                )
