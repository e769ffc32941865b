"""The dispatcher's sendMessage body: encoded once per message, exactly as encode_form would."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.pushes import NO_PREVIEW, link_preview_options
from bot.adapters.telegram.sender import _encoded_rest, message_body
from bot.adapters.telegram.transport import encode_form
from bot.core.guard import MAX_VISIBLE_UNITS

URL = "http://127.0.0.1:8081/bot123:abc/sendMessage"
KEYBOARD = json.dumps({"inline_keyboard": [[{"text": "💡 Key points", "callback_data": "kp:1"}]]})


def uncached(
    chat_id: int,
    text: str,
    mode: str | None,
    keyboard: str | None,
    thread_id: int | None,
    paid: bool,
    preview: str | None,
) -> bytes:
    """The body as post_form encodes the whole call."""
    fields: dict[str, object] = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": mode,
        "reply_markup": keyboard,
        "message_thread_id": thread_id,
        "allow_paid_broadcast": True if paid else None,
        "link_preview_options": preview,
    }
    return encode_form(URL, fields)


@given(
    chats=st.lists(st.integers(min_value=-(10**13), max_value=10**13), min_size=1, max_size=5),
    text=st.one_of(
        st.text(max_size=50),
        st.just("<b>news</b> ✓ & more =?+%"),
        st.just("<b>" + "長い記事。" * MAX_VISIBLE_UNITS + "</b>"),  # cut by the guard
    ),
    mode=st.sampled_from(["HTML", None]),
    keyboard=st.sampled_from([KEYBOARD, None]),
    thread_id=st.one_of(st.none(), st.integers(min_value=1, max_value=10**6)),
    paid=st.booleans(),
    preview=st.sampled_from([None, NO_PREVIEW, link_preview_options("https://ex.com/a b.png")]),
)
def test_the_body_is_the_same_bytes_as_an_uncached_encode_for_every_chat(
    chats: list[int],
    text: str,
    mode: str | None,
    keyboard: str | None,
    thread_id: int | None,
    paid: bool,
    preview: str | None,
) -> None:
    for chat_id in chats:
        assert message_body(URL, chat_id, text, mode, keyboard, thread_id, paid, preview) == (
            uncached(chat_id, text, mode, keyboard, thread_id, paid, preview)
        )


def test_a_fan_out_encodes_the_message_once_and_only_the_chat_per_send() -> None:
    _encoded_rest.cache_clear()
    text = "<b>Council passes budget</b>"
    bodies = [
        message_body(URL, chat_id, text, "HTML", KEYBOARD, None, True, NO_PREVIEW)
        for chat_id in (100_001, 100_002, -100_003)
    ]
    assert _encoded_rest.cache_info().misses == 1
    assert [body.split(b"&", 1)[0] for body in bodies] == [
        b"chat_id=100001",
        b"chat_id=100002",
        b"chat_id=-100003",
    ]
    assert len({body.split(b"&", 1)[1] for body in bodies}) == 1


def test_what_differs_per_chat_besides_its_id_is_in_its_body() -> None:
    base = ("<b>news</b>", "HTML", KEYBOARD, None, False, NO_PREVIEW)
    variants = [
        base,
        ("<b>ニュース</b>", *base[1:]),  # another language
        (*base[:3], 7, *base[4:]),  # a forum topic's thread
        (*base[:5], link_preview_options("https://ex.com/a.png")),  # the topic previews
        (*base[:2], None, *base[3:]),  # no keyboard
        (*base[:4], True, base[5]),  # paid
        ("news", None, *base[2:]),  # plain text
    ]
    bodies = [message_body(URL, 5, *variant) for variant in variants]
    assert len(set(bodies)) == len(variants)
    assert bodies == [uncached(5, *variant) for variant in variants]
