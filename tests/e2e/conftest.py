"""`digestbot run` as a real process, pointed at the fake Bot API and the local feed server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ADMIN
from tests.fakes.botapi import BotApiServer

DIGESTBOT = str(Path(sys.executable).parent / "digestbot")


def eventually(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait for a condition outside the fake Bot API (a file, the feed server) to hold."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


class BotProcess:
    """A running `digestbot run`, its log captured to a file."""

    def __init__(self, api: BotApiServer, workdir: Path, **env: str) -> None:
        self.api = api
        self.workdir = workdir
        self.log = workdir / "bot.log"
        environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
        environ |= {
            "DIGESTBOT_TOKEN": api.token,
            "DIGESTBOT_BOT_API_URL": api.url,
            "DIGESTBOT_DATABASE": str(workdir / "bot.sqlite3"),
            "DIGESTBOT_ADMIN_IDS": str(ADMIN),
            "DIGESTBOT_ALLOW_PRIVATE_URLS": "1",
            "DIGESTBOT_POLL_INTERVAL": "1",
            "DIGESTBOT_LOG_LEVEL": "INFO",
        } | env
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [DIGESTBOT, "run"],
            cwd=workdir,
            env=environ,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_until_polling(self, timeout: float = 30.0) -> None:
        """Wait until the bot is long-polling the fake for updates."""
        deadline = time.monotonic() + timeout
        while not self.api.is_polling:
            if self.process.poll() is not None:
                raise AssertionError(f"digestbot exited early:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"digestbot never polled for updates:\n{self.output()}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send a signal and wait for the process to end; returns its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._log_file.close()

    def output(self) -> str:
        """Everything the process logged so far."""
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def bot_process(botapi: BotApiServer, tmp_path: Path) -> Iterator[BotProcess]:
    """A `digestbot run` process, stopped (and killed if it will not stop) afterwards."""
    process = BotProcess(botapi, tmp_path)
    try:
        yield process
    finally:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait()
