"""Main-text extraction: trafilatura against jusText and the whole page's text, on real pages.

Every page in shared/data that comes with the text a person expects from it
(articles-ja/*.expected.{txt,html}, articles/newspaper4k/*.expected.txt) is decoded as the bot
decodes it, then handed to each extractor:

- trafilatura: `bot.adapters.pages.extract_main_text`, what the bot uses;
- justext: jusText 3 with the English stop list for Latin-script pages and, for the others,
  its language-independent mode (no stop list) with its length limits halved, as a CJK
  character says about what two Latin ones do;
- whole-page: `html_to_text` of the whole page, the baseline of no extraction at all.

Scores are F1 against the expected text over characters (NFKC, whitespace dropped, as a bag)
and over character trigrams (which also punish text in the wrong order or from elsewhere).
Milliseconds are the mean per page over --repeat runs.

Usage: python -m bench.extract [--data DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import justext  # type: ignore[import-untyped]

from bot.adapters.pages import decode_html, extract_main_text
from bot.core.text import html_to_text

DEFAULT_DATA: Final = Path(__file__).resolve().parents[2] / "shared" / "data"
FOLDERS: Final = ("articles-ja", "articles/newspaper4k")
# A page whose letters are at least this share ASCII gets jusText's English stop list.
LATIN_SHARE: Final = 0.9

Extractor = Callable[[str], str]


@dataclass(frozen=True)
class Sample:
    """One real page and the main text a person expects from it."""

    name: str
    html: str
    expected: str


def load(data: Path) -> list[Sample]:
    """Every page under `data` that has an expected text beside it."""
    samples = []
    for folder in FOLDERS:
        for page in sorted((data / folder).glob("*.html")):
            if ".expected" in page.name:
                continue
            stem = page.name.removesuffix(".html")
            expected_txt = page.with_name(f"{stem}.expected.txt")
            expected_html = page.with_name(f"{stem}.expected.html")
            if expected_txt.exists():
                expected = expected_txt.read_text(encoding="utf-8")
            elif expected_html.exists():
                expected = html_to_text(expected_html.read_text(encoding="utf-8"))
            else:
                continue
            samples.append(Sample(stem, decode_html(page.read_bytes()), expected))
    return samples


def with_justext(html: str) -> str:
    """jusText's good paragraphs; English stop list for Latin pages, else none."""
    letters = [c for c in html_to_text(html) if c.isalpha()]
    latin = sum(c.isascii() for c in letters) >= LATIN_SHARE * max(len(letters), 1)
    if latin:
        stoplist = justext.get_stoplist("English")
        options = {}
    else:
        stoplist = frozenset()
        options = {
            "stopwords_low": 0,
            "stopwords_high": 0,
            "length_low": justext.core.LENGTH_LOW_DEFAULT // 2,
            "length_high": justext.core.LENGTH_HIGH_DEFAULT // 2,
        }
    paragraphs = justext.justext(html.encode("utf-8"), stoplist, encoding="utf-8", **options)
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


EXTRACTORS: Final[dict[str, Extractor]] = {
    "trafilatura": extract_main_text,
    "justext": with_justext,
    "whole-page": html_to_text,
}


def characters(text: str) -> list[str]:
    """The scored characters: NFKC, lower-cased, whitespace dropped."""
    return [c for c in unicodedata.normalize("NFKC", text).lower() if not c.isspace()]


def f1(got: Counter[str], want: Counter[str]) -> float:
    """F1 of two bags."""
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def scores(got: str, want: str) -> tuple[float, float]:
    """Character F1 and character-trigram F1 of an extracted text against the expected one."""
    got_chars, want_chars = characters(got), characters(want)
    trigrams = [
        Counter("".join(chars[i : i + 3]) for i in range(len(chars) - 2))
        for chars in (got_chars, want_chars)
    ]
    return f1(Counter(got_chars), Counter(want_chars)), f1(*trigrams)


def measure(extract: Extractor, html: str, repeat: int) -> tuple[str, float]:
    """The extracted text and the mean milliseconds it took."""
    text = ""
    started = time.perf_counter()
    for _ in range(repeat):
        text = extract(html)
    return text, (time.perf_counter() - started) * 1000 / repeat


def report(samples: list[Sample], repeat: int) -> list[str]:
    """One row per page, then the means, for every extractor."""
    header = f"{'page':<40}{'chars':>7}" + "".join(
        f"{name + ' F1c/F1t':>24}" for name in EXTRACTORS
    )
    lines = [header]
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in EXTRACTORS}
    for sample in samples:
        row = f"{sample.name[:39]:<40}{len(sample.expected):>7}"
        for name, extract in EXTRACTORS.items():
            text, ms = measure(extract, sample.html, repeat)
            chars, trigrams = scores(text, sample.expected)
            results[name].append((chars, trigrams, ms))
            row += f"{chars:>17.3f}/{trigrams:.3f}"
        lines.append(row)
    mean_row = f"{'mean F1':<47}"
    ms_row = f"{'mean ms/page':<47}"
    for rows in results.values():
        mean_row += f"{statistics.mean(r[0] for r in rows):>17.3f}/"
        mean_row += f"{statistics.mean(r[1] for r in rows):.3f}"
        ms_row += f"{statistics.mean(r[2] for r in rows):>23.1f}"
    return [*lines, mean_row, ms_row]


def main(argv: list[str] | None = None) -> int:
    """Print the extraction table for every page with an expected text."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared/data directory")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page for the timing")
    args = parser.parse_args(argv)
    samples = load(args.data)
    if not samples:
        print(f"error: no pages with expected text under {args.data} (use --data DIR)")
        return 2
    print(f"{len(samples)} pages; F1c = character F1, F1t = character-trigram F1")
    print("\n".join(report(samples, max(args.repeat, 1))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
