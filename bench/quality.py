"""Summary quality and speed: digestbot's key points against lead-3 and plain LexRank.

Reads the reference summaries in shared/data/summaries (one JSON object a line: id, lang,
text, reference) and prints, per language, ROUGE-1/2/L F1 and milliseconds per article for:

- digestbot: `summarize(title, text, lang).key_points`, joined by newlines;
- lead-3: the first three sentences;
- lexrank-3: LexRank degree centrality without the position prior, top three in text order.

English uses rouge-score's tokenizer with the Porter stemmer. That tokenizer drops non-ASCII
characters, so Japanese is scored on characters, NFKC-normalised (the references write "4日"
where articles write "４日") and without whitespace or punctuation.

Usage: python bench/quality.py [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rouge_score import rouge_scorer

from bot.core.summarize import lead_sentences, rank_sentences, summarize
from bot.core.text import split_sentences

DEFAULT_DATA: Final = Path(__file__).resolve().parents[2] / "shared" / "data" / "summaries"
FILES: Final = {
    "en": ("blanc-cnndm.jsonl", "blanc-dailynews.jsonl", "newspaper4k-dek.jsonl"),
    "ja": ("ja.jsonl",),
}
METRICS: Final = ("rouge1", "rouge2", "rougeL")

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


class CharTokenizer:
    """Characters as tokens, NFKC-normalised, whitespace and punctuation dropped."""

    def tokenize(self, text: str) -> list[str]:
        """The scored characters of `text`."""
        norm = unicodedata.normalize("NFKC", text).lower()
        return [c for c in norm if unicodedata.category(c)[0] not in "PZC"]


def load(data: Path, lang: str) -> list[Article]:
    """The articles of one language from its files in `data`."""
    articles = []
    for name in FILES[lang]:
        with (data / name).open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                if row["lang"] == lang:
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
    totals = [0.0, 0.0, 0.0]
    times = []
    for article in articles:
        start = time.perf_counter()
        summary = method(article.title, article.text, article.lang)
        times.append((time.perf_counter() - start) * 1000)
        scores = scorer.score(article.reference, summary)
        for i, metric in enumerate(METRICS):
            totals[i] += scores[metric].fmeasure
    n = len(articles) or 1
    rouge = (totals[0] / n, totals[1] / n, totals[2] / n)
    return Score(rouge, statistics.fmean(times or [0.0]), statistics.median(times or [0.0]))


def make_scorer(lang: str) -> rouge_scorer.RougeScorer:
    """rouge-score with the stemmer for English, with characters for Japanese."""
    if lang == "ja":
        return rouge_scorer.RougeScorer(list(METRICS), tokenizer=CharTokenizer())
    return rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)


def report(lang: str, articles: Sequence[Article]) -> list[str]:
    """The table of one language, as lines."""
    scorer = make_scorer(lang)
    results = {name: measure(method, articles, scorer) for name, method in METHODS.items()}
    lines = [
        f"{lang}: {len(articles)} articles",
        f"{'method':<12}{'ROUGE-1':>9}{'ROUGE-2':>9}{'ROUGE-L':>9}{'ms/article':>12}",
    ]
    for name, score in results.items():
        r1, r2, rl = score.rouge
        lines.append(f"{name:<12}{r1:>9.3f}{r2:>9.3f}{rl:>9.3f}{score.mean_ms:>12.3f}")
    lines.append(f"summarize median ms/article ({lang}): {results['digestbot'].median_ms:.3f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the quality and speed table for every language."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="summaries directory")
    args = parser.parse_args(argv)
    for lang in FILES:
        try:
            articles = load(args.data, lang)
        except FileNotFoundError as exc:
            print(f"error: {exc.filename} not found (use --data DIR)", file=sys.stderr)
            return 2
        print("\n".join(report(lang, articles)), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
