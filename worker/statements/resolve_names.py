"""The text side of resolving: runs of capitalised words that name someone, names cleaned of their
titles, surnames, and where a text's lines start."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from worker.statements.lexicon import HONORIFICS, ORG_WORDS, TITLES, wordset
from worker.statements.mentions import Token

_LEADING_FUNCTION_WORDS = wordset("""but and the in on at earlier meanwhile as then despite although though
while when after before since because if for with without during today yesterday now later still
yet so also however instead indeed last this that these those there here what why how being""")
_PREPOSITIONS = wordset("""with during in at from by for of to about after before like than against amid
throughout despite since""")


def capitalised_runs(toks: list[Token]) -> list[list[Token]]:
    """Runs of capitalised words (name connectors such as "of", "van" inside them), each with the
    lower-case titles just before it ("economist Peter Vance") and without leading function words."""
    runs: list[list[Token]] = []
    run: list[Token] = []
    for idx, t in enumerate(toks):
        if (t.cap and t.text[0].isalpha()) or (run and (t.low in _NAME_JOINERS or _joins_body(run, t))):
            if not run:  # lower-case titles before a name belong to its role: "economist Peter Vance"
                k = idx
                while k > 0 and toks[k - 1].low in TITLES and not toks[k - 1].cap and idx - k < 3:
                    k -= 1
                if k < idx and k > 0 and _names_body(toks[k - 1]):
                    k -= 1  # and the body the title is held in: "Wikileaks co-founder Julian Assange"
                run.extend(toks[k:idx])
            run.append(t)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    out = []
    for r in runs:
        while r and (r[-1].low in _NAME_JOINERS or r[-1].low in ("for", "and")):
            r.pop()
        lead = 0  # cut once: "But But … But Smith" would otherwise copy the run for every "But"
        while lead < len(r) and r[lead].low in _LEADING_FUNCTION_WORDS:
            lead += 1
        if r[lead:]:
            out.append(r[lead:])
    return out


def _names_body(t: Token) -> bool:
    """A capitalised word that can name the body a title is held in ("Wikileaks", "NASA")."""
    return t.cap and t.text[0].isalpha() and t.low not in _LEADING_FUNCTION_WORDS \
        and not t.text.endswith(("’s", "'s"))


def opening_phrase_end(toks: list[Token]) -> int:
    """Where a sentence's opening prepositional phrase ends (its comma), or -1: "However, during an
    interview with Ann Lee, she said"."""
    k = 0
    while k < len(toks) and (toks[k].low in ("however", "but", "and", "yet", "so") or toks[k].text == ","):
        k += 1
    if k >= len(toks) or toks[k].low not in _PREPOSITIONS:
        return -1
    for t in toks[k + 1:k + 40]:
        if t.text in ",;:—–":
            return t.start
    return -1


def _joins_body(run: list[Token], t: Token) -> bool:
    """ "for" and "and" inside a body's name: "Institute for Marine Research", "Center for Disease
    Control and Prevention", "Department of Parks and Recreation"."""
    if t.low == "for":
        return run[-1].low in ORG_WORDS
    return t.low == "and" and any(x.low in ("of", "for") for x in run) \
        and any(x.low in ORG_WORDS for x in run)


_NAME_JOINERS = ("of", "the", "de", "van", "von", "al")


class LineStarts:
    """Where the text's lines start: the matches of ``\\n\\s*\\S`` (a newline, perhaps more space, then
    the next visible character), counted between two positions by bisection instead of by running
    the pattern over the text between them."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        # one match per run of space holding a newline and followed by a visible character: from the
        # run's first newline to just past that character. Found through the runs, linearly: the
        # pattern itself rescans a trailing run of newlines from each of them.
        for run in re.finditer(r"\s+", text):
            nl = text.find("\n", run.start(), run.end())
            if nl >= 0 and run.end() < len(text):
                self.starts.append(nl)
                self.ends.append(run.end() + 1)

    def between(self, a: int, b: int) -> int:
        """How many times ``\\n\\s*\\S`` occurs in text[a:b], a not being white space."""
        return max(0, bisect_right(self.ends, b) - bisect_left(self.starts, a))


_SUFFIXES = frozenset(("jr", "jr.", "sr", "sr.", "ii", "iii", "iv"))


def clean_name(name: str) -> str:
    """The name without the honorifics and titles before it: a title word after the given name is a
    surname ("Ann Bishop", "Kevin Major")."""
    words = name.split()
    k = 0
    while k < len(words) - 1 and (words[k].lower() in HONORIFICS or words[k].lower() in TITLES):
        k += 1
    n = len(words)
    while n > k + 1 and words[n - 1].lower() in TITLES and not words[n - 1].istitle():
        n -= 1  # "… Wells Fargo CEO"
    return " ".join(words[k:n])


def surname(words: list[str]) -> str:
    """The lower-case last word of a name, a suffix left out: "James P. Kennedy Jr." → "kennedy"."""
    k = len(words) - 1
    while k > 0 and words[k].lower().rstrip(",") in _SUFFIXES:
        k -= 1
    return words[k].lower().rstrip(",")


def name_words(name: str) -> set[str]:
    return {w.lower() for w in name.split()}


# a title's words as a role states them: "Gov." is "governor", and "the former governor" is still one
TITLE_WORDS = {"gov": "governor", "sen": "senator", "rep": "representative", "atty": "attorney",
               "gen": "general", "lt": "lieutenant", "sec": "secretary", "secy": "secretary",
               "supt": "superintendent", "pres": "president", "amb": "ambassador", "cmdr": "commander",
               "insp": "inspector", "supv": "supervisor"}
_TIME_WORDS = wordset("""former then ex onetime one-time longtime long-time outgoing incoming current
retired late previous""")


def title_words(title: str) -> set[str]:
    return {TITLE_WORDS.get(w, w) for w in re.findall(r"[a-z]+(?:-[a-z]+)?", title.lower())
            if w not in ("the", "of", "a", "an") and w not in _TIME_WORDS}
