"""What a long run reports as it goes, for whoever watches it (a progress display, a test).

The pipeline knows nothing of terminals: it calls a Progress with counts of named tasks ("feeds",
"pages", "articles"); worker/progress.py turns them into a live bar or a line every few seconds.
The base class reports nowhere.
"""

from __future__ import annotations


class Progress:
    def expect(self, task: str, n: int) -> None:
        """``n`` more units of ``task`` are to come (its total grows as work is found)."""

    def advance(self, task: str, n: int = 1) -> None:
        """``n`` units of ``task`` are done."""

    def close(self) -> None:
        """The run is over (shows the final counts)."""


NO_PROGRESS = Progress()
