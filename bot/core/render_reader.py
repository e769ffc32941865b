"""What readers are told, as Telegram HTML: greeting, help, their topics, the newest digests.

Pure: the handlers in `bot.chat.subscriber` fetch what is shown and reply with these texts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import time
from typing import Final

from bot.core import outcomes
from bot.core.callbacks import Action, encode
from bot.core.commands import command_lines
from bot.core.i18n import Translator
from bot.core.models import Digest, Topic
from bot.core.render import (
    LIST_BUDGET,
    MAX_SHOWN_ARG_CHARS,
    MAX_SHOWN_NAME_CHARS,
    MAX_SHOWN_TITLE_CHARS,
    MAX_TITLE_CHARS,
    Button,
    Rendered,
    escape_text,
    fit_lines,
    render_plain,
    shorten,
    utf16_len,
)
from bot.core.topics import MAX_SLUG_CHARS

MAX_LATEST: Final = 5
LATEST_BUTTON_CHARS: Final = 60


def render_start(tr: Translator, *, any_topics: bool) -> str:
    """The greeting: what the bot does, then "choose your topics" (the buttons follow), or
    that there are none yet."""
    return "\n\n".join(
        [
            tr.gettext("👋 Hello! I turn news feeds into short digests."),
            tr.gettext(
                "Each article comes with a lede, three 💡 key points and its sources. "
                "Tap ▶ Next page to read on."
            ),
            tr.gettext("Choose your topics:")
            if any_topics
            else tr.gettext("There are no topics yet: come back soon, or send /help."),
        ]
    )


def render_help(tr: Translator, *, admin: bool) -> str:
    """Every command the reader may use, one line each; admins see theirs too."""
    lines = [tr.gettext("Commands:"), *command_lines(tr, admin=admin)]
    return render_plain("\n".join(lines))


def render_topics_prompt(tr: Translator, *, any_topics: bool) -> str:
    """Above the topic buttons: tap one, or there are no topics yet."""
    if not any_topics:
        return tr.gettext("There are no topics yet.")
    return tr.gettext("Tap a topic to subscribe or unsubscribe:")


def render_my_topics(tr: Translator, topics: Sequence[Topic]) -> str:
    """The topics a chat receives, one line each, cut with "…and N more." to fit one message."""
    if not topics:
        return tr.gettext("You have no topics yet. Choose some with /topics.")
    header = tr.gettext("Your topics:")
    lines = fit_lines(
        (
            f"• <b>{escape_text(t.name, MAX_SHOWN_NAME_CHARS)}</b> "
            f"({escape_text(t.slug, MAX_SLUG_CHARS)})"
            for t in topics
        ),
        LIST_BUDGET - utf16_len(header),
        "\n",
    )
    rest = len(topics) - len(lines)
    if rest:
        lines.append(
            tr.ngettext("…and {count} more.", "…and {count} more.", rest).format(count=rest)
        )
    return "\n".join([header, *lines])


def render_latest(tr: Translator, digests: Sequence[tuple[int, Digest]]) -> Rendered:
    """The newest digests (the first MAX_LATEST), numbered, each with a button that opens it."""
    digests = digests[:MAX_LATEST]
    if not digests:
        return Rendered(tr.gettext("Nothing to read yet."))
    lines = [
        f"{n}. {escape_text(d.title, MAX_TITLE_CHARS)}" for n, (_, d) in enumerate(digests, 1)
    ]
    buttons = tuple(
        (Button(f"{n}. {shorten(d.title, LATEST_BUTTON_CHARS)}", encode(Action.OPEN, article_id)),)
        for n, (article_id, d) in enumerate(digests, 1)
    )
    return Rendered(tr.gettext("The newest digests:") + "\n" + "\n".join(lines), buttons)


def render_subscription_usage(tr: Translator, *, on: bool) -> str:
    """How to use /subscribe or /unsubscribe (the topic buttons follow)."""
    if on:
        return render_plain(tr.gettext("Usage: /subscribe <topic>"))
    return render_plain(tr.gettext("Usage: /unsubscribe <topic>"))


def render_subscription(tr: Translator, changed: outcomes.SubscriptionChanged) -> str:
    """Where the chat stands with a topic after /subscribe or /unsubscribe."""
    if changed.subscribed:
        text = (
            tr.gettext("Subscribed to {topic}.")
            if changed.changed
            else tr.gettext("You already receive {topic}.")
        )
    else:
        text = (
            tr.gettext("Unsubscribed from {topic}.")
            if changed.changed
            else tr.gettext("You were not subscribed to {topic}.")
        )
    return text.format(topic=f"<b>{escape_text(changed.topic.name, MAX_SHOWN_NAME_CHARS)}</b>")


def render_toggled(tr: Translator, changed: outcomes.SubscriptionChanged) -> str:
    """The answer to a topic button: plain text, as Telegram shows a button's answer."""
    text = (
        tr.gettext("Subscribed to {topic}.")
        if changed.subscribed
        else tr.gettext("Unsubscribed from {topic}.")
    )
    return text.format(topic=shorten(changed.topic.name, MAX_SHOWN_NAME_CHARS))


