"""Questions about the text just before or after a position, answered by reading only near it.

The framing passes ask them for every cue about the stretch between the cue and the start or end of
its sentence ("does it end with 'the'?", "three words or more?"); slicing that stretch out each time
made a cue's cost grow with its sentence, and a run-on sentence holds many cues.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import islice

_WORD = re.compile(r"\w+")


def has_words(text: str, start: int, end: int, n: int) -> bool:
    """Whether text[start:end] holds n words (\\w+) or more; reads no further than the n-th."""
    return sum(1 for _ in islice(_WORD.finditer(text, start, end), n)) >= n


def last_visible(text: str, start: int, end: int) -> int:
    """The end of text[start:end] with trailing whitespace stripped (start when it is all space)."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return max(start, end)


def stripped(text: str, start: int, end: int, longest: int) -> str | None:
    """text[start:end].strip() when that is at most ``longest`` characters, else None."""
    end = last_visible(text, start, end)
    while start < end and text[start].isspace():
        start += 1
    return text[start:end] if end - start <= longest else None


def ends_with(pattern: re.Pattern[str], text: str, start: int, end: int, longest: int) -> bool:
    """Whether ``pattern``, a few words of at most ``longest`` characters then ``\\s*$``, matches at the
    end of text[start:end]. Searched from ``longest`` characters before the last visible one, in place
    (so that ``\\b`` sees the character before the window, as it would the sentence's)."""
    k = last_visible(text, start, end)
    return pattern.search(text, max(start, k - longest), end) is not None


def lead_words(text: str, start: int, end: int, n: int) -> bool:
    """Whether text[start:end].split() has n words or more, read from a window at its end (the
    window's words are a suffix of the whole's, the first perhaps cut: never more of them)."""
    window = max(start, end - 40 * n)
    if len(text[window:end].split()) >= n:
        return True
    return window > start and len(text[start:end].split()) >= n


def space_back(text: str, start: int, end: int, chars: str) -> int:
    """The position before the run of ``chars`` ending at ``end`` (not before ``start``)."""
    while end > start and text[end - 1] in chars:
        end -= 1
    return end


class SpanSet:
    """Fixed (start, end) spans answering "does one hold x (start <= x < end)?" by bisection over the
    starts and a running maximum of the ends."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [a for a, _ in ordered]
        self._reach: list[int] = []
        top = -1
        for _, b in ordered:
            top = max(top, b)
            self._reach.append(top)

    def holds(self, x: int) -> bool:
        k = bisect_right(self._starts, x)
        return k > 0 and self._reach[k - 1] > x
