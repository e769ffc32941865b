from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    DEFAULT_BOT_API_URL,
    Settings,
    load_settings,
    read_env_file,
    unknown_settings,
)
from bot.core.models import LinkPreview
from bot.errors import ConfigError

TOKEN = {"DIGESTBOT_TOKEN": "123:abc"}


def test_defaults() -> None:
    settings = load_settings(TOKEN)
    assert settings == Settings(token="123:abc")
    assert settings.database == Path("./data/digestbot.sqlite3")
    assert settings.poll_interval == 600
    assert settings.default_language == "en"
    assert settings.default_timezone == "UTC"
    assert settings.retention_days == 30
    assert settings.metrics_port == 0
    assert settings.metrics_listen == "127.0.0.1"
    assert settings.api_base_url == f"{DEFAULT_BOT_API_URL}/bot"
    assert settings.api_file_url == f"{DEFAULT_BOT_API_URL}/file/bot"


def test_every_variable() -> None:
    settings = load_settings(
        TOKEN
        | {
            "DIGESTBOT_ADMIN_IDS": "1, 2,3",
            "DIGESTBOT_DATABASE": "/tmp/x.sqlite3",
            "DIGESTBOT_BOT_API_URL": "http://127.0.0.1:8081/",
            "DIGESTBOT_POLL_INTERVAL": "1",
            "DIGESTBOT_LOG_LEVEL": "debug",
            "DIGESTBOT_LOG_FORMAT": "json",
            "DIGESTBOT_METRICS_PORT": "9464",
            "DIGESTBOT_METRICS_LISTEN": "0.0.0.0",
            "DIGESTBOT_HEALTH_API_MINUTES": "0.5",
            "DIGESTBOT_DEFAULT_LANGUAGE": "ja",
            "DIGESTBOT_PAID_BROADCAST": "1",
            "DIGESTBOT_ALLOW_PRIVATE_URLS": "yes",
            "DIGESTBOT_RETENTION_DAYS": "7",
            "DIGESTBOT_SEED_FILE": "topics.toml",
        }
    )
    assert settings.admin_ids == {1, 2, 3}
    assert settings.database == Path("/tmp/x.sqlite3")
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.api_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.poll_interval == 1
    assert settings.log_level == "DEBUG"
    assert settings.log_format == "json"
    assert settings.metrics_port == 9464
    assert settings.metrics_listen == "0.0.0.0"
    assert settings.health_api_minutes == 0.5
    assert settings.default_language == "ja"
    assert settings.paid_broadcast
    assert settings.allow_private_urls
    assert settings.retention_days == 7
    assert settings.seed_file == Path("topics.toml")


def test_token_never_in_repr() -> None:
    assert "123:abc" not in repr(load_settings(TOKEN))


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        pytest.param({}, "DIGESTBOT_TOKEN", id="no-token"),
        pytest.param(TOKEN | {"DIGESTBOT_ADMIN_IDS": "me"}, "DIGESTBOT_ADMIN_IDS", id="admins"),
        pytest.param(
            TOKEN | {"DIGESTBOT_POLL_INTERVAL": "0"}, "DIGESTBOT_POLL_INTERVAL", id="interval-zero"
        ),
        pytest.param(
            TOKEN | {"DIGESTBOT_POLL_INTERVAL": "1.5"},
            "DIGESTBOT_POLL_INTERVAL",
            id="interval-fraction",
        ),
        pytest.param(
            TOKEN | {"DIGESTBOT_BOT_API_URL": "ftp://x"}, "DIGESTBOT_BOT_API_URL", id="api-url"
        ),
        pytest.param(TOKEN | {"DIGESTBOT_LOG_LEVEL": "loud"}, "DIGESTBOT_LOG_LEVEL", id="level"),
        pytest.param(
            TOKEN | {"DIGESTBOT_LOG_FORMAT": "xml"}, "DIGESTBOT_LOG_FORMAT", id="log-format"
        ),
        pytest.param(
            TOKEN | {"DIGESTBOT_METRICS_PORT": "http"}, "DIGESTBOT_METRICS_PORT", id="metrics-port"
        ),
        pytest.param(
            TOKEN | {"DIGESTBOT_HEALTH_API_MINUTES": "-1"},
            "DIGESTBOT_HEALTH_API_MINUTES",
            id="health-minutes",
        ),
        pytest.param(
            TOKEN | {"DIGESTBOT_DEFAULT_LANGUAGE": "fr"},
            "DIGESTBOT_DEFAULT_LANGUAGE",
            id="language",
        ),
        pytest.param(
            TOKEN | {"DIGESTBOT_DEFAULT_TIMEZONE": "Mars/Olympus"},
            "DIGESTBOT_DEFAULT_TIMEZONE",
            id="timezone",
        ),
        pytest.param(
            TOKEN | {"DIGESTBOT_PAID_BROADCAST": "maybe"}, "DIGESTBOT_PAID_BROADCAST", id="flag"
        ),
        pytest.param(
            TOKEN | {"DIGESTBOT_RETENTION_DAYS": "0"}, "DIGESTBOT_RETENTION_DAYS", id="retention"
        ),
    ],
)
def test_errors_are_one_line_naming_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)
    message = str(caught.value)
    assert message.startswith(variable)
    assert "\n" not in message


def test_default_timezone_in_any_case() -> None:
    settings = load_settings(TOKEN | {"DIGESTBOT_DEFAULT_TIMEZONE": "europe/paris"})
    assert settings.default_timezone == "Europe/Paris"


def test_token_optional_for_offline_commands() -> None:
    assert load_settings({}, require_token=False).token == ""


def test_env_file(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("# comment\nexport DIGESTBOT_TOKEN='1:x'\n\nDIGESTBOT_POLL_INTERVAL = 5\n")
    assert read_env_file(env) == {"DIGESTBOT_TOKEN": "1:x", "DIGESTBOT_POLL_INTERVAL": "5"}
    assert read_env_file(tmp_path / "missing") == {}


@pytest.mark.parametrize(("raw", "rate"), [("", 30), ("5", 5), ("0", 0)])
def test_user_rate(raw: str, rate: int) -> None:
    assert load_settings(TOKEN | {"DIGESTBOT_USER_RATE": raw}).user_rate == rate


@pytest.mark.parametrize("raw", ["-1", "fast", "2.5"])
def test_user_rate_errors_name_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"^DIGESTBOT_USER_RATE"):
        load_settings(TOKEN | {"DIGESTBOT_USER_RATE": raw})


@pytest.mark.parametrize(
    ("raw", "mode"),
    [
        ("", LinkPreview.IMAGE),
        ("image", LinkPreview.IMAGE),
        ("article", LinkPreview.ARTICLE),
        ("off", LinkPreview.OFF),
    ],
)
def test_link_preview(raw: str, mode: LinkPreview) -> None:
    settings = load_settings(TOKEN | {"DIGESTBOT_LINK_PREVIEW": raw})
    assert settings.link_preview is mode
    assert load_settings(TOKEN).link_preview is LinkPreview.IMAGE
    assert unknown_settings({"DIGESTBOT_LINK_PREVIEW": raw}) == []


def test_a_link_preview_of_another_kind_is_named_with_the_choices() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(TOKEN | {"DIGESTBOT_LINK_PREVIEW": "photo"})
    assert str(caught.value) == (
        "DIGESTBOT_LINK_PREVIEW must be one of image, article, off, got 'photo'"
    )
