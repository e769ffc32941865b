"""Summary quality and speed: digestbot's key points against lead-3 and plain LexRank.

Reads the reference summaries in shared/data/summaries (one JSON object a line: id, lang,
text, reference) and prints, per language, ROUGE-1/2/L F1 and milliseconds per article for:

- digestbot: `summarize(title, text, lang).key_points`, joined by newlines;
- lead-3: the first three sentences;
- lexrank-3: LexRank degree centrality without the position prior, top three in text order.

Only articles that no tuning has seen are reported by default. The summarizer's weights were
tuned on the English articles whose CRC-32 of their id is even and on ja-train.jsonl; the
report is on the English articles whose CRC-32 is odd (103 of 206) and on ja.jsonl (100).
`--split tuning` prints the tuning articles instead, `--split all` every English article.

English uses rouge-score's tokenizer with the Porter stemmer. That tokenizer drops non-ASCII
characters, so Japanese is scored on characters, NFKC-normalised (the references write "4日"
where articles write "４日") and without whitespace or punctuation. Time per article is
measured as CPU time of this process (time.process_time), so that other processes on a
shared machine do not count; wall time is printed beside it. Each method first runs once over
the articles untimed, so that the times are those of a running bot, whose caches are warm.

Usage: python bench/quality.py [--data DIR] [--split held-out|tuning|all]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rouge_score import rouge_scorer

from bot.core.rank import rank_sentences
from bot.core.sentences import split_sentences
from bot.core.summarize import lead_sentences, summarize

DEFAULT_DATA: Final = Path(__file__).resolve().parents[2] / "shared" / "data" / "summaries"
EN_FILES: Final = ("blanc-cnndm.jsonl", "blanc-dailynews.jsonl", "newspaper4k-dek.jsonl")
# Per language and split: the files, and which of their articles (by id) belong.
SPLITS: Final[dict[str, dict[str, tuple[tuple[str, ...], Callable[[str], bool]]]]] = {
    "held-out": {
        "en": (EN_FILES, lambda id_: zlib.crc32(id_.encode()) % 2 == 1),
        "ja": (("ja.jsonl",), lambda id_: True),
    },
    "tuning": {
        "en": (EN_FILES, lambda id_: zlib.crc32(id_.encode()) % 2 == 0),
        "ja": (("ja-train.jsonl",), lambda id_: True),
    },
    "all": {
        "en": (EN_FILES, lambda id_: True),
        "ja": (("ja.jsonl",), lambda id_: True),
    },
}
SPLIT_NOTES: Final = {
    "held-out": {
        "en": "held out: CRC-32 of the id odd; tuning saw the even ones",
        "ja": "held out: ja.jsonl; tuning saw ja-train.jsonl",
    },
    "tuning": {
        "en": "tuning split: CRC-32 of the id even",
        "ja": "tuning split: ja-train.jsonl",
    },
    "all": {
        "en": "all, tuning articles included",
        "ja": "held out: ja.jsonl",
    },
}
METRICS: Final = ("rouge1", "rouge2", "rougeL")
MAX_MEDIAN_MS: Final = 2.0

Method = Callable[[str, str, str], str]


@dataclass(frozen=True)
class Article:
    """One article with its human (or human-rated) reference summary."""

    id: str
    lang: str
    title: str
    text: str
    reference: str


@dataclass(frozen=True)
class Score:
    """Mean ROUGE F1 of one method over one language, with its cost."""

    rouge: tuple[float, float, float]
    mean_ms: float
    median_ms: float
    median_wall_ms: float


class CharTokenizer:
    """Characters as tokens, NFKC-normalised, whitespace and punctuation dropped."""

    def tokenize(self, text: str) -> list[str]:
        """The scored characters of `text`."""
        norm = unicodedata.normalize("NFKC", text).lower()
        return [c for c in norm if unicodedata.category(c)[0] not in "PZC"]


def load(data: Path, lang: str, split: str = "held-out") -> list[Article]:
    """The articles of one language and split from its files in `data`."""
    names, belongs = SPLITS[split][lang]
    articles = []
    for name in names:
        with (data / name).open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                if row["lang"] == lang and belongs(row["id"]):
                    articles.append(
                        Article(
                            row["id"], lang, row.get("title") or "", row["text"], row["reference"]
                        )
                    )
    return articles


def digestbot_points(title: str, text: str, lang: str) -> str:
    """digestbot's key points, one a line."""
    return "\n".join(summarize(title, text, lang).key_points)


