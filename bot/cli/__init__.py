"""The `digestbot` command for operators: run the bot, preview feeds, manage topics and feeds.

Errors are one line on stderr: exit 2 for a setting or argument to fix, 1 for a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot import __version__
from bot.adapters.instance import InstanceLock
from bot.adapters.logs import log_handler
from bot.app import preflight, run_bot
from bot.cli.parser import build_parser
from bot.config import Settings, load_settings, read_env_file, unknown_settings
from bot.errors import ConfigError, DigestbotError

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]
# httpx logs every request at INFO (with the bot token in the URL); the scheduler logs every
# tick. Operators see them with DIGESTBOT_LOG_LEVEL=DEBUG.
NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, load settings, run the command; errors become one line."""
    args = build_parser().parse_args(argv)
    environ = {**read_env_file(Path(".env")), **os.environ}
    for warning in unknown_settings(environ):
        print(f"digestbot: warning: {warning}", file=sys.stderr)
    try:
        if args.command == "run":
            return run(environ)
        settings = load_settings(environ, require_token=False)
        configure_logging(settings, "%(levelname)s %(name)s: %(message)s")
        handler: Command = args.handler
        return asyncio.run(handler(args, settings))
    except ConfigError as error:
        print(f"digestbot: {error}", file=sys.stderr)
        return 2
    except DigestbotError as error:
        print(f"digestbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def run(environ: Mapping[str, str]) -> int:
    """Start the bot: long polling, scheduled feed polls, clean stop on SIGINT and SIGTERM."""
    settings = load_settings(environ)
    configure_logging(settings, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("digestbot")
    try:
        with InstanceLock(settings.database):
            # Each check fails with one line, before Telegram's first update is asked for.
            asyncio.run(preflight(settings))
            log.info("digestbot %s starting; database %s", __version__, settings.database)
            status = run_bot(settings)
    except DigestbotError as error:
        # Under a supervisor, a start-up failure is a line to read, not a crash to retry.
        raise ConfigError(str(error)) from None
    log.info("digestbot stopped %s", "cleanly" if status == 0 else f"with exit status {status}")
    return status


def configure_logging(settings: Settings, layout: str) -> None:
    """Log at the configured level, as text in `layout` or as JSON lines; chatty libraries
    only from WARNING unless DEBUG."""
    logging.basicConfig(
        level=settings.log_level, handlers=[log_handler(settings.log_format, layout)]
    )
    quiet = logging.DEBUG if settings.log_level == "DEBUG" else logging.WARNING
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(quiet)
