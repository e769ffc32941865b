"""The last guard before a send keeps every message within what Telegram takes."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.guard import (
    MAX_RAW_BYTES,
    MAX_VISIBLE_UNITS,
    fit_message,
    fit_plain,
    plain_text,
    visible_units,
)

TAG_RE = re.compile(r"<(/?)([a-z-]+)\b[^<>]*>")


def balanced(text: str) -> bool:
    stack: list[str] = []
    for closing, name in TAG_RE.findall(text):
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def within_limits(text: str) -> bool:
    return visible_units(text) <= MAX_VISIBLE_UNITS and len(text.encode()) <= MAX_RAW_BYTES


def test_a_message_that_fits_is_left_alone() -> None:
    text = '<b><a href="https://example.com/a?b=1&amp;c=2">Title &lt;1&gt;</a></b>\nLede.'
    assert fit_message(text) == text


def test_2500_emoji_and_a_20000_character_link() -> None:
    """A real hostile entry: its push was refused and left a traceback."""
    title = "😀" * 2500
    url = "https://example.com/" + "a" * 20_000
    text = f'<b><a href="{html.escape(url)}">{title}</a></b>\n\nA lede.'
    fitted = fit_message(text)
    assert within_limits(fitted)
    assert balanced(fitted)
    assert fitted.endswith("…</a></b>") or fitted.endswith("…</b>") or fitted.endswith("…")


def test_a_16_kib_link_in_a_push_stays_under_the_raw_bound() -> None:
    url = "https://example.com/" + "x" * 16_000
    text = (f'<a href="{url}">read</a> ' * 3) + "end"
    fitted = fit_message(text)
    assert len(fitted.encode()) <= MAX_RAW_BYTES
    assert balanced(fitted)


def test_a_nul_inside_a_tag_is_removed() -> None:
    assert (
        fit_message('<a href="https://ex.com/\x00x">t</a>') == '<a href="https://ex.com/x">t</a>'
    )


def test_the_cut_never_splits_an_entity_or_a_surrogate_pair() -> None:
    text = "&lt;" * 5000
    fitted = fit_message(text)
    assert fitted.endswith("&lt;…")
    assert visible_units(fitted) == MAX_VISIBLE_UNITS
    emoji = fit_message("a" + "😀" * 3000)
    assert visible_units(emoji) <= MAX_VISIBLE_UNITS
    assert "\ufffd" not in emoji


def test_a_plain_message_keeps_its_angle_brackets() -> None:
    assert fit_plain("a <b> &amp; c\x00") == "a <b> &amp; c"
    assert fit_plain("x" * 5000)[-1] == "…"


def test_plain_text_for_a_refused_message() -> None:
    assert plain_text("<b>A &amp; B</b>\n<i>c</i>") == "A & B\nc"
    long = plain_text("<b>" + "x" * 5000 + "</b>")
    assert (len(long), long[-1]) == (MAX_VISIBLE_UNITS, "…")


ALLOWED = ["b", "i", "u", "s", "code", "pre", "blockquote"]


@st.composite
def telegram_html(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        text = html.escape(draw(st.text(max_size=400)), quote=False)
        kind = draw(st.sampled_from(["text", "tag", "link"]))
        if kind == "text":
            parts.append(text)
        elif kind == "tag":
            name = draw(st.sampled_from(ALLOWED))
            parts.append(f"<{name}>{text}</{name}>")
        else:
            url = "https://ex.com/" + "a" * draw(st.integers(0, 20_000))
            parts.append(f'<a href="{url}">{text}</a>')
    return "".join(parts)


@settings(max_examples=200, deadline=None)
@given(telegram_html())
def test_every_message_fits_and_stays_well_formed(text: str) -> None:
    fitted = fit_message(text)
    assert within_limits(fitted)
    assert balanced(fitted)
    clean = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
    if within_limits(clean):
        assert fitted == clean, "a message that fits is sent as it is"
    else:
        assert "…" in fitted


@given(st.text(max_size=10_000))
def test_any_text_is_guarded(text: str) -> None:
    fitted = fit_message(html.escape(text, quote=False))
    assert within_limits(fitted)
    plain = plain_text(text)
    assert len(plain.encode("utf-16-le", "surrogatepass")) // 2 <= MAX_VISIBLE_UNITS