def render_settings(
    tr: Translator,
    *,
    daily_at: time | None,
    timezone: str,
    quiet: tuple[time, time] | None,
    paused: bool,
) -> str:
    """A chat's delivery settings, one a line: daily or instant, timezone, quiet hours, pause."""
    mode = (
        tr.gettext("one daily digest at {time}").format(time=_clock(daily_at))
        if daily_at is not None
        else tr.gettext("instant: each article as it arrives")
    )
    hours = _clock(quiet[0]) + "–" + _clock(quiet[1]) if quiet else tr.gettext("none")
    state = tr.gettext("paused") if paused else tr.gettext("active")
    lines = [
        "⚙️ <b>" + tr.gettext("Settings") + "</b>",
        tr.gettext("Delivery: {mode}").format(mode=mode),
        tr.gettext("Timezone: {zone}").format(zone=escape_text(timezone, MAX_SHOWN_ARG_CHARS)),
        tr.gettext("Quiet hours: {hours}").format(hours=hours),
        tr.gettext("Pushes: {state}").format(state=state),
        "",
        tr.gettext("Another timezone: /settings tz Area/City"),
        tr.gettext("Any time for the daily digest: /settings HH:MM"),
    ]
    return "\n".join(lines)


def render_settings_usage(tr: Translator) -> str:
    """/settings with words it does not understand."""
    return tr.gettext(
        "Send /settings 07:30 for a daily digest at that time, or /settings tz Area/City."
    )


def render_unknown_timezone(tr: Translator) -> str:
    """/settings tz with a name that is no timezone."""
    return tr.gettext("Unknown timezone. Use a name such as Asia/Tokyo or Europe/Paris.")


def render_timezone_set(tr: Translator, zone: str) -> str:
    """The timezone a chat now has."""
    return tr.gettext("Timezone: {zone}").format(zone=escape_text(zone, MAX_SHOWN_ARG_CHARS))


def parse_clock(text: str) -> time | None:
    """A time of day typed as H:MM or HH:MM (full-width digits and colon too), or None."""
    hours, colon, minutes = unicodedata.normalize("NFKC", text.strip()).partition(":")
    if not colon or not (hours.isascii() and minutes.isascii()):
        return None
    if not (1 <= len(hours) <= 2 and len(minutes) == 2 and (hours + minutes).isdigit()):
        return None
    if int(hours) > 23 or int(minutes) > 59:
        return None
    return time(int(hours), int(minutes))


def render_no_such_topic(tr: Translator, missing: outcomes.NoSuchTopic) -> str:
    """There is no such topic; did they mean the closest one, or see /topics."""
    text = tr.gettext("There is no topic “{slug}”.").format(
        slug=escape_text(missing.name, MAX_SHOWN_ARG_CHARS)
    )
    # Japanese sentences follow each other without a space.
    space = "" if tr.lang == "ja" else " "
    if missing.guess:
        text += space + tr.gettext("Did you mean {slug}?").format(
            slug=f"<code>{escape_text(missing.guess, MAX_SLUG_CHARS)}</code>"
        )
    elif missing.any_topics:
        text += space + tr.gettext("See /topics.")
    return text


def render_caught_up(tr: Translator) -> str:
    """/next when nothing is left unread."""
    return tr.gettext("🎉 You're all caught up: no unread articles.")


def render_no_more_pages(tr: Translator, finished: Digest, following: Digest | None) -> str:
    """▶ past an article's last page: there are no more, and what comes next (or nothing)."""
    title = escape_text(finished.title or finished.url, MAX_SHOWN_TITLE_CHARS)
    if following is None:
        text = tr.gettext("No more pages in “{title}”, and no unread articles left. 🎉")
        return text.format(title=title)
    text = tr.gettext("No more pages in “{title}”. Next article: {next}")
    following_title = following.title or following.url
    return text.format(title=title, next=escape_text(following_title, MAX_SHOWN_TITLE_CHARS))


def render_text_hint(tr: Translator) -> str:
    """Plain text in a private chat: a one-line pointer to /help."""
    return tr.gettext("I read commands only. Send /help to see them.")


def render_unknown_command(tr: Translator, command: str) -> str:
    """The command is unknown: see /help."""
    text = tr.gettext("I don't know {command}. Send /help for the list of commands.")
    return text.format(command=escape_text(command, MAX_SHOWN_ARG_CHARS))


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M")
