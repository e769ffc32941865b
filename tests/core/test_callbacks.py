from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.callbacks import MAX_CALLBACK_BYTES, Action, Callback, decode, encode


@pytest.mark.parametrize(
    ("action", "args", "data"),
    [
        pytest.param(Action.KEY_POINTS, (12,), "k:12", id="key-points"),
        pytest.param(Action.NEXT, (12, 3), "n:12:3", id="next-page"),
        pytest.param(Action.LANGUAGE, ("ja",), "l:ja", id="language"),
        pytest.param(Action.CANCEL, (), "x", id="no-args"),
    ],
)
def test_encode_is_compact(action: Action, args: tuple[object, ...], data: str) -> None:
    assert encode(action, *args) == data
    assert decode(data) == Callback(action, tuple(str(a) for a in args))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(None, id="none"),
        pytest.param("", id="empty"),
        pytest.param("zz:1", id="unknown-action"),
        pytest.param("k:" + "9" * 80, id="too-long"),
        pytest.param("\ud800", id="lone-surrogate"),
    ],
)
def test_decode_refuses_what_we_did_not_make(data: str | None) -> None:
    assert decode(data) is None


def test_encode_refuses_over_64_bytes() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        encode(Action.TOGGLE_TOPIC, "x" * 70)


def test_encode_refuses_separator_in_argument() -> None:
    with pytest.raises(ValueError, match="':'"):
        encode(Action.TOGGLE_TOPIC, "a:b")


@given(
    action=st.sampled_from(Action),
    args=st.lists(st.integers(min_value=0, max_value=2**63), max_size=3),
)
def test_callback_data_round_trips_within_64_bytes(action: Action, args: list[int]) -> None:
    data = encode(action, *args)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    decoded = decode(data)
    assert decoded is not None
    assert decoded.action is action
    assert [decoded.int_arg(i) for i in range(len(args))] == args
