"""Statement parser speed on real news text.

usage: uv run python bench/statements.py [FILE.jsonl] [--repeat N] [--json]

FILE holds one article a line with a "text" field (default: the PolNeAR dev set,
/work/shared/eval/statements/polnear_dev.jsonl). After one warm-up call, parse_statements runs over
every text (N times with --repeat) and the script prints, per article, the mean and 95th-percentile
CPU time (time.process_time) and wall time (time.perf_counter), both per 5,000 characters of text
(a typical article), articles per second, and how many statements were found.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from worker.statements import PARSER_VERSION, parse_statements  # noqa: E402

DEFAULT_FILE = Path("/work/shared/eval/statements/polnear_dev.jsonl")


def load_texts(path: Path) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                if isinstance(record.get("text"), str):
                    texts.append(record["text"])
    return texts


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(texts: list[str], repeat: int = 1) -> dict[str, Any]:
    parse_statements(texts[0])  # warm-up: compiled patterns, lazily built tables
    cpu_ms: list[float] = []
    wall_ms: list[float] = []
    found = 0
    for _ in range(repeat):
        for text in texts:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            statements = parse_statements(text)
            wall_ms.append((time.perf_counter() - wall0) * 1000)
            cpu_ms.append((time.process_time() - cpu0) * 1000)
            found += len(statements)
    chars = sum(len(t) for t in texts) * repeat
    return {
        "parser_version": PARSER_VERSION,
        "articles": len(texts),
        "repeat": repeat,
        "mean_chars": round(chars / len(cpu_ms)),
        "cpu_ms_mean": statistics.fmean(cpu_ms),
        "cpu_ms_p95": p95(cpu_ms),
        "wall_ms_mean": statistics.fmean(wall_ms),
        "wall_ms_p95": p95(wall_ms),
        "cpu_ms_per_5000_chars": sum(cpu_ms) / chars * 5000,
        "wall_ms_per_5000_chars": sum(wall_ms) / chars * 5000,
        "articles_per_second": len(wall_ms) / (sum(wall_ms) / 1000) if sum(wall_ms) else float("inf"),
        "statements": found // repeat,
        "statements_per_article": found / len(cpu_ms),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE, help="JSON lines with a 'text' field")
    ap.add_argument("--repeat", type=int, default=1, help="passes over the texts (default 1)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    texts = load_texts(args.file)
    if not texts:
        sys.exit(f"{args.file}: no texts")
    r = measure(texts, max(1, args.repeat))
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(f"parser {r['parser_version']}: {r['articles']} articles x {r['repeat']} from {args.file} "
          f"(mean {r['mean_chars']} characters)")
    print(f"per article:      CPU {r['cpu_ms_mean']:.2f} ms mean, {r['cpu_ms_p95']:.2f} ms p95;  "
          f"wall {r['wall_ms_mean']:.2f} ms mean, {r['wall_ms_p95']:.2f} ms p95")
    print(f"per 5,000 chars:  CPU {r['cpu_ms_per_5000_chars']:.2f} ms;  "
          f"wall {r['wall_ms_per_5000_chars']:.2f} ms")
    print(f"throughput:       {r['articles_per_second']:.0f} articles/s (one core)")
    print(f"statements found: {r['statements']} ({r['statements_per_article']:.1f} per article)")


if __name__ == "__main__":
    main()
