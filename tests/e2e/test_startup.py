"""`digestbot run` start-up: one bot per database, and every failure one line with exit 2."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import DIGESTBOT, BotProcess
from tests.fakes.botapi import BotApiServer


def start(
    api_url: str, token: str, database: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": "/usr/bin:/bin",
        "DIGESTBOT_TOKEN": token,
        "DIGESTBOT_BOT_API_URL": api_url,
        "DIGESTBOT_DATABASE": str(database),
        "DIGESTBOT_LOG_LEVEL": "WARNING",
        "PTB_TIMEDELTA": "true",
    } | env
    return subprocess.run(
        [DIGESTBOT, "run"],
        cwd=database.parent if database.parent.is_dir() else Path.cwd(),
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_line(done: subprocess.CompletedProcess[str], line: str) -> None:
    assert done.returncode == 2
    assert done.stderr.splitlines() == [line]


def test_a_second_bot_on_the_same_database_exits_at_once(
    botapi: BotApiServer, bot_process: BotProcess, tmp_path: Path
) -> None:
    bot_process.wait_until_polling()
    database = tmp_path / "bot.sqlite3"

    second = start(botapi.url, botapi.token, database)

    pid = bot_process.process.pid
    assert_one_line(
        second,
        f"digestbot: another digestbot (pid {pid}) is running on the database {database}; "
        "stop it first, or give this one another DIGESTBOT_DATABASE",
    )
    assert bot_process.process.poll() is None, "the first one goes on"
    assert bot_process.stop() == 0
    # The OS released the lock with the process: the next start takes it.
    third = BotProcess(botapi, tmp_path)
    third.wait_until_polling()
    assert third.stop() == 0


def test_a_wrong_token_is_one_line(botapi: BotApiServer, tmp_path: Path) -> None:
    done = start(botapi.url, "123:wrong", tmp_path / "db.sqlite3")
    assert_one_line(
        done,
        f"digestbot: the Bot API at {botapi.url} refused DIGESTBOT_TOKEN: copy the token "
        "from @BotFather again",
    )


def test_an_unreachable_bot_api_is_tried_then_one_line(tmp_path: Path) -> None:
    done = start("http://127.0.0.1:9", "1:a", tmp_path / "db.sqlite3", DIGESTBOT_STARTUP_WAIT="0")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "digestbot: cannot reach the Bot API at http://127.0.0.1:9 (httpx.ConnectError: All "
        "connection attempts failed), tried for 0 s: check the network, or DIGESTBOT_BOT_API_URL"
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(
            b"",
            "is an empty file, not a digestbot database: restore a backup (README: Backup and "
            "restore), or delete the file to start afresh",
            id="empty-file",
        ),
        pytest.param(
            b"garbage" * 1000,
            "is damaged (file is not a database): check it with sqlite3 {db} 'PRAGMA "
            "integrity_check', and see README: Backup and restore",
            id="damaged",
        ),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line(
    botapi: BotApiServer, tmp_path: Path, content: bytes, problem: str
) -> None:
    database = tmp_path / "db.sqlite3"
    database.write_bytes(content)
    done = start(botapi.url, botapi.token, database)
    assert_one_line(done, f"digestbot: the database {database} {problem.format(db=database)}")
    assert database.read_bytes() == content, "the file is left as it was"
    assert not botapi.calls(), "Telegram is not reached"


def test_a_database_path_that_cannot_be_created_is_one_line(
    botapi: BotApiServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    database = blocker / "db.sqlite3"
    done = start(botapi.url, botapi.token, database)
    assert_one_line(done, f"digestbot: cannot open the database {database}: {blocker} is a file")
