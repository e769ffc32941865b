"""PTB's exceptions for a failed send, as the outbox reads them: which timeouts may have posted."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError, TelegramError, TimedOut

from bot.adapters.telegram.sender import as_send_failure
from bot.adapters.telegram.transport import POOL_TIMEOUT_MESSAGE
from bot.core.delivery import FailureKind

HTTPX_POOL_TIMEOUT = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent "
    "to Telegram. Consider adjusting the connection pool size or the pool timeout."
)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (TimedOut(), FailureKind.TIMED_OUT),
        (TimedOut(POOL_TIMEOUT_MESSAGE), FailureKind.TRANSIENT),
        (TimedOut(HTTPX_POOL_TIMEOUT), FailureKind.TRANSIENT),
        (NetworkError("aiohttp.ClientConnectorError: refused"), FailureKind.TRANSIENT),
    ],
    ids=["read-timeout-may-have-posted", "no-connection", "httpx-pool", "network-error"],
)
def test_only_a_timeout_after_sending_may_have_posted(
    error: TelegramError, kind: FailureKind
) -> None:
    assert as_send_failure(error).kind is kind
