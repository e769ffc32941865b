"""Run every benchmark: `python -m bench [ingest|quality ...]`, or one with its options:
`python -m bench fanout --slow 0.1`."""

from __future__ import annotations

import sys

from bench import fanout, ingest, poll, quality, transport

BENCHMARKS = {
    "fanout": fanout.main,
    "ingest": ingest.main,
    "poll": poll.main,
    "quality": quality.main,
    "transport": transport.main,
}


def main(argv: list[str]) -> int:
    """Run the named benchmarks, or all of them."""
    if len(argv) > 1 and argv[0] in BENCHMARKS and argv[1].startswith("-"):
        print(f"== {argv[0]} ==", flush=True)
        return BENCHMARKS[argv[0]](argv[1:])
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        print(f"== {name} ==", flush=True)
        status = BENCHMARKS[name]([])
        if status:
            return status
    return 0


raise SystemExit(main(sys.argv[1:]))
