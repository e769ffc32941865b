"""Feed health alerts: each admin hears, in their language, of a feed that keeps failing."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from html import escape
from typing import Final

from bot.adapters.telegram.sender import send
from bot.chat.context import BotContext
from bot.core.delivery import SendFailure
from bot.core.i18n import Translator
from bot.core.models import Feed
from bot.core.polls import PollReport
from bot.core.render import shorten
from bot.core.schedule import Alert, Disable, HealthEvent

log = logging.getLogger(__name__)

TITLE_CHARS: Final = 80
URL_CHARS: Final = 120
ERROR_CHARS: Final = 300


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
                log.warning("could not alert admin %s: %s", admin_id, result.message)


def render_health_event(tr: Translator, feed: Feed, event: HealthEvent, error: str) -> str:
    """The admin message for a feed that keeps failing, or that was disabled."""
    name = f"<b>{escape(shorten(feed.title or feed.url, TITLE_CHARS))}</b>"
    count = event.failures
    if isinstance(event, Alert):
        headline = tr.ngettext(
            "⚠️ The feed {feed} #{id} has failed {count} time in a row.",
            "⚠️ The feed {feed} #{id} has failed {count} times in a row.",
            count,
        )
    else:
        headline = tr.ngettext(
            "⛔ The feed {feed} #{id} was disabled after {count} failure in a row.",
            "⛔ The feed {feed} #{id} was disabled after {count} failures in a row.",
            count,
        )
    lines = [
        headline.format(feed=name, id=feed.id, count=count),
        f"<code>{escape(shorten(feed.url, URL_CHARS))}</code>",
        tr.gettext("Last error: {error}").format(error=escape(shorten(error, ERROR_CHARS))),
    ]
    if isinstance(event, Disable):
        lines.append(tr.gettext("Re-enable it with /enablefeed {id}").format(id=feed.id))
    return "\n".join(lines)