def lead3(title: str, text: str, lang: str) -> str:
    """The first three sentences."""
    return "\n".join(lead_sentences(text, 3))


def lexrank3(title: str, text: str, lang: str) -> str:
    """Plain LexRank: the three most central sentences, no position prior, in text order."""
    sentences = split_sentences(text)
    scores = rank_sentences(sentences, lang, position_prior=False)
    top = sorted(range(len(sentences)), key=lambda i: -scores[i])[:3]
    return "\n".join(sentences[i] for i in sorted(top))


METHODS: Final[dict[str, Method]] = {
    "digestbot": digestbot_points,
    "lead-3": lead3,
    "lexrank-3": lexrank3,
}


def measure(
    method: Method, articles: Sequence[Article], scorer: rouge_scorer.RougeScorer
) -> Score:
    """Mean ROUGE F1 and milliseconds per article of one method."""
    for article in articles:
        # An untimed pass first: a running bot's caches (words to terms, the CPU's) are warm.
        method(article.title, article.text, article.lang)
    totals = [0.0, 0.0, 0.0]
    times, walls = [], []
    for article in articles:
        start, wall = time.process_time(), time.perf_counter()
        summary = method(article.title, article.text, article.lang)
        times.append((time.process_time() - start) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        scores = scorer.score(article.reference, summary)
        for i, metric in enumerate(METRICS):
            totals[i] += scores[metric].fmeasure
    n = len(articles) or 1
    rouge = (totals[0] / n, totals[1] / n, totals[2] / n)
    return Score(
        rouge,
        statistics.fmean(times or [0.0]),
        statistics.median(times or [0.0]),
        statistics.median(walls or [0.0]),
    )


def make_scorer(lang: str) -> rouge_scorer.RougeScorer:
    """rouge-score with the stemmer for English, with characters for Japanese."""
    if lang == "ja":
        return rouge_scorer.RougeScorer(list(METRICS), tokenizer=CharTokenizer())
    return rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)


def report(lang: str, articles: Sequence[Article], split: str) -> list[str]:
    """The table of one language, as lines."""
    scorer = make_scorer(lang)
    results = {name: measure(method, articles, scorer) for name, method in METHODS.items()}
    lines = [
        f"{lang}: {len(articles)} articles ({SPLIT_NOTES[split][lang]})",
        f"{'method':<12}{'ROUGE-1':>9}{'ROUGE-2':>9}{'ROUGE-L':>9}{'ms/article':>12}",
    ]
    for name, score in results.items():
        r1, r2, rl = score.rouge
        lines.append(f"{name:<12}{r1:>9.3f}{r2:>9.3f}{rl:>9.3f}{score.mean_ms:>12.3f}")
    ours, lead = results["digestbot"], results["lead-3"]
    gain = (ours.rouge[0] - lead.rouge[0]) * 100
    lines.append(f"digestbot - lead-3, ROUGE-1 ({lang}): {gain:+.2f} points (goal: +2.00)")
    lines.append(
        f"summarize median ms/article ({lang}): {ours.median_ms:.3f} CPU "
        f"({ours.median_ms / MAX_MEDIAN_MS:.2f}x the {MAX_MEDIAN_MS:g} ms limit), "
        f"{ours.median_wall_ms:.3f} wall"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the quality and speed table for every language."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="summaries directory")
    parser.add_argument("--split", choices=sorted(SPLITS), default="held-out")
    args = parser.parse_args(argv)
    for lang in ("en", "ja"):
        try:
            articles = load(args.data, lang, args.split)
        except FileNotFoundError as exc:
            print(f"error: {exc.filename} not found (use --data DIR)", file=sys.stderr)
            return 2
        print("\n".join(report(lang, articles, args.split)), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
