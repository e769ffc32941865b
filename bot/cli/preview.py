"""`digestbot preview`: the digests a feed would give, as the bot would push them, offline."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.adapters.http import Fetcher
from bot.app import make_fetcher
from bot.config import Settings
from bot.core.feeds import parse_feed
from bot.core.models import Digest, FetchResult
from bot.core.render import render_text
from bot.errors import ConfigError, DigestbotError
from bot.locales import load_translators
from bot.pipeline import condense_all, feeds_on_page, read_pages

WEB_SCHEMES = ("http://", "https://")


async def preview(args: argparse.Namespace, settings: Settings) -> int:
    """Print the digests of a feed file or URL; short entries' pages are read, as the bot does."""
    async with make_fetcher(settings) as fetcher:
        if args.source.lower().startswith(WEB_SCHEMES):
            result = await _fetch_feed(fetcher, args.source)
            body, url, headers = result.body, result.url, dict(result.headers)
        else:
            path = Path(args.source)
            body, headers = await _read_file(path), {}
            url = (await asyncio.to_thread(path.resolve)).as_uri()
        parsed = parse_feed(body, url, headers, default_lang=settings.default_language)
        entries = parsed.entries[: max(args.limit, 0)]
        pages = {}
        if not args.no_fetch:
            pages = await read_pages(fetcher, entries, settings.fulltext_min_chars)
    source = parsed.title or url
    wanted = {entry.key for entry in entries}
    articles = await asyncio.to_thread(condense_all, entries, wanted, source, ((), ()), pages)
    digests = [article.digest for article in articles if article.digest is not None]
    if args.json:
        print(json.dumps([digest_json(d) for d in digests], ensure_ascii=False, indent=2))
    else:
        tr = load_translators(settings.default_language)[args.lang or parsed.lang]
        print(f"{source} ({_count(len(parsed.entries))}, {parsed.lang})")
        for digest in digests:
            print("\n" + "─" * 60 + "\n" + render_text(digest, tr))
    if parsed.problem:
        print(f"digestbot: note: the feed is ill-formed: {parsed.problem}", file=sys.stderr)
    return 0


async def _fetch_feed(fetcher: Fetcher, url: str, *, discover: bool = True) -> FetchResult:
    """The feed at a URL; a site's page that names one feed gives that feed."""
    result = await fetcher.fetch(url)
    if result.error is not None:
        raise result.error
    found = feeds_on_page(result) if discover else ()
    if not found:
        return result
    if len(found) > 1:
        names = ", ".join(feed.url for feed in found)
        raise DigestbotError(f"{url} is a web page that names several feeds: {names}")
    note = f"digestbot: {url} is a web page; previewing the feed it names, {found[0].url}"
    print(note, file=sys.stderr)
    return await _fetch_feed(fetcher, found[0].url, discover=False)


async def _read_file(path: Path) -> bytes:
    try:
        return await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        raise ConfigError(f"no such file: {path} (give a feed file or an http(s) URL)") from None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None


def _count(entries: int) -> str:
    return f"{entries} {'entry' if entries == 1 else 'entries'}"


def digest_json(digest: Digest) -> dict[str, Any]:
    """A digest as plain JSON data."""
    data = asdict(digest)
    data["published"] = digest.published.isoformat() if digest.published else None
    data["sources"] = [asdict(source) for source in digest.all_sources]
    return data
