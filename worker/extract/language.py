"""Language of a page: what the page declares, else what its text looks like."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Below this many letters py3langid guesses more than it detects.
MIN_LETTERS = 20
# Long texts are classified on their beginning: enough signal, bounded cost.
MAX_CHARS = 3000
# With normalised probabilities, anything below this is a guess between close languages.
MIN_CONFIDENCE = 0.5

_ISO_639_1 = re.compile(r"[a-z]{2}")


@cache
def _identifier() -> Any:
    """Load py3langid's model once, on first use (it takes a few hundred ms)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the language of ``text``, or None when too short or too unsure."""
    sample = (text or "")[:MAX_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    return str(code) if confidence >= MIN_CONFIDENCE else None


def normalise_language_tag(tag: str | None) -> str | None:
    """'en-US', 'pt_BR', 'FR' -> 'en', 'pt', 'fr'; None for anything that is not an ISO 639-1 tag."""
    if not tag:
        return None
    primary = re.split(r"[-_,;\s]", tag.strip().lower(), maxsplit=1)[0]
    return primary if _ISO_639_1.fullmatch(primary) else None
