"""OPML: reading real exports safely, planning an import, and writing a document back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.opml import (
    MAX_OPML_BYTES,
    ImportPlan,
    Opml,
    OpmlError,
    OpmlFeed,
    OpmlGroup,
    Refused,
    build_opml,
    parse_opml,
    plan_import,
)

NOW = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)

# The shape of a Feedly / Inoreader export, as published in JonZeolla/InfoSec-Starter-Kit's
# feeds.opml (OPML 1.0, category outlines, &amp; in a query string, a » in a title), with a
# Japanese category and a feed outside any category added.
REAL_WORLD = """<?xml version="1.0" encoding="UTF-8"?>

<opml version="1.0">
    <head>
        <title>RSS Feeds</title>
    </head>
    <body>
        <outline text="IT Security" title="IT Security">
            <outline type="rss" text="IT Security - Hot Weekly Questions"
                title="IT Security - Hot Weekly Questions"
                xmlUrl="http://security.stackexchange.com/feeds/week"
                htmlUrl="http://security.stackexchange.com/questions"/>
            <outline type="rss" text="Ars Technica » Risk Assessment"
                title="Ars Technica » Risk Assessment"
                xmlUrl="http://feeds.arstechnica.com/arstechnica/security"
                htmlUrl="http://arstechnica.com"/>
            <outline type="rss" text="Techquickie (uploads) on YouTube"
                title="Techquickie (uploads) on YouTube"
                xmlUrl="http://gdata.youtube.com/feeds/base/users/Techquickie/uploads?v=2&amp;alt=rss"
                htmlUrl="https://youtube.com/playlist?list=UU0vBXGSyV14uvJ4hECDOl0Q"/>
        </outline>
        <outline text="技術">
            <outline text="gihyo.jp" type="rss" xmlUrl="https://gihyo.jp/feed/rss2"/>
        </outline>
        <outline type="rss" text="xkcd.com" XMLURL="https://xkcd.com/rss.xml"/>
    </body>
