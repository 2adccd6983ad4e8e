"""A reporting cue whose object is a noun phrase rather than a clause.

Some reporting verbs take what was said as a noun phrase naming a statement, a claim or a figure:
"The agency denied the allegations", "Volker disputed the notion that …", "McClatchy reported a loss of
$304.7 million", "Trump claimed victory", "…, citing internal business issues". The phrase is the
content, short as it may be, and it ends before the time and manner adjuncts that follow it ("… in a
statement", "… on Tuesday", "…, saying …"). Verbs that report only a clause ("said", "added", "testified")
are not read this way: "added three assists" and "testified before the committee" report nothing.
"""

from __future__ import annotations

from worker.statements.lexicon import wordset
from worker.statements.tokens import Ahead

NOUN_CUES = wordset("""deny denies denied denying admit admits admitted admitting acknowledge acknowledges
acknowledged acknowledging dispute disputes disputed disputing reject rejects rejected rejecting claim claims
claimed claiming report reports reported announce announces announced announcing confirm confirms confirmed
confirming citing concede concedes conceded conceding reiterate reiterates reiterated
reiterating predict predicts predicted predicting""")
# cues that report a clause only: a noun phrase after them is no statement ("added a goal", "the
# committee concluded its hearing", "testified the first day")
CLAUSE_CUES = wordset("""add adds added adding conclude concludes concluded concluding testify testifies
testified testifying""")
# a subject pronoun or a finite verb form: what follows the cue is a clause ("denied the claims were true")
_FINITE = wordset("""is are was were am has have had will would could can should may might must did does do
isn't aren't wasn't weren't hasn't haven't hadn't won't wouldn't couldn't can't shouldn't didn't doesn't
don't""")
_SUBJECTS = wordset("he she they it we i you there")
# an object made of these alone is no statement ("denied him entry", "rejected it")
_PRONOUNS = wordset("it this that them him her us me these those")
# a noun phrase goes on through a complement clause ("the notion that he had …", "claims which …")
_COMPLEMENT = wordset("that which who whom whose")
# where a noun phrase object ends: adjuncts of time and manner, and clauses joined to the sentence
_ENDERS = wordset("""monday tuesday wednesday thursday friday saturday sunday yesterday today tonight earlier
later last during after before when while because since but although though amid despite via through
again repeatedly publicly""")
_MEDIA_AFTER_IN = wordset("""statement statements interview interviews post posts tweet tweets letter
letters email emails filing filings speech release court hearing testimony briefing conference news
remarks message video""")
_DETERMINERS = wordset("a an the his her its their our my")
_ON_ENDS = wordset("""twitter facebook x instagram weibo tiktok monday tuesday wednesday thursday friday
saturday sunday jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june
july august september october november december""")
_STOPS = ",;:()—–"
# things a prize, a place or a life is claimed as: "claimed the title", "the crash claimed two lives"
_NOT_CLAIMS = wordset("""life lives title titles crown prize medal medals trophy championship seat seats spot
place record gold silver bronze win wins top pole""")
_MAX_TOKENS = 60


CLAUSE = -1  # what follows the cue is a clause
NOTHING = -2  # the cue's object is no statement ("added three assists", "claimed the title")


def noun_object_end(text: str, start: int, end: int, cue: str) -> int:
    """Where the noun phrase object starting at ``start`` ends, when what follows the cue is no clause:
    CLAUSE when it is one, NOTHING when the cue reports no noun phrase, or none fit for it."""
    toks = Ahead(text, start, end)
    first = toks.get(0)
    if first is None or first.low in _SUBJECTS or first.low in _FINITE:
        return CLAUSE
    k = 0
    last_end = None
    content = False
    while k < _MAX_TOKENS and (t := toks.get(k)) is not None:
        low = t.low
        if low in _COMPLEMENT and k > 0:
            last_end, content = end, True  # the phrase goes on through its complement clause
            break
        if low in _FINITE or (low in _SUBJECTS and k > 0):
            return CLAUSE
        if t.text in _STOPS or t.text in ".!?" or low in _ENDERS or _ends_phrase(toks, k):
            break
        content = content or low not in _PRONOUNS
        if cue.startswith("claim") and low in _NOT_CLAIMS:
            return NOTHING
        last_end = t.end
        k += 1
    if k >= _MAX_TOKENS:
        return CLAUSE  # too long for a noun phrase: read it as before
    if cue in CLAUSE_CUES:
        return CLAUSE if _past_form(toks, k) else NOTHING
    if cue not in NOUN_CUES:
        return CLAUSE
    if last_end == first.end and first.low.endswith("ed"):
        return NOTHING  # "the report released last year": the cue word is a noun
    return last_end if content and last_end is not None else NOTHING


def _past_form(toks: Ahead, n: int) -> bool:
    """Whether one of the first n tokens after the first is a lower-case past form ("Washington's
    proposals offered …"): a verb, so a clause."""
    for j in range(1, n):
        w = toks.get(j)
        if w is not None and w.low.endswith("ed") and len(w.low) > 4 and not w.cap:
            return True
    return False


def _as_clause(toks: Ahead, k: int) -> bool:
    """ "… as the House concluded its hearing": "as" opening a clause (a subject, then a verb before the
    next comma), which ends the phrase; "as the state with the lowest pay" does not."""
    t, nxt = toks.get(k), toks.get(k + 1)
    if t is None or t.low != "as" or nxt is None:
        return False
    if nxt.low in _SUBJECTS:
        return True
    if nxt.low not in _DETERMINERS:
        return False
    for j in range(k + 2, k + 10):
        w = toks.get(j)
        if w is None or w.text in _STOPS:
            return False
        if w.low in _FINITE or (w.low.endswith("ed") and len(w.low) > 4 and not w.cap):
            return True
    return False


def _adjunct_at(toks: Ahead, k: int) -> bool:
    """ "in a statement", "in an interview with CNN", "on Twitter", "on Nov. 3", "last week": an adjunct
    starting at token k."""
    t, nxt = toks.get(k), toks.get(k + 1)
    if t is None or nxt is None or k == 0:
        return False
    if t.low == "on":
        return nxt.low in _ON_ENDS
    if t.low == "in" and nxt.low in _DETERMINERS:
        third = toks.get(k + 2)
        return third is not None and (third.low in _MEDIA_AFTER_IN or (
            (fourth := toks.get(k + 3)) is not None and fourth.low in _MEDIA_AFTER_IN))
    third = toks.get(k + 2)
    return t.low == "at" and nxt.low == "the" and third is not None and third.low == "time"


def _ends_phrase(toks: Ahead, k: int) -> bool:
    return _adjunct_at(toks, k) or _as_clause(toks, k)
