"""Transport: sendMessage throughput through PTB's default HTTPXRequest and AiohttpRequest.

The fake Bot API runs in a child process, so server and client do not share an event loop or
a GIL; each measurement gets a fresh one, since the fake slows as it records calls. Each sends
N messages with C in flight through one telegram.Bot, after a warm-up; rounds alternate the
transports and the median is reported.

Usage: python -m bench.transport [--sends 4000] [--concurrency 64] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Final

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.adapters.telegram.transport import AiohttpRequest

CHATS: Final = 1000
WARMUP_SENDS: Final = 200
SERVER_START_SECONDS: Final = 60
TRANSPORTS: Final[dict[str, Callable[[int], BaseRequest]]] = {
    "httpx": lambda pool: HTTPXRequest(connection_pool_size=pool),
    "aiohttp": lambda pool: AiohttpRequest(connection_pool_size=pool),
}


def serve(pipe: Connection) -> None:
    """In the child: run the fake Bot API, send back (base_url, token), stop when told."""
    from tests.fakes.botapi import BotApiServer

    with BotApiServer() as server:
        pipe.send((server.base_url, server.token))
        pipe.recv()


@contextmanager
def fake_bot_api() -> Iterator[tuple[str, str]]:
    """A fake Bot API in a child process for the with block; yields (base_url, token)."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=serve, args=(child,), name="fake-botapi", daemon=True)
    server.start()
    try:
        if not parent.poll(SERVER_START_SECONDS):
            raise RuntimeError("the fake Bot API did not start")
        yield parent.recv()
    finally:
        parent.send("stop")
        server.join(timeout=30)
        if server.is_alive():
            server.terminate()


async def send_all(bot: Bot, sends: int, concurrency: int) -> float:
    """Send `sends` messages with `concurrency` in flight; returns the seconds taken."""
    remaining = iter(range(sends))

    async def worker() -> None:
        for n in remaining:
            await bot.send_message(n % CHATS + 1, f"bench message {n}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def measure(
    base_url: str, token: str, request: BaseRequest, sends: int, concurrency: int
) -> float:
    """Sends per second through one transport, after a warm-up that fills its pool."""
    async with Bot(token, base_url=base_url, request=request) as bot:
        await send_all(bot, WARMUP_SENDS, concurrency)
        return sends / await send_all(bot, sends, concurrency)


def main(argv: list[str] | None = None) -> int:
    """Print sends/s for each transport and the aiohttp/httpx ratio."""
    parser = argparse.ArgumentParser(prog="bench.transport", description=__doc__)
    parser.add_argument("--sends", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    rates: dict[str, list[float]] = {name: [] for name in TRANSPORTS}
    for _ in range(args.rounds):
        for name, build in TRANSPORTS.items():
            with fake_bot_api() as (base_url, token):
                request = build(args.concurrency)
                rate = asyncio.run(measure(base_url, token, request, args.sends, args.concurrency))
            rates[name].append(rate)

    print(f"sendMessage x{args.sends}, {args.concurrency} in flight, {args.rounds} rounds")
    medians = {name: statistics.median(values) for name, values in rates.items()}
    for name, values in rates.items():
        rounds = ", ".join(f"{v:,.0f}" for v in values)
        print(f"  {name:8} {medians[name]:8,.0f} sends/s  (rounds: {rounds})")
    print(f"  aiohttp/httpx {medians['aiohttp'] / medians['httpx']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
