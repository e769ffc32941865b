"""Fixtures shared by every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.feedserver import FeedServer


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    """One local feed server for the whole session, serving tests/data/ and scripted routes."""
    with FeedServer() as server:
        yield server
