"""A wheel built from the repository's files alone installs a bot that speaks Japanese.

The wheels are built from a copy of the files git would pack (tracked, or new and not ignored),
so nothing compiled or left over in the working tree can hide a file the package misses: once
straight from the tree (`pip install .`, `pip install git+…`) and once through an sdist.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import USER
from tests.fakes.botapi import BotApiServer

ROOT = Path(__file__).resolve().parents[1]
KINDS = ["tree", "sdist"]
# The /start greeting, as locales/ja/LC_MESSAGES/messages.po has it.
JAPANESE_GREETING = (
    "👋 こんにちは！ニュースフィードを短いダイジェストにしてお届けします。\n\n"
    "各記事にはリード文、3つの💡要点、出典が付きます。"
    "続きは「▶ 次のページ」をタップしてください。\n\n"
    "トピックはまだありません。しばらくしてからもう一度お越しいただくか、/help をご覧ください。"
)


def run(*command: str | Path, cwd: Path | None = None) -> None:
    """Run a build step; its output only matters if it fails."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def copy_source(target: Path) -> Path:
    """The files a build of the working tree would see, and no compiled catalog."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file() and source.suffix != ".mo":
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def build_wheel(source: Path, out: Path) -> Path:
    """`pip wheel` without network or build isolation: hatchling comes with the dev extra."""
    options = ["--quiet", "--no-deps", "--no-index", "--no-build-isolation"]
    run(sys.executable, "-m", "pip", "wheel", *options, "--wheel-dir", out, source)
    (built,) = out.glob("digestbot-*.whl")
    return built


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A wheel built straight from the source tree, and one built from its sdist."""
    source = copy_source(tmp_path_factory.mktemp("source"))
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", dist, cwd=source)
    (sdist,) = dist.glob("digestbot-*.tar.gz")
    unpacked = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (from_sdist,) = unpacked.iterdir()
    return {
        "tree": build_wheel(source, tmp_path_factory.mktemp("tree-wheel")),
        "sdist": build_wheel(from_sdist, tmp_path_factory.mktemp("sdist-wheel")),
    }


@dataclass(frozen=True)
class Installed:
    """digestbot installed with pip into a virtualenv of its own."""

    bin: Path
    site: Path

    def env(self, **variables: str) -> dict[str, str]:
        """An environment that sees nothing of the test's own Python setup."""
        return {"PATH": f"{self.bin}:/usr/bin:/bin", **variables}


def install(wheel: Path, env_dir: Path) -> Installed:
    """A new venv with the wheel pip-installed; the dependencies come from this environment."""
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    options = ["--quiet", "--no-deps", "--no-index"]
    run(sys.executable, "-m", "pip", "--python", python, "install", *options, wheel)
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    # Only the dependencies: plain paths, so the .pth of this environment's editable
    # digestbot is not read there.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "deps.pth").write_text("\n".join(deps) + "\n")
    return Installed(env_dir / "bin", site)


@contextmanager
def running_bot(installed: Installed, api: BotApiServer, workdir: Path) -> Iterator[Path]:
    """The installed `digestbot run` against the fake Bot API; yields its log file."""
    log = workdir / "bot.log"
    env = installed.env(
        DIGESTBOT_TOKEN=api.token,
        DIGESTBOT_BOT_API_URL=api.url,
        DIGESTBOT_DATABASE=str(workdir / "bot.sqlite3"),
    )
    with log.open("wb") as output:
        process = subprocess.Popen(
            [installed.bin / "digestbot", "run"],
            cwd=workdir,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield log
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.parametrize("kind", KINDS)
def test_wheel_ships_catalogs_and_migrations(wheels: dict[str, Path], kind: str) -> None:
    names = set(zipfile.ZipFile(wheels[kind]).namelist())
    assert "bot/locales/ja/LC_MESSAGES/messages.po" in names
    assert "bot/locales/en/LC_MESSAGES/messages.po" in names
    assert "bot/adapters/store/sql/0001_init.sql" in names
    assert "bot/py.typed" in names
    assert not any(name.startswith("tests/") for name in names)


@pytest.mark.parametrize("kind", KINDS)
def test_installed_bot_greets_a_japanese_reader_in_japanese(
    wheels: dict[str, Path], kind: str, botapi: BotApiServer, tmp_path: Path
) -> None:
    installed = install(wheels[kind], tmp_path / "venv")
    with running_bot(installed, botapi, tmp_path) as log:
        botapi.inject_command(USER, "/start", language_code="ja")
        try:
            greeting = botapi.wait_for_call(
                "sendMessage", lambda c: c.params["chat_id"] == USER, timeout=60
            )
        except AssertionError as error:
            raise AssertionError(log.read_text(errors="replace")) from error
    assert greeting.params["text"] == JAPANESE_GREETING


def test_installed_wheel_runs_from_any_directory(wheels: dict[str, Path], tmp_path: Path) -> None:
    installed = install(wheels["tree"], tmp_path / "venv")
    feed = ROOT / "tests" / "data" / "feeds" / "gihyo-rss2_2020-01-25.xml"
    script = (
        "import sys, bot, bot.locales as l; from bot.cli import main;"
        "print(bot.__file__); print(l.locales_dir());"
        f"sys.exit(main(['preview', {str(feed)!r}, '--limit', '1']))"
    )
    done = subprocess.run(
        [installed.bin / "python", "-I", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=installed.env(DIGESTBOT_DATABASE=str(tmp_path / "db.sqlite3")),
    )
    assert done.returncode == 0, done.stderr
    module_file, locales, *_ = done.stdout.splitlines()
    assert module_file.startswith(str(installed.site))
    assert locales == str(installed.site / "bot" / "locales")


def test_a_missing_catalog_stops_start_up_with_one_line(
    wheels: dict[str, Path], botapi: BotApiServer, tmp_path: Path
) -> None:
    installed = install(wheels["tree"], tmp_path / "venv")
    catalog = installed.site / "bot" / "locales" / "ja" / "LC_MESSAGES" / "messages.po"
    catalog.unlink()
    done = subprocess.run(
        [installed.bin / "digestbot", "run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=installed.env(
            DIGESTBOT_TOKEN=botapi.token,
            DIGESTBOT_BOT_API_URL=botapi.url,
            DIGESTBOT_DATABASE=str(tmp_path / "db.sqlite3"),
            DIGESTBOT_LOG_LEVEL="WARNING",
        ),
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"digestbot: cannot read the ja message catalog {catalog}: No such file or directory\n"
    )
    # Before Telegram or the database is touched.
    assert botapi.calls() == []
    assert not (tmp_path / "db.sqlite3").exists()
