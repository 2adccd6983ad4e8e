"""Statement parser speed on real news text, and how it scales with the length of a text.

usage: uv run python bench/statements.py [FILE.jsonl] [--repeat N] [--json]
                                         [--no-scaling] [--sizes 10000,100000,1000000]

FILE holds one article a line with a "text" field (default: the PolNeAR dev set,
/work/shared/eval/statements/polnear_dev.jsonl). After one warm-up call, parse_statements runs over
every text (N times with --repeat) and the script prints, per article, the mean and 95th-percentile
CPU time (time.process_time) and wall time (time.perf_counter), both per 5,000 characters of text
(a typical article), articles per second, and how many statements were found.

Then, unless --no-scaling, a scaling table: CPU ms per 5,000 characters for one text of each size
in --sizes (default 10 kB, 100 kB and 1 MB), of two kinds:
  news    ordinary news prose: the texts of FILE concatenated (in order, repeated as needed), with a
          blank line between them, and cut at the size;
  quotes  text dense with quotation marks, generated (fixed seed): paragraphs of short quotations
          with their attributions ('"…," he said.', '"…," said NAME, ROLE.', 'NAME said: "…"', a
          quotation standing alone), about one quotation mark every 27 characters.
Each figure is the median over several runs (more for the smaller sizes); "ratio" is the largest
size's figure over the smallest's: 1.0 is linear, a parser quadratic in the length would show the
size ratio (100 for 10 kB to 1 MB). --json adds the table as "scaling".
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from worker.statements import PARSER_VERSION, parse_statements  # noqa: E402

DEFAULT_FILE = Path("/work/shared/eval/statements/polnear_dev.jsonl")
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


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


# --- scaling --------------------------------------------------------------------------------------

def news_text(texts: list[str], size: int) -> str:
    """Real articles one after another, a blank line between them, cut at ``size`` characters."""
    parts: list[str] = []
    total = 0
    while total < size:
        text = texts[len(parts) % len(texts)]
        parts.append(text)
        total += len(text) + 2
    return "\n\n".join(parts)[:size]


_FIRST = ("John", "Mary", "Ahmed", "Li", "Carlos", "Anna", "Peter", "Sarah", "Olga", "Kevin", "Nina", "Tom")
_LAST = ("Smith", "Garcia", "Khan", "Chen", "Novak", "Brown", "Okafor", "Rossi", "Dubois", "Kowalski",
         "Silva", "Meyer")
_ROLES = ("a spokesman for the ministry", "the city's mayor", "a Democrat from Ohio",
          "an economist at the central bank", "who leads the union")
_SAID = ("we will not back down on this", "the numbers simply do not add up", "it is a matter of principle",
         "nobody expected the vote to be this close", "this is only the beginning",
         "I have never seen anything like it", "they need to answer for what happened",
         "the plan will cost far more than promised", "yes", "not now")
_CUES = ("said", "added", "told reporters", "insisted", "warned")


def quote_text(size: int, seed: int = 1) -> str:
    """Paragraphs of one to four short quotations with their attributions, cut at ``size``."""
    rnd = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < size:
        sentences = []
        for _ in range(rnd.randint(1, 4)):
            said = rnd.choice(_SAID).capitalize()
            name = f"{rnd.choice(_FIRST)} {rnd.choice(_LAST)}"
            shape = rnd.random()
            if shape < 0.4:
                sentences.append(f'"{said}," {rnd.choice(("he", "she", "they"))} {rnd.choice(_CUES)}.')
            elif shape < 0.7:
                sentences.append(f'"{said}," said {name}, {rnd.choice(_ROLES)}.')
            elif shape < 0.85:
                sentences.append(f'{name} {rnd.choice(_CUES)}: "{said}."')
            else:
                sentences.append(f'"{said}."')
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size]


def scaling(texts: list[str], sizes: tuple[int, ...] = DEFAULT_SIZES) -> list[dict[str, Any]]:
    """CPU ms per 5,000 characters for one text of each kind and size (median over runs)."""
    rows = []
    for kind in ("news", "quotes"):
        for size in sizes:
            text = news_text(texts, size) if kind == "news" else quote_text(size)
            runs = max(1, min(9, 300_000 // size))  # more runs where one is short and noisy
            per_5000: list[float] = []
            found = 0
            for _ in range(runs):
                cpu0 = time.process_time()
                found = len(parse_statements(text))
                per_5000.append((time.process_time() - cpu0) * 1000 / len(text) * 5000)
            rows.append({"kind": kind, "chars": len(text), "runs": runs, "statements": found,
                         "quote_marks": sum(text.count(m) for m in "\"“”"),
                         "cpu_ms_per_5000_chars": statistics.median(per_5000)})
    return rows


def print_scaling(rows: list[dict[str, Any]]) -> None:
    sizes = sorted({r["chars"] for r in rows})
    print("scaling (CPU ms per 5,000 chars, one text of each size):")
    print("  kind    " + "".join(f"{_size_label(s):>10}" for s in sizes) + "     ratio")
    for kind in ("news", "quotes"):
        figures = {r["chars"]: r["cpu_ms_per_5000_chars"] for r in rows if r["kind"] == kind}
        line = "".join(f"{figures[s]:>10.2f}" for s in sizes)
        ratio = figures[sizes[-1]] / figures[sizes[0]] if figures[sizes[0]] else float("inf")
        print(f"  {kind:<8}{line}{ratio:>10.2f}")


def _size_label(chars: int) -> str:
    return f"{chars // 1_000_000} MB" if chars >= 1_000_000 else f"{chars // 1000} kB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE, help="JSON lines with a 'text' field")
    ap.add_argument("--repeat", type=int, default=1, help="passes over the texts (default 1)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--no-scaling", action="store_true", help="skip the scaling table")
    ap.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                    help="text sizes of the scaling table, in characters (default 10000,100000,1000000)")
    args = ap.parse_args()
    texts = load_texts(args.file)
    if not texts:
        sys.exit(f"{args.file}: no texts")
    try:
        sizes = tuple(sorted(int(s) for s in args.sizes.split(",") if s.strip()))
    except ValueError:
        sys.exit(f"--sizes: not a list of integers: {args.sizes}")
    if not sizes or sizes[0] <= 0:
        sys.exit("--sizes: give one or more positive sizes")
    r = measure(texts, max(1, args.repeat))
    rows = [] if args.no_scaling else scaling(texts, sizes)
    if args.json:
        if rows:
            r["scaling"] = rows
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
    if rows:
        print_scaling(rows)


if __name__ == "__main__":
    main()
