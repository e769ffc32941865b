"""The seed file: topics and feeds in TOML, every mistake one line naming its key."""

from __future__ import annotations

import pytest

from bot.core.seed import SeedError, SeedTopic, parse_seed

GOOD = """
[topics.tech]
name = "Technology"
feeds = ["https://example.com/a.xml", "https://example.com/a.xml", " HTTP://example.org/b "]
include = ["rust", "Python"]
exclude = ["sponsored"]

[topics.ja-news]
name = "ニュース"
feeds = ["https://gihyo.jp/feed/rss2"]

[topics.empty]
"""


def test_a_seed_file_gives_its_topics_in_order() -> None:
    assert parse_seed(GOOD) == [
        SeedTopic(
            "tech",
            "Technology",
            ("https://example.com/a.xml", "HTTP://example.org/b"),
            ("rust", "Python"),
            ("sponsored",),
        ),
        SeedTopic("ja-news", "ニュース", ("https://gihyo.jp/feed/rss2",)),
        SeedTopic("empty", "empty", ()),
    ]


def test_an_empty_file_has_no_topics() -> None:
    assert parse_seed("") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[topics.tech", "not valid TOML"),
        ("[feeds]\nx = 1", "unknown key 'feeds'"),
        ("topics = 3", "'topics' must be tables"),
        ("[topics.Tech]", "'topics.Tech': a slug is a-z, 0-9, - and _"),
        ("[topics.tech]\nurl = 'x'", "'topics.tech.url' is not a key"),
        ("[topics.tech]\nname = ''", "'topics.tech.name' must be text of 1 to 64"),
        (f"[topics.tech]\nname = '{'n' * 65}'", "'topics.tech.name' must be text"),
        ("[topics.tech]\nfeeds = 'https://a/'", "'topics.tech.feeds' must be a list of strings"),
        ("[topics.tech]\nfeeds = ['file:///etc/passwd']", "'file:///etc/passwd' is not an http"),
        ("[topics.tech]\nfeeds = ['https://']", "'https://' is not an http"),
        ("[topics.tech]\nfeeds = ['http://[::1']", "'http://[::1' is not an http"),
        ("[topics.tech]\ninclude = [1]", "'topics.tech.include' must be a list of strings"),
        ("[topics.tech]\ninclude = ['-ads']", "'topics.tech.include': write 'ads', not '-ads'"),
        (f"[topics.tech]\nexclude = ['{'w' * 41}']", "'topics.tech' filters: keyword over 40"),
        ("topics.tech = 'x'", "'topics.tech' must be a table"),
    ],
)
def test_each_mistake_names_its_key(text: str, message: str) -> None:
    with pytest.raises(SeedError) as raised:
        parse_seed(text)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_seed_file_is_bounded() -> None:
    many = "".join(f"[topics.t{n}]\n" for n in range(201))
    with pytest.raises(SeedError, match="more than 200 topics"):
        parse_seed(many)
    feeds = ", ".join(f"'https://example.com/{n}'" for n in range(2001))
    with pytest.raises(SeedError, match="more than 2000 feeds"):
        parse_seed(f"[topics.big]\nfeeds = [{feeds}]")
