"""The exceptions digestbot raises or returns as values.

DigestbotError
├── ConfigError          a setting is missing or invalid (one line, names the variable)
├── StoreError           the database cannot be used
│   ├── SchemaTooNewError   the database was written by a newer digestbot
│   ├── StoreBusyError      another connection kept the database locked past the retries
│   └── StoreFullError      the disk (or the database's page limit) is full
└── FeedError            a feed cannot be used
    ├── FetchError          the bytes could not be fetched (carries a FetchFailure kind)
    └── ParseError          the bytes are not a usable feed
"""

from __future__ import annotations

from enum import StrEnum


class DigestbotError(Exception):
    """Base class of every digestbot error."""


class ConfigError(DigestbotError):
    """A setting is missing or invalid."""


class StoreError(DigestbotError):
    """The database cannot be used."""


class SchemaTooNewError(StoreError):
    """The database schema is newer than this version of digestbot."""


class StoreBusyError(StoreError):
    """Another connection held the database locked through every retry."""


class StoreFullError(StoreError):
    """A write found the disk or the database full; it was rolled back."""


class FeedError(DigestbotError):
    """A feed cannot be used."""


class FetchFailure(StrEnum):
    """Why a fetch failed; stored as text on the feed."""

    TIMEOUT = "timeout"
    CONNECT = "connect"
    DNS = "dns"
    HTTP_STATUS = "http-status"
    TOO_LARGE = "too-large"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    BAD_URL = "bad-url"
    PRIVATE_ADDRESS = "private-address"
    PROTOCOL = "protocol"


class FetchError(FeedError):
    """The bytes could not be fetched."""

    def __init__(self, kind: FetchFailure, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


class ParseError(FeedError):
    """The bytes are not a usable feed."""
