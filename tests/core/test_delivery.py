"""After a failed send: wait, resend as plain text, move the chat, retry, drop or give up."""

from __future__ import annotations

import gettext
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.delivery import (
    DEFAULT_FLOOD_WAIT,
    MAX_ATTEMPTS,
    MAX_BACKOFF,
    RESEND_PAUSE,
    BatchKind,
    ChatGone,
    Failed,
    FailureKind,
    Hold,
    MoveChat,
    Resend,
    Retry,
    SendFailure,
    SendPlain,
    Step,
    Unconfirmed,
    Wait,
    backoff,
    batch_header,
    batch_kind,
    next_step,
)
from bot.core.i18n import Translator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
EN = Translator("en", gettext.NullTranslations())


def failure(kind: FailureKind, **kwargs: object) -> SendFailure:
    return SendFailure(kind, f"{kind} happened", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("failed", "attempts", "plain_tried", "moved", "expected"),
    [
        (failure(FailureKind.FLOOD, retry_after=timedelta(seconds=7)), 1, False, False,
         Wait(timedelta(seconds=7))),
        (failure(FailureKind.FLOOD), 9, False, False, Wait(DEFAULT_FLOOD_WAIT)),
        (failure(FailureKind.GONE), 1, False, False, ChatGone()),
        (failure(FailureKind.MIGRATED, new_chat_id=-1005), 1, False, False, MoveChat(-1005)),
        (failure(FailureKind.MIGRATED, new_chat_id=-1005), 1, False, True, Failed()),
        (failure(FailureKind.MIGRATED), 1, False, False, Failed()),
        (failure(FailureKind.BAD_MARKUP), 1, False, False, SendPlain()),
        (failure(FailureKind.BAD_MARKUP), 1, True, False, Failed()),
        (failure(FailureKind.BAD_REQUEST), 1, False, False, Failed()),
        (failure(FailureKind.TRANSIENT), 1, False, False, Retry(NOW + timedelta(seconds=5))),
        (failure(FailureKind.TRANSIENT), 3, False, False, Retry(NOW + timedelta(seconds=20))),
        (failure(FailureKind.TRANSIENT), MAX_ATTEMPTS - 1, False, False,
         Retry(NOW + timedelta(seconds=40))),
        (failure(FailureKind.TRANSIENT), MAX_ATTEMPTS, False, False, Failed()),
    ],
    ids=[
        "429-waits-retry-after",
        "429-without-hint-waits-default-and-never-gives-up",
        "gone",
        "migrated-moves",
        "migrated-twice-fails",
        "migrated-without-id-fails",
        "bad-markup-resends-plain",
        "bad-markup-in-plain-too-fails",
        "other-400-fails",
        "transient-first-retry-5s",
        "transient-third-retry-20s",
        "transient-last-retry",
        "transient-past-the-limit-fails",
    ],
)  # fmt: skip
def test_next_step(
    failed: SendFailure, attempts: int, plain_tried: bool, moved: bool, expected: Step
) -> None:
    assert next_step(failed, attempts, NOW, plain_tried=plain_tried, moved=moved) == expected


@pytest.mark.parametrize(
    ("failed", "attempts", "timeouts", "expected"),
    [
        (failure(FailureKind.TIMED_OUT), 1, 0, Resend(NOW + RESEND_PAUSE)),
        (failure(FailureKind.TIMED_OUT), MAX_ATTEMPTS, 0, Resend(NOW + RESEND_PAUSE)),
        (failure(FailureKind.TIMED_OUT), 2, 1, Unconfirmed()),
        (failure(FailureKind.TRANSIENT), 2, 1, Unconfirmed()),
        (failure(FailureKind.BAD_REQUEST), 2, 1, Unconfirmed()),
        (failure(FailureKind.FLOOD, retry_after=timedelta(seconds=3)), 2, 1,
         Wait(timedelta(seconds=3))),
        (failure(FailureKind.GONE), 2, 1, ChatGone()),
        (failure(FailureKind.UNREACHABLE), 2, 1, Hold()),
    ],
    ids=[
        "timeout-resends-once-after-a-pause",
        "timeout-resends-whatever-the-attempts",
        "second-timeout-is-unconfirmed",
        "transient-after-a-timeout-is-unconfirmed",
        "refusal-after-a-timeout-is-unconfirmed",
        "429-after-a-timeout-waits",
        "gone-after-a-timeout-is-gone",
        "outage-after-a-timeout-holds",
    ],
)  # fmt: skip
def test_next_step_after_a_timeout(
    failed: SendFailure, attempts: int, timeouts: int, expected: Step
) -> None:
    step = next_step(failed, attempts, NOW, plain_tried=False, timeouts=timeouts)
    assert step == expected


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [(0, 5), (1, 5), (2, 10), (6, 160), (11, 1800), (10_000, 1800)],
)
def test_backoff_doubles_up_to_its_cap(attempts: int, wait: int) -> None:
    assert backoff(attempts) == min(timedelta(seconds=wait), MAX_BACKOFF)


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("burst:3:2026-05-01T12:00:00.000000+00:00", BatchKind.BURST),
        ("daily:42:2026-05-01", BatchKind.DAILY),
        ("catchup:42:2026-05-01T12:00:00.000000+00:00", BatchKind.CATCHUP),
        ("something-new", BatchKind.BURST),
    ],
    ids=["burst", "daily", "catchup", "unknown"],
)
def test_batch_kind_is_the_key_prefix(key: str, kind: BatchKind) -> None:
    assert batch_kind(key) is kind


@pytest.mark.parametrize(
    ("kind", "count", "header"),
    [
        (BatchKind.BURST, 5, "Tech: 5 new articles"),
        (BatchKind.BURST, 1, "Tech: 1 new article"),
        (BatchKind.DAILY, 7, "☀️ Your daily digest"),
        (BatchKind.CATCHUP, 2, "Welcome back: what you missed"),
    ],
    ids=["burst", "burst-of-one", "daily", "catchup"],
)
def test_batch_header(kind: BatchKind, count: int, header: str) -> None:
    assert batch_header(kind, count, "Tech", EN) == header
