"""Settings from DIGESTBOT_* environment variables and `.env`, validated once at start-up."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from zoneinfo import available_timezones

from bot.core.models import LinkPreview
from bot.errors import ConfigError

PREFIX: Final = "DIGESTBOT_"
DEFAULT_BOT_API_URL: Final = "https://api.telegram.org"
DEFAULT_DATABASE: Final = "./data/digestbot.sqlite3"
LANGUAGES: Final = ("en", "ja")
DEFAULT_RETENTION_DAYS: Final = 30
DEFAULT_FULLTEXT_MIN_CHARS: Final = 400
LOG_FORMATS: Final = ("text", "json")


# Every setting load_settings reads, without the prefix: anything else is a typo to name.
KNOWN_SETTINGS: Final = (
    "TOKEN", "ADMIN_IDS", "DATABASE", "BOT_API_URL", "POLL_INTERVAL", "LOG_LEVEL",
    "DEFAULT_LANGUAGE", "MAX_FEED_BYTES", "FETCH_TIMEOUT", "MAX_RATE", "PAID_BROADCAST",
    "ALLOW_PRIVATE_URLS", "USER_RATE", "RETENTION_DAYS", "FULLTEXT_MIN_CHARS", "WEBHOOK_URL",
    "WEBHOOK_LISTEN", "WEBHOOK_PORT", "WEBHOOK_SECRET", "SEED_FILE", "STARTUP_WAIT",
    "CONFLICT_EXIT", "LINK_PREVIEW", "DEFAULT_TIMEZONE", "LOG_FORMAT", "METRICS_PORT",
    "METRICS_LISTEN", "HEALTH_API_MINUTES",
)  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """Everything digestbot reads from its environment."""

    token: str = field(default="", repr=False)
    admin_ids: frozenset[int] = frozenset()
    database: Path = Path(DEFAULT_DATABASE)
    bot_api_url: str = DEFAULT_BOT_API_URL
    poll_interval: int = 600
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one JSON object per line
    default_language: str = "en"
    default_timezone: str = "UTC"  # a new chat's, unless it reads Japanese (Asia/Tokyo)
    max_feed_bytes: int = 5 * 1024 * 1024
    fetch_timeout: float = 30.0
    max_rate: float = 30.0
    paid_broadcast: bool = False
    allow_private_urls: bool = False
    user_rate: int = 30
    retention_days: int = DEFAULT_RETENTION_DAYS
    fulltext_min_chars: int = DEFAULT_FULLTEXT_MIN_CHARS
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str = field(default="", repr=False)
    seed_file: Path | None = None
    startup_wait: float = 60.0
    conflict_exit: float = 5.0  # minutes of 409 Conflicts from getUpdates before run stops
    metrics_port: int = 0  # 0: no /metrics and /healthz server
    metrics_listen: str = "127.0.0.1"
    health_api_minutes: float = 5.0  # minutes of Bot API outage before /healthz says 503
    link_preview: LinkPreview = LinkPreview.IMAGE  # what pushes preview, unless a topic says

    @property
    def api_base_url(self) -> str:
        """PTB's base_url: requests go to {url}/bot{token}/{method}."""
        return f"{self.bot_api_url}/bot"

    @property
    def api_file_url(self) -> str:
        """PTB's base_file_url: files come from {url}/file/bot{token}/{path}."""
        return f"{self.bot_api_url}/file/bot"


