"""One story once: canonical URLs and near-identical titles, in one language, within 48 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher

from hypothesis import given
from hypothesis import strategies as st

from bot.core.stories import SAME_TITLE_RATIO, Story, StoryIndex, similar_titles, title_key

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
RUST = "Rust 2.0 released with a new borrow checker"


def index(*stories: Story) -> StoryIndex:
    return StoryIndex(stories)


def test_a_title_key_ignores_width_case_and_punctuation() -> None:
    assert title_key("Ｒｕｓｔ 2.0!") == title_key("rust 20") == "rust20"
    assert title_key("「日本語」の見出し、です。") == "日本語の見出しです"


def test_the_same_story_by_title_or_canonical_url() -> None:
    stories = index(
        Story(1, "https://a.example/x", "Unrelated", "en", NOW),
        Story(2, None, RUST, "en", NOW - timedelta(hours=47)),
    )
    assert stories.find("https://a.example/x", "Another title", "en", NOW) == 1
    assert stories.find(None, RUST.upper() + "!", "en", NOW) == 2
    assert stories.find(None, RUST + "s", "en", NOW) == 2  # one letter more: still the story
    assert stories.find(None, RUST, "ja", NOW) is None  # another language
    assert stories.find(None, RUST, "en", NOW + timedelta(hours=2)) is None  # past 48 hours
    assert stories.find(None, "Rust 3.0 drops the borrow checker", "en", NOW) is None
    assert stories.find(None, "!!!", "en", NOW) is None  # no words: never the same


def test_japanese_titles_compare_by_character() -> None:
    stories = index(Story(7, None, "政府、新しい経済対策を発表　総額10兆円", "ja", NOW))
    assert stories.find(None, "政府､新しい経済対策を発表 総額10兆円", "ja", NOW) == 7
    assert stories.find(None, "野党、新しい経済対策に反対", "ja", NOW) is None


titles = st.text(alphabet=st.sampled_from("abcdefghij 0123456789あいう漢字!"), max_size=40)


@given(a=titles, b=titles)
def test_similar_titles_is_exactly_the_ratio_rule(a: str, b: str) -> None:
    # The quick bounds only skip pairs that ratio() would refuse.
    ka, kb = title_key(a), title_key(b)
    expected = bool(ka and kb) and (
        ka == kb or SequenceMatcher(None, ka, kb).ratio() >= SAME_TITLE_RATIO
    )
    assert similar_titles(ka, kb) is expected


@given(base=st.text(alphabet="abcdefghijklmnop", min_size=30, max_size=60), cut=st.integers(0, 2))
def test_a_title_cut_short_by_a_letter_or_two_is_similar(base: str, cut: int) -> None:
    assert similar_titles(base, base[: len(base) - cut])
