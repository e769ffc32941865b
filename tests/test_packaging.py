"""The built wheel carries what the installed command needs: catalogs and migrations."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("digestbot-*.whl")
    return built


def test_wheel_ships_catalogs_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bot/locales/ja/LC_MESSAGES/messages.po" in names
    assert "bot/locales/en/LC_MESSAGES/messages.po" in names
    assert "bot/adapters/store/sql/0001_init.sql" in names
    assert "bot/py.typed" in names
    assert not any(name.startswith("tests/") for name in names)


def test_installed_wheel_runs_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    # A venv that sees this one's packages, with the wheel installed on top: no network needed.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=False, with_pip=False)
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "deps.pth").write_text("\n".join(deps) + "\n")
    feed = ROOT / "tests" / "data" / "feeds" / "gihyo-rss2_2020-01-25.xml"
    script = (
        "import sys, bot, bot.locales as l; from bot.cli import main;"
        "print(bot.__file__); print(l.locales_dir());"
        f"sys.exit(main(['preview', {str(feed)!r}, '--limit', '1']))"
    )
    done = subprocess.run(
        [str(env_dir / "bin" / "python"), "-I", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DIGESTBOT_DATABASE": str(tmp_path / "db.sqlite3")},
    )
    assert done.returncode == 0, done.stderr
    module_file, locales, *_ = done.stdout.splitlines()
    assert module_file.startswith(str(site))
    assert locales == str(site / "bot" / "locales")
