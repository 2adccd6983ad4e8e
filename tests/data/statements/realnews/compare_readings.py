"""List where the two readings of the real-news dev set differ, article by article, and how often
they agree (same content at 80 % overlap or more, same speaker, same kind).

usage (from the project root): python3 tests/data/statements/realnews/compare_readings.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
Spans = list[list[int]]


def chars(spans: Spans) -> set[int]:
    return {i for start, end in spans for i in range(start, end)}


def shown(text: str, spans: Spans) -> str:
    return " / ".join(text[start:end] for start, end in spans)[:200]


def compare(text: str, first: list[dict], second: list[dict]) -> tuple[list[str], int]:
    """The differences to settle, and how many statements the readings share exactly."""
    ca, cb = [chars(s["content"]) for s in first], [chars(s["content"]) for s in second]
    pairs = sorted(((len(x & y) / len(x | y), i, j) for i, x in enumerate(ca) for j, y in enumerate(cb) if x & y),
                   reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched = []
    for overlap, i, j in pairs:
        if overlap >= 0.3 and i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matched.append((overlap, first[i], second[j]))
    lines = [f"only A: [{s['speaker']}|{s['kind']}] {shown(text, s['content'])!r}"
             for i, s in enumerate(first) if i not in used_a]
    lines += [f"only B: [{s['speaker']}|{s['kind']}] {shown(text, s['content'])!r}"
              for j, s in enumerate(second) if j not in used_b]
    same = 0
    for overlap, a, b in matched:
        diffs = []
        if a["speaker"].lower() != b["speaker"].lower():
            diffs.append(f"speaker A={a['speaker']!r} B={b['speaker']!r}")
        if a["kind"] != b["kind"]:
            diffs.append(f"kind A={a['kind']} B={b['kind']}")
        if overlap < 0.8:
            diffs.append(f"content A={shown(text, a['content'])!r} B={shown(text, b['content'])!r}")
        if diffs:
            lines.append("both: " + "; ".join(diffs))
        else:
            same += 1
    return lines, same


def main() -> None:
    texts = {d["id"]: d["text"] for d in map(json.loads, (HERE.parent / "realnews_dev.jsonl").open(encoding="utf-8"))}
    readings: dict[tuple[str, str], list[dict]] = {}
    for line in (HERE / "readings.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        readings[(row["id"], row["reading"])] = row["statements"]
    total = agreed = 0
    for article, text in sorted(texts.items()):
        first, second = readings[(article, "a")], readings[(article, "b")]
        lines, same = compare(text, first, second)
        total += len(first) + len(second)
        agreed += 2 * same
        print(f"## {article}: A {len(first)}, B {len(second)}")
        for line in lines:
            print("  " + line)
    print(f"agreement: {agreed / max(total, 1):.2f}")


if __name__ == "__main__":
    main()
