"""What an outbox send says: a push or a combined message, rendered once per language.

A fan-out sends the same article to thousands of chats; digests, topic names, rendered
messages and their encoded keyboards are cached so each is read and rendered once per language,
not once per chat. What a topic's pushes preview (`LinkPreview`) is read again after
MODE_SECONDS, so an admin's change reaches the pushes that follow it.

A push previews its lead image through `link_preview_options` rather than being sent as a
photo: a message keeps 4,096 characters where a caption has 1,024, and an image Telegram cannot
fetch only costs the preview, where sendPhoto would refuse the whole message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Final, TypeVar

from bot.adapters.store import Chat, Delivery, Store
from bot.adapters.telegram.keyboards import markup
from bot.adapters.telegram.sender import encode_keyboard
from bot.core.delivery import batch_header, batch_kind
from bot.core.i18n import Translators
from bot.core.models import Digest, LinkPreview
from bot.core.render import Button, Rendered, preview_url, render_bundle, render_push

MAX_CACHED: Final = 1024
MAX_KEYBOARDS: Final = 256  # inline keyboards kept encoded
MODE_SECONDS: Final = 10.0  # how long a topic's LinkPreview is remembered
NO_PREVIEW: Final = json.dumps({"is_disabled": True})

Buttons = tuple[tuple[Button, ...], ...]

K = TypeVar("K")
V = TypeVar("V")


class Pushes:
    """Renders outbox rows in their chat's language, with small caches."""

    def __init__(
        self,
        store: Store,
        translators: Translators,
        link_preview: LinkPreview = LinkPreview.IMAGE,
    ) -> None:
        """`link_preview` is what topics without a setting of their own preview."""
        self.store = store
        self.translators = translators
        self.link_preview = link_preview
        self._digests: dict[int, Digest | None] = {}
        self._topics: dict[int, str] = {}
        self._modes: dict[int, LinkPreview] = {}
        self._modes_read = time.monotonic()
        self._rendered: dict[tuple[str | None, tuple[int, ...], str], Rendered] = {}
        self._keyboards: dict[Buttons, str | None] = {}

    async def render(
        self, chat: Chat, rows: Sequence[Delivery], batch_key: str | None
    ) -> tuple[Rendered | None, list[Delivery]]:
        """The message for rows going to chat, and the rows whose article is gone."""
        tr = self.translators[chat.language]
        items: list[tuple[int, Digest]] = []
        missing: list[Delivery] = []
        for row in rows:
            digest = await self._digest(row.article_id)
            if digest is None:
                missing.append(row)
            else:
                items.append((row.article_id, digest))
        if not items:
            return None, missing
        key = (batch_key, tuple(article_id for article_id, _ in items), tr.lang)
        rendered = self._rendered.get(key)
        if rendered is None:
            if batch_key is None:
                topic = await self._topic(items[0][0])
                rendered = render_push(items[0][1], items[0][0], tr, topic)
            else:
                topic = await self._topic(items[0][0])
                header = batch_header(batch_kind(batch_key), len(items), topic, tr)
                rendered = render_bundle(header, items, tr)
            _remember(self._rendered, key, rendered)
        # Combined and daily messages preview their first article, as a push of it would.
        mode = await self._mode(items[0][0])
        return replace(rendered, preview=preview_url(items[0][1], mode)), missing

    def keyboard(self, buttons: Buttons) -> str | None:
        """The encoded markup for rendered buttons: a fan-out sends one keyboard many times."""
        if buttons not in self._keyboards:
            if len(self._keyboards) >= MAX_KEYBOARDS:
                self._keyboards.clear()
            self._keyboards[buttons] = encode_keyboard(markup(buttons))
        return self._keyboards[buttons]

    async def _digest(self, article_id: int) -> Digest | None:
        if article_id not in self._digests:
            _remember(self._digests, article_id, await self.store.get_digest(article_id))
        return self._digests[article_id]

    async def _mode(self, article_id: int) -> LinkPreview:
        """What the article's topic previews: its own setting, else the default."""
        if time.monotonic() - self._modes_read > MODE_SECONDS:
            self._modes.clear()
            self._modes_read = time.monotonic()
        if article_id not in self._modes:
            mode = await self.store.article_link_preview(article_id) or self.link_preview
            _remember(self._modes, article_id, mode)
        return self._modes[article_id]

    async def _topic(self, article_id: int) -> str:
        if article_id not in self._topics:
            _remember(self._topics, article_id, await self.store.article_topic(article_id) or "")
        return self._topics[article_id]


def link_preview_options(preview: str) -> str:
    """sendMessage's link_preview_options for a rendered preview URL: large, above the text;
    disabled when there is none, so no other link in the text is previewed instead."""
    if not preview:
        return NO_PREVIEW
    return json.dumps({"url": preview, "prefer_large_media": True, "show_above_text": True})


def _remember(cache: dict[K, V], key: K, value: V) -> None:
    """Keep value, forgetting everything once the cache is full: a fan-out refills it fast."""
    if len(cache) >= MAX_CACHED:
        cache.clear()
    cache[key] = value
