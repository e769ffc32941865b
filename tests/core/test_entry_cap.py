"""Cutting a long feed after its first entries: well-formed when it was, same first entries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.entry_cap import cap_entries
from bot.core.feeds import parse_feed

RSS_HEAD = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
RSS_TAIL = b"</channel></rss>"


def rss(count: int, *, extra: bytes = b"") -> bytes:
    items = b"".join(
        b"<item><guid>g%d</guid><title>n%d</title></item>" % (i, i) for i in range(count)
    )
    return RSS_HEAD + extra + items + RSS_TAIL


def atom(count: int) -> bytes:
    entries = b"".join(
        b"<entry><id>e%d</id><title>n%d</title></entry>" % (i, i) for i in range(count)
    )
    return b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>" + entries + b"</feed>"


def rdf(count: int) -> bytes:
    items = b"".join(
        b"<rss:item rdf:about='http://x/%d'><rss:title>n%d</rss:title>"
        b"<rss:link>http://x/%d</rss:link></rss:item>" % (i, i, i)
        for i in range(count)
    )
    return (
        b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
        b"xmlns:rss='http://purl.org/rss/1.0/'><rss:channel rdf:about='http://x/'>"
        b"<rss:title>t</rss:title></rss:channel>" + items + b"</rdf:RDF>"
    )


def titles(body: bytes) -> list[str]:
    return [
        entry.title for entry in parse_feed(body, "https://x.example/", max_entries=10**6).entries
    ]


@pytest.mark.parametrize("make", [rss, atom, rdf], ids=["rss", "atom", "rdf"])
def test_a_long_feed_is_cut_well_formed_after_its_first_entries(
    make: Callable[[int], bytes],
) -> None:
    cut = cap_entries(make(1000), 5)
    ET.fromstring(cut)  # still well-formed XML
    assert titles(cut) == [f"n{i}" for i in range(5)]


@pytest.mark.parametrize("count", [0, 1, 5])
def test_a_feed_within_the_limit_is_unchanged(count: int) -> None:
    body = rss(count)
    assert cap_entries(body, 5) is body


def test_nested_and_quoted_entries_do_not_count() -> None:
    nested = b"<item><guid>a</guid><x:entry xmlns:x='urn:x'/><x:item xmlns:x='urn:x'/></item>"
    quoted = (
        b"<item><guid>b</guid><description><![CDATA[<item><item><item>]]></description></item>"
    )
    body = RSS_HEAD + nested + quoted + RSS_TAIL
    assert cap_entries(body, 2) is body


def test_undefined_entities_and_a_bom_do_not_stop_the_cut() -> None:
    body = b"\xef\xbb\xbf \n" + rss(50, extra=b"<description>&nbsp;&copy;</description>")
    cut = cap_entries(body, 3)
    assert cut.endswith(b"<title>n2</title></item>" + RSS_TAIL)


def test_ill_formed_xml_is_cut_at_the_first_surplus_entry() -> None:
    body = RSS_HEAD + b"<p>unclosed &" + rss(50)[len(RSS_HEAD) :]
    assert cap_entries(body, 3).endswith(b"<title>n2</title></item>")


def entity_bomb(levels: int = 9) -> bytes:
    """A "billion laughs" DOCTYPE: each entity is ten of the one before."""
    tens = [f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, levels + 1)]
    return ('<!DOCTYPE rss [<!ENTITY e0 "laugh">' + "".join(tens) + "]>").encode()


def test_an_entity_bomb_before_many_entries_is_cut_without_expanding() -> None:
    declaration = b"<?xml version='1.0'?>"
    feed = rss(300, extra=b"<description>&e9;</description>")
    body = declaration + entity_bomb() + feed.removeprefix(declaration)
    cut = cap_entries(body, 10)
    assert len(cut) < len(body)
    assert len(titles(cut)) <= 10


@given(count=st.integers(min_value=0, max_value=40), limit=st.integers(min_value=0, max_value=40))
def test_parsing_the_cut_gives_the_first_entries(count: int, limit: int) -> None:
    assert titles(cap_entries(rss(count), limit)) == [f"n{i}" for i in range(min(count, limit))]
