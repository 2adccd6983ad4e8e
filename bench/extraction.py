"""Score the extractor on the ScrapingHub article-extraction benchmark (or a sample of it).

usage: uv run python bench/extraction.py [--plain] [DIR]
DIR holds ground-truth.json and html/ID.html.gz (default: /work/shared/eval/extraction/scrapinghub).
Prints word-shingle precision, recall, F1 (the shared scorer's definition) and ms per page.
--plain scores trafilatura 2.3.1 with its default options instead of worker.extract.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import time
from pathlib import Path

import trafilatura

from worker.extract.jsonl import run_jsonl

DEFAULT_DIR = Path("/work/shared/eval/extraction/scrapinghub")


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    """Sets of n lower-cased consecutive words, as score_extraction.py defines them."""
    words = re.findall(r"\w+", (text or "").lower())
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def load(directory: Path) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        key: gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        for key in truth
    }
    return truth, pages


def score(truth: dict[str, dict[str, str]], predicted: dict[str, str]) -> dict[str, float]:
    """Precision and recall averaged over documents, F1 of the averages."""
    precisions, recalls = [], []
    for key, gold in truth.items():
        g, p = shingles(gold["articleBody"]), shingles(predicted.get(key, ""))
        common = len(g & p)
        precisions.append(common / len(p) if p else 0.0)
        recalls.append(common / len(g) if g else 1.0)
    precision, recall = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"P": precision, "R": recall, "F1": f1}


def predict(truth: dict[str, dict[str, str]], pages: dict[str, str], plain: bool = False) -> dict[str, str]:
    if plain:
        return {key: trafilatura.extract(html, url=truth[key]["url"]) or "" for key, html in pages.items()}
    lines = (json.dumps({"id": key, "url": truth[key]["url"], "html": html}) for key, html in pages.items())
    out = io.StringIO()
    run_jsonl(lines, out)
    return {row["id"]: row.get("text") or "" for row in map(json.loads, out.getvalue().splitlines())}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--plain", action="store_true", help="plain trafilatura, default options")
    args = parser.parse_args()
    truth, pages = load(args.directory)
    predict(truth, dict(list(pages.items())[:1]), args.plain)  # warm-up: model and module loading
    started = time.perf_counter()
    predicted = predict(truth, pages, args.plain)
    ms = (time.perf_counter() - started) * 1000 / len(pages)
    result = score(truth, predicted)
    print(" ".join(f"{k}={v:.4f}" for k, v in result.items()), f"ms/page={ms:.1f}", f"docs={len(truth)}")


if __name__ == "__main__":
    main()