</opml>
""".encode()


def test_parse_a_real_world_export() -> None:
    assert parse_opml(REAL_WORLD) == Opml(
        title="RSS Feeds",
        feeds=(
            OpmlFeed(
                "http://security.stackexchange.com/feeds/week",
                "IT Security - Hot Weekly Questions",
                "IT Security",
            ),
            OpmlFeed(
                "http://feeds.arstechnica.com/arstechnica/security",
                "Ars Technica » Risk Assessment",
                "IT Security",
            ),
            OpmlFeed(
                "http://gdata.youtube.com/feeds/base/users/Techquickie/uploads?v=2&alt=rss",
                "Techquickie (uploads) on YouTube",
                "IT Security",
            ),
            OpmlFeed("https://gihyo.jp/feed/rss2", "gihyo.jp", "技術"),
            OpmlFeed("https://xkcd.com/rss.xml", "xkcd.com", ""),
        ),
    )


@pytest.mark.parametrize("encoding", ["Shift_JIS", "EUC-JP", "UTF-16"])
def test_parse_nested_categories_in_a_declared_encoding(encoding: str) -> None:
    data = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<opml version="2.0"><body><outline text="ニュース"><outline text="国内">'
        '<outline text="NHK" xmlUrl="https://www.nhk.or.jp/rss/news/cat0.xml"/>'
        "</outline></outline></body></opml>"
    ).encode(encoding)
    assert parse_opml(data).feeds == (
        OpmlFeed("https://www.nhk.or.jp/rss/news/cat0.xml", "NHK", "国内"),
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "not well-formed", id="empty"),
        pytest.param(b"<opml><body><outline></body></opml>", "not well-formed", id="unclosed"),
        pytest.param(b"\x89PNG\r\n\x1a\n", "not well-formed", id="binary"),
        pytest.param(b"<html><body>hi</body></html>", "<html>, not <opml>", id="html"),
        pytest.param(b'<rss version="2.0"><channel/></rss>', "<rss>, not <opml>", id="a-feed"),
        pytest.param(b'<opml version="2.0"><head/></opml>', "no <body>", id="no-body"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<opml><body><outline text="&lol2;" xmlUrl="http://x/"/></body></opml>',
            "DOCTYPE",
            id="billion-laughs",
        ),
        pytest.param(
            b'<!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml><body/></opml>',
            "DOCTYPE",
            id="external-dtd",
        ),
        pytest.param(
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><opml/>'.encode(
                "utf-16"
            ),
            "DOCTYPE",
            id="doctype-in-utf16",
        ),
        pytest.param(
            '<?xml version="1.0" encoding="Shift_JIS"?><!DOCTYPE x><opml/>'.encode("shift_jis"),
            "DOCTYPE",
            id="doctype-in-shift-jis",
        ),
        pytest.param(
            b'<?xml version="1.0" encoding="Shift_JIS"?><opml text="\x81"/>',
            "cannot read the document as Shift_JIS",
            id="bad-shift-jis",
        ),
        pytest.param(
            b'<?xml version="1.0" encoding="x-nonsense"?><opml/>',
            "cannot read the document as x-nonsense",
            id="unknown-encoding",
        ),
        pytest.param(b" " * (MAX_OPML_BYTES + 1), "over 1024 KiB", id="too-large"),
    ],
)
def test_parse_refuses(data: bytes, reason: str) -> None:
    with pytest.raises(OpmlError, match=reason.replace("(", r"\(")):
        parse_opml(data)


def test_an_empty_body_lists_no_feeds() -> None:
    assert parse_opml(b'<opml version="2.0"><body/></opml>') == Opml(title="", feeds=())


def test_plan_import_sorts_new_duplicate_and_refused_feeds() -> None:
    feeds = [
        OpmlFeed("https://a.example/feed"),
        OpmlFeed("https://known.example/feed"),
        OpmlFeed("https://a.example/feed", "listed twice"),
        OpmlFeed("javascript:alert(1)"),
        OpmlFeed("ftp://files.example/feed.xml"),
        OpmlFeed("HTTPS://B.example/feed"),
        OpmlFeed("https://"),
    ]
    assert plan_import(feeds, ["https://known.example/feed"]) == ImportPlan(
        to_add=(OpmlFeed("https://a.example/feed"), OpmlFeed("HTTPS://B.example/feed")),
        duplicates=(
            OpmlFeed("https://known.example/feed"),
            OpmlFeed("https://a.example/feed", "listed twice"),
        ),
        refused=(
            Refused("javascript:alert(1)", "not an http(s) URL"),
            Refused("ftp://files.example/feed.xml", "not an http(s) URL"),
            Refused("https://", "not an http(s) URL"),
        ),
    )


def test_build_writes_one_outline_per_topic_escaped() -> None:
    groups = [
        OpmlGroup(
            "Tech & <Science>",
            (
                OpmlFeed("https://example.com/feed?a=1&b=2", 'Say "hi" <b>'),
                OpmlFeed("https://example.com/untitled"),
            ),
        ),
        OpmlGroup("ニュース", ()),
    ]
    expected = (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<opml version="2.0">\n'
        "  <head>\n"
        "    <title>digestbot</title>\n"
        "    <dateCreated>Fri, 01 May 2026 08:30:00 +0000</dateCreated>\n"
        "  </head>\n"
        "  <body>\n"
        '    <outline text="Tech &amp; &lt;Science&gt;" title="Tech &amp; &lt;Science&gt;">\n'
        '      <outline type="rss" text="Say &quot;hi&quot; &lt;b&gt;"'
        ' title="Say &quot;hi&quot; &lt;b&gt;" xmlUrl="https://example.com/feed?a=1&amp;b=2" />\n'
        '      <outline type="rss" text="https://example.com/untitled"'
        ' title="https://example.com/untitled" xmlUrl="https://example.com/untitled" />\n'
        "    </outline>\n"
        '    <outline text="ニュース" title="ニュース" />\n'
        "  </body>\n"
        "</opml>\n"
    ).encode()
    assert build_opml("digestbot", groups, NOW) == expected


def test_build_drops_characters_xml_cannot_carry() -> None:
    data = build_opml(
        "t", [OpmlGroup("a\x00b\x1bc\ud800", (OpmlFeed("https://x/", "\x0cT"),))], NOW
    )
    parsed = parse_opml(data)
    assert parsed.feeds == (OpmlFeed("https://x/", "T", "abc"),)


titles = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).map(str.strip)
urls = st.from_regex(r"https://[a-z]{1,10}\.example/[a-z0-9?&=%._-]{0,30}", fullmatch=True)


@given(
    st.lists(
        st.tuples(
            titles.filter(bool),
            st.lists(st.tuples(urls, titles), max_size=4),
        ),
        max_size=4,
    )
)
def test_build_then_parse_round_trips(topics: list[tuple[str, list[tuple[str, str]]]]) -> None:
    groups = [OpmlGroup(name, tuple(OpmlFeed(u, t) for u, t in feeds)) for name, feeds in topics]
    parsed = parse_opml(build_opml("digestbot", groups, NOW))
    assert parsed.title == "digestbot"
    assert parsed.feeds == tuple(
        OpmlFeed(feed.url, feed.title or feed.url, group.title)
        for group in groups
        for feed in group.feeds
    )
