"""Every chat command with its one-line description: for /help and the command menus."""

from __future__ import annotations

from typing import Final

from bot.core.i18n import N_, Translator

SUBSCRIBER_COMMANDS: Final = (
    ("start", N_("Welcome, and the topics to subscribe to")),
    ("help", N_("Every command, one line each")),
    ("topics", N_("All topics: tap to subscribe or unsubscribe")),
    ("subscribe", N_("Subscribe to a topic: /subscribe <topic>")),
    ("unsubscribe", N_("Unsubscribe from a topic: /unsubscribe <topic>")),
    ("mytopics", N_("The topics you receive")),
    ("latest", N_("The newest digests: /latest [topic]")),
    ("summary", N_("The key points of the current article")),
    ("sources", N_("The source links of the current article")),
    ("next", N_("The next page, then the next unread article")),
    ("language", N_("Switch between 日本語 and English")),
    ("settings", N_("Instant or daily digest, quiet hours, pause")),
)

ADMIN_COMMANDS: Final = (
    ("addtopic", N_("Add a topic: /addtopic <slug> <name>")),
    ("renametopic", N_("Rename a topic: /renametopic <slug> <name>")),
    ("deltopic", N_("Delete a topic: /deltopic <slug>")),
    ("topic", N_("A topic's settings: /topic <slug>")),
    ("addfeed", N_("Add a feed to a topic: /addfeed <slug> <url>")),
    ("delfeed", N_("Remove a feed: /delfeed <url or id>")),
    ("feeds", N_("Feed health: /feeds [slug]")),
    ("enablefeed", N_("Re-enable a disabled feed: /enablefeed <id>")),
    ("filter", N_("Keyword filters: /filter <slug> +word -word")),
    ("pollnow", N_("Poll every feed now")),
    ("stats", N_("Subscribers, deliveries and failing feeds")),
    ("import", N_("Send an OPML file with the caption /import <slug>")),
    ("export", N_("All topics and feeds as an OPML file")),
    ("bindchannel", N_("Push a topic to a channel: /bindchannel <slug> <@channel>")),
    ("unbindchannel", N_("Stop pushing a topic to a channel: /unbindchannel <slug> <@channel>")),
)


def command_lines(tr: Translator, *, admin: bool) -> list[str]:
    """'/command – description' for each command the reader may use."""
    commands = SUBSCRIBER_COMMANDS + (ADMIN_COMMANDS if admin else ())
    return [f"/{name} – {tr.gettext(description)}" for name, description in commands]
