"""The top functions of a py-spy profile in raw (collapsed stack) format.

usage: uv run python bench/profile_top.py PROFILE.txt [--top 15]

PROFILE comes from `py-spy record --format raw -o PROFILE.txt [--subprocesses] -- CMD`: one line per
distinct stack, "frame;frame;...;leaf COUNT", each frame "function (file:line)". A function is its
name and file (lines merged). "own" counts the samples where it is the leaf (running itself), "total"
the samples where it is anywhere on the stack (thread, event-loop and <module> frames left out).
Percentages are of all samples (all threads and processes; py-spy leaves idle threads out by default).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>.*?)(?::\d+)?\)$")
_SITE = re.compile(r"^.*/(?:site-packages|lib/python3\.\d+)/")
# Frames on (nearly) every stack that say nothing about where the time goes.
_PLUMBING = re.compile(r"\((?:threading\.py|concurrent/futures/thread\.py|asyncio/\w+\.py|runpy\.py)\)$"
                       r"|^<module> ")


def function(frame: str) -> str:
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = _SITE.sub("", m.group("file"))  # site-packages/x/y.py -> x/y.py
    return f"{m.group('name')} ({path})"


def top(path: Path, n: int = 15) -> str:
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    processes: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        k = int(count)
        frames = [f for f in stack.split(";") if f]
        if frames and frames[0].startswith("process "):
            processes[frames[0][:80]] += k
            frames = frames[1:]
        if not frames:
            continue
        samples += k
        names = [function(f) for f in frames]
        own[names[-1]] += k
        for name in set(names):
            total[name] += k
    out = [f"{samples} samples"]
    out += [f"  {k:7} {100 * k / processes.total():5.1f}%  {p}" for p, k in processes.most_common(8)]
    for plumbing in [name for name in total if _PLUMBING.search(name)]:
        del total[plumbing]
    for label, counter in (("own", own), ("total (without thread and event-loop plumbing)", total)):
        out.append(f"top {n} by {label} time:  samples   %  function (file)")
        out += [f"  {k:7} {100 * k / samples:5.1f}%  {name}" for name, k in counter.most_common(n)]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("profile", type=Path)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    print(top(args.profile, args.top))


if __name__ == "__main__":
    main()
