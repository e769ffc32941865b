"""Feeds that declare no encoding are read in the one their bytes show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.charset import as_utf8, declares_encoding, guess_encoding
from bot.core.feeds import parse_feed
from bot.core.text import html_to_text

DATA = Path(__file__).parent.parent / "data"
CHARDET = sorted((DATA / "feedparser-illformed" / "chardet").glob("*.xml"))
EUC_JP = DATA / "feeds" / "tdiary-ishinao_2006_eucjp.rdf"
GIHYO = DATA / "feeds" / "gihyo-rss2_2020-01-25.xml"
URL = "https://example.com/feed"


def texts(body: bytes, headers: dict[str, str] | None = None) -> list[str]:
    """Every non-empty text of the parsed feed: its title, its entries' titles and texts."""
    feed = parse_feed(body, URL, headers)
    found = [
        feed.title,
        *(e.title for e in feed.entries),
        *(html_to_text(e.html) for e in feed.entries),
    ]
    return [text for text in found if text.strip()]


# Shift_JIS and its Windows form cp932 read six byte pairs as different characters (0x8160 is
# WAVE DASH in one, FULLWIDTH TILDE in the other); either reading of them is right.
JIS_VARIANTS = str.maketrans("～－∥￠￡￢", "〜−‖¢£¬")


def same_jis(texts: list[str]) -> list[str]:
    return [text.translate(JIS_VARIANTS) for text in texts]


def without_declaration(xml: str) -> str:
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", xml.lstrip("\ufeff"))


@pytest.mark.parametrize("path", CHARDET, ids=lambda p: p.stem)
def test_feedparsers_undeclared_encodings_are_read_as_what_they_are(path: Path) -> None:
    body = path.read_bytes()
    # Each file of feedparser's corpus names its encoding in its leading comment.
    expected = re.search(rb"encoding == '([^']+)'", body)
    assert expected is not None
    document = body.decode(expected.group(1).decode())

    found = texts(body)

    assert found
    for text in found:
        assert text[:12] in document, text


def test_an_undeclared_euc_jp_feed_reads_as_the_declared_one() -> None:
    declared = EUC_JP.read_bytes()
    xml = declared.decode("euc_jp")
    assert xml.lstrip().startswith("<?xml")
    undeclared = without_declaration(xml).encode("euc_jp")

    assert guess_encoding(declared) is None
    assert guess_encoding(undeclared) is not None
    assert texts(undeclared) == texts(declared)
    assert any("ツッコミ" in text for text in texts(undeclared))


@pytest.mark.parametrize("encoding", ["shift_jis", "cp932", "euc_jp"])
def test_a_japanese_feed_without_a_declaration_is_not_mojibake(encoding: str) -> None:
    xml = GIHYO.read_text(encoding="utf-8")
    undeclared = without_declaration(xml).encode(encoding, errors="replace")

    as_written = undeclared.decode(encoding).encode()
    assert same_jis(texts(undeclared)) == same_jis(texts(as_written))
    assert texts(undeclared)[1].startswith("2020年1月24日")


def test_a_declared_or_utf8_body_is_left_alone() -> None:
    euc = without_declaration(EUC_JP.read_text(encoding="euc_jp")).encode("euc_jp")

    assert guess_encoding(euc, "application/rss+xml; charset=EUC-JP") is None
    assert declares_encoding(euc, 'text/xml; charset="euc-jp"')
    assert not declares_encoding(euc, "text/xml")
    assert guess_encoding("<rss>日本語</rss>".encode()) is None
    assert guess_encoding(b"\xef\xbb\xbf<rss/>") is None
    assert guess_encoding(b"<rss>plain ascii</rss>") is None
    assert texts(euc, {"Content-Type": "application/rss+xml; charset=EUC-JP"}) == texts(
        EUC_JP.read_bytes()
    )


def test_as_utf8_replaces_what_does_not_decode() -> None:
    assert as_utf8("日本".encode("shift_jis") + b"\xff", "shift_jis") == "日本\ufffd".encode()


@pytest.mark.parametrize(
    ("title", "encoding"),
    [
        ("L'été est là", "latin-1"),
        ("Price €5", "cp1252"),
        ("Größere Änderungen für Übersee-Straßen", "cp1252"),
    ],
)
def test_short_latin_text_is_not_read_in_another_code_page(title: str, encoding: str) -> None:
    items = "".join(f"<item><title>plain item {n}</title></item>" for n in range(10))
    body = f"<rss><channel><title>{title}</title>{items}</channel></rss>".encode(encoding)

    assert guess_encoding(body) is None
    assert parse_feed(body, URL).title == title


def test_latin_text_keeps_feedparsers_windows_1252_reading() -> None:
    # Portuguese in windows-1252 reads as cleanly in cp1257 or cp1250: no guess is better.
    body = (DATA / "feeds" / "rss-parser__uolNoticias.rss").read_bytes()

    assert guess_encoding(body) is None
    assert "simulações de 2º turno" in texts(body)[1]