def read_env_file(path: Path) -> dict[str, str]:
    """Read KEY=value lines from a `.env` file; a missing file is empty."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def load_settings(environ: Mapping[str, str], *, require_token: bool = True) -> Settings:
    """Build Settings from the environment; each error is one line naming the variable."""
    env = {k.removeprefix(PREFIX): v.strip() for k, v in environ.items() if k.startswith(PREFIX)}
    token = env.get("TOKEN", "")
    if require_token and not token:
        raise ConfigError(
            "DIGESTBOT_TOKEN is not set: put your bot token from @BotFather in the environment "
            "or in .env (try `digestbot preview <feed url>` to see digests without Telegram)"
        )
    return Settings(
        token=token,
        admin_ids=_int_set(env, "ADMIN_IDS"),
        database=Path(env.get("DATABASE") or DEFAULT_DATABASE),
        bot_api_url=_url(env, "BOT_API_URL", DEFAULT_BOT_API_URL),
        poll_interval=int(_number(env, "POLL_INTERVAL", 600, minimum=1, integer=True)),
        log_level=_log_level(env),
        log_format=_choice(env, "LOG_FORMAT", "text", LOG_FORMATS),
        default_language=_choice(env, "DEFAULT_LANGUAGE", "en", LANGUAGES),
        default_timezone=_timezone(env, "DEFAULT_TIMEZONE"),
        max_feed_bytes=int(
            _number(env, "MAX_FEED_BYTES", 5 * 1024 * 1024, minimum=1024, integer=True)
        ),
        fetch_timeout=_number(env, "FETCH_TIMEOUT", 30.0, minimum=1),
        max_rate=_number(env, "MAX_RATE", 30.0, minimum=0.1),
        paid_broadcast=_flag(env, "PAID_BROADCAST"),
        allow_private_urls=_flag(env, "ALLOW_PRIVATE_URLS"),
        user_rate=int(_number(env, "USER_RATE", 30, minimum=0, integer=True)),
        retention_days=int(
            _number(env, "RETENTION_DAYS", DEFAULT_RETENTION_DAYS, minimum=1, integer=True)
        ),
        fulltext_min_chars=int(
            _number(env, "FULLTEXT_MIN_CHARS", DEFAULT_FULLTEXT_MIN_CHARS, minimum=0, integer=True)
        ),
        webhook_url=_optional_url(env, "WEBHOOK_URL"),
        webhook_listen=env.get("WEBHOOK_LISTEN") or "0.0.0.0",
        webhook_port=int(_number(env, "WEBHOOK_PORT", 8443, minimum=1, integer=True)),
        webhook_secret=_secret(env, "WEBHOOK_SECRET"),
        seed_file=Path(env["SEED_FILE"]) if env.get("SEED_FILE") else None,
        startup_wait=_number(env, "STARTUP_WAIT", 60.0, minimum=0),
        conflict_exit=_number(env, "CONFLICT_EXIT", 5.0, minimum=0),
        metrics_port=int(_number(env, "METRICS_PORT", 0, minimum=0, integer=True)),
        metrics_listen=env.get("METRICS_LISTEN") or "127.0.0.1",
        health_api_minutes=_number(env, "HEALTH_API_MINUTES", 5.0, minimum=0),
        link_preview=LinkPreview(
            _choice(env, "LINK_PREVIEW", LinkPreview.IMAGE, tuple(LinkPreview))
        ),
    )


def unknown_settings(environ: Mapping[str, str]) -> list[str]:
    """One warning line for each DIGESTBOT_* variable digestbot does not read, with the
    closest known name: a typo would otherwise be ignored without a word."""
    warnings = []
    for name in sorted(k for k in environ if k.startswith(PREFIX)):
        short = name.removeprefix(PREFIX)
        if short in KNOWN_SETTINGS:
            continue
        guess = difflib.get_close_matches(short, KNOWN_SETTINGS, n=1, cutoff=0.6)
        hint = f"; did you mean {PREFIX}{guess[0]}?" if guess else ""
        warnings.append(f"{name} is not a digestbot setting and is ignored{hint}")
    return warnings


def _int_set(env: Mapping[str, str], name: str) -> frozenset[int]:
    raw = env.get(name, "")
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError:
        raise ConfigError(
            f"{PREFIX}{name} must be comma-separated Telegram user ids, got {raw!r}"
        ) from None


def _number(
    env: Mapping[str, str], name: str, default: float, *, minimum: float, integer: bool = False
) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ConfigError(f"{PREFIX}{name} must be {kind}, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{PREFIX}{name} must be at least {minimum:g}, got {raw!r}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{PREFIX}{name} must be 1 or 0, got {raw!r}")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name) or default
    if raw not in choices:
        raise ConfigError(f"{PREFIX}{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def find_timezone(name: str) -> str | None:
    """The IANA timezone with this name in any case ("asia/tokyo" → "Asia/Tokyo"), or None."""
    wanted = name.strip().casefold()
    return next((z for z in sorted(available_timezones()) if z.casefold() == wanted), None)


def _timezone(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name) or "UTC"
    zone = find_timezone(raw)
    if zone is None:
        raise ConfigError(
            f"{PREFIX}{name} must be an IANA timezone such as Asia/Tokyo, got {raw!r}"
        )
    return zone


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    if not raw.startswith(("http://", "https://")):
        raise ConfigError(f"{PREFIX}{name} must be an http:// or https:// URL, got {raw!r}")
    return raw.rstrip("/")


def _optional_url(env: Mapping[str, str], name: str) -> str:
    return _url(env, name, "") if env.get(name) else ""


def _secret(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "")
    if raw and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", raw):
        raise ConfigError(f"{PREFIX}{name} must be 1 to 256 of A-Z, a-z, 0-9, _ and -")
    return raw


def _log_level(env: Mapping[str, str]) -> str:
    raw = (env.get("LOG_LEVEL") or "INFO").upper()
    if not isinstance(logging.getLevelName(raw), int):
        raise ConfigError(f"{PREFIX}LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {raw!r}")
    return raw
