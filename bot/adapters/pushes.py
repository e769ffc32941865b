"""What an outbox send says: a push or a combined message, rendered once per language.

A fan-out sends the same article to thousands of chats; digests, topic names, rendered
messages and their encoded keyboards are cached so each is read and rendered once per language,
not once per chat. The dispatcher renders the messages of what it claims (`warm`) before
it queues them, so a send goes out the moment the pace lets it rather than after reads that
would hold it, and the sends behind it, past their turn. Sends needing the same message wait
for one read and one rendering (`Cache.get`). What a topic's pushes preview (`LinkPreview`) is
read again after MODE_SECONDS, so an admin's change reaches the pushes that follow it; sends
meanwhile use what was read before rather than wait.

A push previews its lead image through `link_preview_options` rather than being sent as a
photo: a message keeps 4,096 characters where a caption has 1,024, and an image Telegram cannot
fetch only costs the preview, where sendPhoto would refuse the whole message.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Final, Generic, TypeVar

from bot.adapters.store import Chat, Claimed, Store
from bot.adapters.telegram.keyboards import markup
from bot.adapters.telegram.sender import encode_keyboard
from bot.core.delivery import batch_header, batch_kind
from bot.core.i18n import Translator, Translators
from bot.core.models import Digest, LinkPreview
from bot.core.render import Button, Rendered, preview_url, render_bundle, render_push

MAX_CACHED: Final = 1024
MAX_KEYBOARDS: Final = 256  # inline keyboards kept encoded
MODE_SECONDS: Final = 10.0  # how long a topic's LinkPreview is remembered
NO_PREVIEW: Final = json.dumps({"is_disabled": True})

Buttons = tuple[tuple[Button, ...], ...]
MessageKey = tuple[str | None, tuple[int, ...], str]  # batch key, article ids, language

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class Message:
    """A message rendered for some rows in one language, and what every send of it needs."""

    rendered: Rendered | None  # None: every article is gone
    gone: frozenset[int]  # the articles no longer there (their rows fail)
    first: int  # the article the message previews, as a push of it would
    lead: Digest | None  # its digest


class Cache(Generic[K, V]):
    """Values by key, all forgotten once MAX_CACHED are kept (a fan-out refills it fast); the
    callers asking for a key while it loads wait for that one load."""

    def __init__(self) -> None:
        self.values: dict[K, V] = {}
        self._stale: set[K] = set()  # kept values to load again, still given meanwhile
        self._loading: dict[K, asyncio.Task[V]] = {}

    async def get(self, key: K, load: Callable[[], Coroutine[Any, Any, V]]) -> V:
        """The value for key, from `load()` if it is not kept yet.

        A stale value is given at once, and loaded again for the callers that follow.
        """
        if key in self.values:
            if key in self._stale:
                self._stale.discard(key)
                self._load(key, load)
            return self.values[key]
        task = self._load(key, load)  # the load under way, or a new one
        # Shielded: a caller cancelled (a stop) does not cancel the load others wait for.
        return await asyncio.shield(task)

    def expire(self) -> None:
        """Load every value kept again when next asked for; until then, give the one kept."""
        self._stale = set(self.values)

    def _load(self, key: K, load: Callable[[], Coroutine[Any, Any, V]]) -> asyncio.Task[V]:
        task = self._loading.get(key)
        if task is None:
            task = asyncio.create_task(load())
            self._loading[key] = task
            task.add_done_callback(partial(self._loaded, key))
        return task

    def _loaded(self, key: K, task: asyncio.Task[V]) -> None:
        del self._loading[key]
        if not task.cancelled() and task.exception() is None:
            _remember(self.values, key, task.result())


class Pushes:
    """Renders outbox rows in their chat's language, with small caches."""

    def __init__(
        self,
        store: Store,
        translators: Translators,
        link_preview: LinkPreview = LinkPreview.IMAGE,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`link_preview` is what topics without a setting of their own preview."""
        self.store = store
        self.translators = translators
        self.link_preview = link_preview
        self.clock = clock
        self._digests: Cache[int, Digest | None] = Cache()
        self._topics: Cache[int, str] = Cache()
        self._modes: Cache[int, LinkPreview] = Cache()
        self._modes_read = clock()
        self._messages: Cache[MessageKey, Message] = Cache()
        self._keyboards: dict[Buttons, str | None] = {}

    async def warm(self, queued: Iterable[tuple[Chat, Sequence[Claimed]]]) -> None:
        """Render ahead each distinct message that claims queued for chats will be sent as: a
        single push for each claim without a batch key, one message for each batch."""
        firsts: dict[MessageKey, tuple[Chat, list[Claimed]]] = {}
        for chat, claims in queued:
            lang = self.translators[chat.language].lang
            batches: dict[str, list[Claimed]] = {}
            for claim in claims:
                if claim.batch_key is None:
                    firsts.setdefault((None, claim.article_ids, lang), (chat, [claim]))
                else:
                    batches.setdefault(claim.batch_key, []).append(claim)
            for key, batch in batches.items():
                ids = tuple(article for claim in batch for article in claim.article_ids)
                firsts.setdefault((key, ids, lang), (chat, batch))
        for chat, claims in firsts.values():
            await self.render(chat, claims, claims[0].batch_key)

    async def render(
        self, chat: Chat, claims: Sequence[Claimed], batch_key: str | None
    ) -> tuple[Rendered | None, frozenset[int]]:
        """The message for claims going to chat, and the articles of theirs that are gone."""
        tr = self.translators[chat.language]
        ids = tuple(article for claim in claims for article in claim.article_ids)
        message = await self._messages.get(
            (batch_key, ids, tr.lang), lambda: self._render(batch_key, ids, tr)
        )
        if message.rendered is None or message.lead is None:
            return None, message.gone
        # Combined and daily messages preview their first article, as a push of it would.
        mode = await self._mode(message.first)
        return replace(message.rendered, preview=preview_url(message.lead, mode)), message.gone

    def keyboard(self, buttons: Buttons) -> str | None:
        """The encoded markup for rendered buttons: a fan-out sends one keyboard many times."""
        if buttons not in self._keyboards:
            if len(self._keyboards) >= MAX_KEYBOARDS:
                self._keyboards.clear()
            self._keyboards[buttons] = encode_keyboard(markup(buttons))
        return self._keyboards[buttons]

    async def _render(
        self, batch_key: str | None, ids: tuple[int, ...], tr: Translator
    ) -> Message:
        """Read the articles' digests and render them, once for every send of the message."""
        items: list[tuple[int, Digest]] = []
        gone: set[int] = set()
        for article_id in ids:
            digest = await self._digests.get(
                article_id, partial(self.store.get_digest, article_id)
            )
            if digest is None:
                gone.add(article_id)
            else:
                items.append((article_id, digest))
        if not items:
            return Message(None, frozenset(gone), 0, None)
        topic = await self._topics.get(items[0][0], partial(self._read_topic, items[0][0]))
        if batch_key is None:
            rendered = render_push(items[0][1], items[0][0], tr, topic)
        else:
            header = batch_header(batch_kind(batch_key), len(items), topic, tr)
            rendered = render_bundle(header, items, tr)
        return Message(rendered, frozenset(gone), items[0][0], items[0][1])

    async def _mode(self, article_id: int) -> LinkPreview:
        """What the article's topic previews: its own setting, else the default."""
        if self.clock() - self._modes_read > MODE_SECONDS:
            self._modes.expire()
            self._modes_read = self.clock()
        return await self._modes.get(article_id, partial(self._read_mode, article_id))

    async def _read_mode(self, article_id: int) -> LinkPreview:
        return await self.store.article_link_preview(article_id) or self.link_preview

    async def _read_topic(self, article_id: int) -> str:
        return await self.store.article_topic(article_id) or ""


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
