"""Speaker mentions: the noun phrase beside a reporting cue, split into name and role, and typed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from worker.statements.lexicon import (
    AUXILIARIES,
    CLAUSE_WORDS,
    COUNTRIES,
    HONORIFICS,
    INSTITUTIONS,
    NAME_CONNECTORS,
    ORG_WORDS,
    PLACE_PAIRS,
    PRONOUNS,
    SPEAKER_NOUNS,
    TITLES,
    wordset,
)
from worker.statements.tokens import Ahead, Before, NeedMore, Token, before, tokens

__all__ = ["Mention", "Token", "build_mention", "left_mention", "loose_mention", "right_mention", "tokens"]

_DETERMINERS = wordset("""the a an this that these those his her their its our another one two some several
many other both most few""")
_SENTENCE_ADVERBS = wordset("""but and so yet also however meanwhile still then now earlier later instead
indeed asked when if as in on at after before while though although separately similarly
previously thursday friday monday tuesday wednesday saturday sunday today yesterday last despite
although because during without within amid among unlike
speaking writing interviewed only just please""")
# indefinite speakers standing alone: "One, who asked not to be named, said", "others said",
# "said someone at the meeting"
_INDEFINITE = wordset("""one another others someone somebody""")
# "last week", "this month": a time before the cue ("Ms. Okafor last week said")
_TIME_LEAD = wordset("""last this next""")
_TIME_NOUNS = wordset("""week month year weekend night morning evening afternoon summer winter spring fall""")
_LEFT_SKIP = wordset("""is are was were been be being now again on monday tuesday wednesday thursday friday
saturday sunday today yesterday night morning evening afternoon week month year""")
_DESCRIPTORS = wordset("""former longtime long-time retired top senior junior chief deputy acting interim
veteran prominent leading local federal state national foreign democratic republican conservative
liberal progressive independent outgoing incoming then-""")
_CONNECTORS_NOT_THE = NAME_CONNECTORS - {"the"}

# Bounds on the walks from a cue to its speaker phrase. Without them one cue can walk over a whole
# sentence ("report report report … said": every cue word is also a speaker noun) and every cue of
# the sentence does it again. In the PolNeAR and SCU articles the walk over a phrase covers at most
# 13 tokens either side of the cue, at most 4 auxiliaries sit between the phrase and the cue, and
# the role read from the sentence's start before an appositive name is at most 42 tokens.
_MAX_PHRASE = 32  # tokens walked over for one speaker phrase, either side of the cue
_MAX_SKIPPED = 16  # auxiliaries and time words between the phrase and the cue ("has also said")
_MAX_LEAD_ROLE = 96  # tokens of a role read back from the start of the sentence
_LOOSE_SLACK = 24  # punctuation and auxiliaries trimmed off a loose phrase's ends
_SHARE_CHARS = 240  # the characters a poll's share ("52 percent of Republicans") is looked for in


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    name: str | None  # the name part ("Antony Blinken"); None for a pronoun or a bare title
    role: str | None  # titles and descriptions given with it
    kind: str  # pronoun | person | organisation | title | group | unknown


def _is_name_token(t: Token) -> bool:
    return t.cap and t.text[0].isalpha() and t.low not in _SENTENCE_ADVERBS


def _skippable(t: Token) -> bool:
    low = t.low
    return low in AUXILIARIES or low in _LEFT_SKIP or (low.endswith("ly") and len(low) > 4 and not t.cap)


def left_mention(text: str, sent_start: int, cue_start: int) -> Mention | None:
    """The speaker phrase ending just before a cue (auxiliaries such as "has also" skipped)."""
    size = 80  # characters: a dozen tokens, enough for most phrases
    while True:
        try:
            return _left_mention(text, before(text, sent_start, cue_start, size))
        except NeedMore:
            size *= 4


def _left_mention(text: str, toks: Before) -> Mention | None:
    n = len(toks)
    skipped = 0
    while skipped < _MAX_SKIPPED and (last := toks.at(n - 1)) is not None and _skippable(last):
        n -= 1
        skipped += 1
        if last.low in _TIME_NOUNS and (t := toks.at(n - 1)) is not None and t.low in _TIME_LEAD:
            n -= 1  # "officials this week said"
    n = _skip_aside(toks, n)
    n = _skip_issued_document(toks, n)
    last = toks.at(n - 1)
    if last is None:
        return None
    share = _share_phrase(text, toks, n) if last.text[:1].isalnum() else None
    if share is not None:
        return share
    if last.low in PRONOUNS and last.low not in ("him", "her"):
        return Mention(last.start, last.end, last.text, None, None, "pronoun")
    if last.text == ",":
        return _appositive_left(text, toks, n)
    if last.low == "who" and toks.at(n - 3) is not None and toks.toks[n - 2].text == ",":
        # "former Maryland Gov. Martin O’Malley, who noted …"
        m = _phrase_left(text, toks, n - 2)
        return m if m is not None and m.kind in ("person", "organisation", "group") else None
    return _phrase_left(text, toks, n)


def _skip_aside(toks: Before, n: int) -> int:
    """Before ", however, said": the phrase ends before the aside."""
    last, aside, comma = toks.at(n - 1), toks.at(n - 2), toks.at(n - 3)
    if last is not None and aside is not None and comma is not None and last.text == comma.text == "," \
            and aside.low in ("however", "meanwhile", "though", "too", "instead"):
        return n - 3
    return n


# "X issued a statement warning …", "X released a letter saying …": the cue's speaker is the subject
# of the verb that issued the document
_ISSUING = wordset("""issued released posted published sent wrote filed tweeted shared""")
_ISSUED = wordset("""statement letter release note message memo notice post tweet report""")


def _skip_issued_document(toks: Before, n: int) -> int:
    doc, art, verb = toks.at(n - 1), toks.at(n - 2), toks.at(n - 3)
    if doc is None or art is None or verb is None or doc.low not in _ISSUED:
        return n
    if art.low not in ("a", "an"):
        return n
    if verb.low in _ISSUING:
        return n - 3
    put = toks.at(n - 4)
    return n - 4 if verb.low == "out" and put is not None and put.low in ("put", "sent") else n


_SHARE = re.compile(r"(?:\d[\d.,]*\s*(?:percent|per cent|%)|(?:a|the)\s+majority|(?:nearly|almost|about|"
                    r"roughly|more than|less than|over|just)?\s*(?:half|a third|two-thirds|three-quarters|"
                    r"a quarter|one-third|one in \w+|\w+ in \w+|\w+-in-\w+))"
                    r"(?:\s+of\s+(?:the\s+)?[\w’'-]+(?:\s+[\w’'-]+){0,2})?\s*$", re.I)


def _share_phrase(text: str, toks: Before, n: int) -> Mention | None:
    """A poll's share of respondents as the speaker: "52 percent said", "three-quarters said"."""
    toks.need(n - 7)
    last = toks.toks[n - 1]
    # bounded: the pattern rescans a long run of digits from each of its digits
    tail = text[max(toks.toks[max(0, n - 7)].start, last.end - _SHARE_CHARS):last.end]
    m = _SHARE.search(tail)
    if m is None or not m.group().strip():
        return None
    start = last.end - (len(tail) - m.start())
    while text[start].isspace():
        start += 1
    return Mention(start, last.end, text[start:last.end], text[start:last.end], None, "group")


def _phrase_left(text: str, toks: Before, n: int) -> Mention | None:
    """The speaker phrase ending with token n - 1."""
    i = n - 1
    head = toks.toks[i]
    if head.low in _INDEFINITE and (toks.at(i - 1) is None or toks.toks[i - 1].text in ",;:—–"
                                    or toks.toks[i - 1].low in ("but", "and", "yet", "while")):
        return Mention(head.start, head.end, head.text, head.text, None, "group")  # "others said"
    if not (_is_name_token(head) or head.low in SPEAKER_NOUNS or head.low.rstrip("’'s") in SPEAKER_NOUNS):
        return None
    j = i
    while i - j < _MAX_PHRASE and (t := toks.at(j - 1)) is not None:
        low = t.low
        if t.text in ",;:()—–\"“”„«»":
            break
        if low in _DETERMINERS:
            j -= 1
            break
        if t.text[:1].islower() and t.text.isalpha() and low not in CLAUSE_WORDS \
                and (t2 := toks.at(j - 2)) is not None and t2.low in ("the", "a", "an", "his", "her", "their",
                                                                     "its", "our"):
            j -= 2  # "the city attorney", "a campaign spokesman"
            break
        if low in CLAUSE_WORDS and low not in NAME_CONNECTORS:
            break
        if _is_name_token(t) or low in TITLES or low in _DESCRIPTORS or low in SPEAKER_NOUNS \
                or t.text.endswith(("’s", "'s")) or t.text == "-" \
                or (low in NAME_CONNECTORS and (t2 := toks.at(j - 2)) is not None and t2.cap):
            j -= 1
            continue
        break
    # "…, district leaders said", "…, school board members said": up to three plain words after the
    # last clause punctuation (or the sentence's start) belong to the phrase
    boundary: int | None = None  # None: further left than three words
    for b in range(j - 1, j - 5, -1):
        t = toks.at(b)
        if t is None or t.text in ",;:—–":
            boundary = b if t is not None else -1
            break
    if boundary is not None and boundary < j - 1 and (head.low in SPEAKER_NOUNS or head.cap) and all(
            t.text.isalpha() and t.low not in CLAUSE_WORDS and t.low not in _SENTENCE_ADVERBS
            for t in toks.toks[boundary + 1:j]):
        j = boundary + 1
    while j < i and (toks.toks[j].low in _CONNECTORS_NOT_THE or toks.toks[j].low in _SENTENCE_ADVERBS):
        j += 1
    span = toks.toks[j:i + 1]
    if not span:
        return None
    return build_mention(text, span)


_PLACE_PREPOSITIONS = ("in", "on", "at", "from", "for", "with", "by", "to", "of", "after", "before", "during",
                       "across", "throughout")


def _appositive_left(text: str, toks: Before, n: int) -> Mention | None:
    """ "NAME, 44, said" / "NAME, a spokesman for X, said": the phrase before the appositive."""
    # the last three commas before the final one, nearest first; none further than 30 tokens back
    # counts (the original loop stopped at the first that far)
    toks.need(n - 30)
    commas: list[int] = []
    for k in range(n - 2, max(-1, n - 31), -1):
        if toks.toks[k].text == ",":
            commas.append(k)
            if len(commas) == 3:
                break
    for k in commas:
        if k == 0:
            toks.need(-1)
            continue  # nothing before the comma
        m = _phrase_left(text, toks, k)
        inner = toks.toks[k + 1:n - 1]
        named_inner = build_mention(text, inner) if inner and len(inner) <= 5 \
            and inner[0].low not in CLAUSE_WORDS else None
        if named_inner is not None and named_inner.kind == "person" and m is not None and m.kind != "person" \
                and k == commas[0]:
            # "Wyoming’s Republican secretary of state, Chuck Gray, said"
            return Mention(named_inner.start, named_inner.end, named_inner.text, named_inner.name,
                           named_inner.role or m.text, "person")
        if m is not None and _no_speaker(text, toks, k, m):
            continue
        if inner and inner[0].low in ("he", "she", "they") and k == commas[-1]:
            # "During the call, he asked about X, called Y a liar": predicates sharing one subject
            return Mention(inner[0].start, inner[0].end, inner[0].text, None, None, "pronoun")
        if inner and not inner[0].text[:1].islower() and (m is None or m.kind in ("title", "group")):
            # "The minister, Ana Lopes, said": the appositive is the name
            named = build_mention(text, inner)
            if named is not None and named.kind == "person":
                given = named.role or (m.text if m is not None else _lead_role(text, toks, k))
                return Mention(named.start, named.end, named.text, named.name, given, "person")
        if m is not None and m.kind in ("group", "title") and inner and inner[0].low in ("who", "which") \
                and k == commas[0]:
            return m  # "One, who asked not to be named, said", "The statement, which …, said"
        if m is not None and m.kind in ("person", "organisation"):
            appos = text[toks.toks[k].end:toks.toks[n - 1].start].strip()
            return Mention(m.start, m.end, m.text, m.name, _role_from_appositive(appos) or m.role, m.kind)
    return None


_DATELINE_REST = re.compile(r"(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\s*(?:\([^)]{1,30}\)\s*)?[—–-]")


def _no_speaker(text: str, toks: Before, k: int, m: Mention) -> bool:
    """Whether the phrase before the comma at k is no speaker: a place after a preposition ("In
    Nebraska, nearly 18,000 people …, said …"), part of a longer name ("…, president of Chapter &
    Verse, an agency, said") or a dateline ("BUFFALO, N.Y. — Hours before …, X said")."""
    if m.text.isupper() and _DATELINE_REST.match(text, m.end):
        return True
    b = k - 1
    while (t := toks.at(b)) is not None and t.end > m.start:
        b -= 1
    return t is not None and (t.low in _PLACE_PREPOSITIONS or t.text == "&")


def _lead_role(text: str, toks: Before, k: int) -> str:
    """What precedes an appositive name when it is no speaker phrase, from the sentence's start."""
    first = k - _MAX_LEAD_ROLE
    toks.need(first)
    return text[toks.toks[max(0, first)].start:toks.toks[k - 1].end]


def _role_from_appositive(appos: str) -> str | None:
    if re.match(r"^(?:who|whose|which|\d)", appos):
        return None
    appos = re.sub(r"^(?:a|an|the)\s+", "", appos)
    return appos[:120] or None


_DATELINE_START = re.compile(r"[A-Z]{3,}(?:\s[A-Z]{2,})*" + _DATELINE_REST.pattern + r"+\s*")
_TIME_OPENING = re.compile(r"(?:[A-Z][a-z]+\s+)?(?:[Hh]ours|[Dd]ays|[Mm]inutes|[Ww]eeks|[Mm]onths|[Yy]ears"
                           r"|[Mm]oments)\s+(?:before|after|earlier|later)\b[^,;.]{0,80},\s*")
_NAMED_AFTER = re.compile(r"(?:\s+(?:of|for|at|on|with)\s+[^,.;]{1,40})?\s*,\s*((?:[A-Z][\w.'’-]*\s+){1,3}"
                          r"[A-Z][\w'’-]*)\s*(?=[,.;]|$)")
_APPOSITIVE_AFTER = re.compile(r"\s*,\s*((?:a|an|the)\s[^,.;]{3,120}?|[^,.;]{3,80}? (?:of|at|for|with) "
                               r"[^,.;]{3,80}?)(?=[,.;]|\s+(?:who|which|said|says)\b|$)")


def right_mention(text: str, start: int, end: int, *, appositive: bool = True) -> Mention | None:
    """The speaker phrase starting just after a cue ("…,” said Sen. Ted Cruz, a Republican)."""
    start = _past_opening(text, start, end)
    toks = Ahead(text, start, end)
    first = toks.get(0)
    if first is None:
        return None
    lone = _lone_speaker(first, toks.get(1))
    if lone is not None:
        return lone
    j = 0
    while j < _MAX_PHRASE and (t := toks.get(j)) is not None:
        low = t.low
        if low in _DETERMINERS and j == 0:
            j += 1
            continue
        if _is_name_token(t) or low in TITLES or low in _DESCRIPTORS or low in SPEAKER_NOUNS \
                or (low in NAME_CONNECTORS and (t1 := toks.get(j + 1)) is not None and t1.cap and j > 0) \
                or t.text.endswith(("’s", "'s")) or t.text == "-":
            j += 1
            continue
        ahead = [x for x in (toks.get(j + 1), toks.get(j + 2)) if x is not None]
        if t.text[:1].isalpha() and low not in CLAUSE_WORDS and any(_is_name_token(x) for x in ahead) \
                and not any(x.text in ",.;:" for x in ahead[:1]):
            j += 1  # "truck driver Pat Jordan"
            continue
        break
    span = toks.first(j)
    while span and (span[-1].low in NAME_CONNECTORS or span[-1].low in _DETERMINERS):
        span.pop()
    if not span:
        return None
    m = build_mention(text, span)
    if m is None:
        return None
    # matched in place, up to the sentence's end: each pattern reads a bounded stretch of it
    after = span[-1].end
    if m.kind in ("title", "group"):
        named = _NAMED_AFTER.match(text, after, end)
        if named:
            name_m = build_mention(text, tokens(text, named.start(1), named.end(1)))
            if name_m is not None and name_m.kind == "person":
                title = text[m.start:named.start(1)].rstrip(" ,")
                return Mention(name_m.start, name_m.end, name_m.text, name_m.name, title, "person")
    appos = _APPOSITIVE_AFTER.match(text, after, end)
    if appos and m.kind == "person" and appositive:
        role = _role_from_appositive(appos.group(1).strip())
        if role:
            both = role if not m.role else f"{m.role}; {role}"
            return Mention(m.start, m.end, m.text, m.name, both, m.kind)
    return m


def _past_opening(text: str, start: int, end: int) -> int:
    """Past a dateline in capitals ("DENVER, Colo. — ") and an opening "Hours before the game, "."""
    dateline = _DATELINE_START.match(text, start, end)
    if dateline is not None:
        start = dateline.end()
    opening = _TIME_OPENING.match(text, start, end)
    return opening.end() if opening is not None else start


def _lone_speaker(t: Token, nxt: Token | None) -> Mention | None:
    """A speaker of one word after the cue: a pronoun, or "someone" ("said someone at the meeting")."""
    if nxt is not None and t.cap and _is_name_token(nxt) and nxt.low not in PRONOUNS:
        return None  # "He Jianxiong": a name that starts like a pronoun
    if t.low in PRONOUNS and t.low not in ("him", "her", "it"):
        return Mention(t.start, t.end, t.text, None, None, "pronoun")
    if t.low in ("someone", "somebody", "others"):
        return Mention(t.start, t.end, t.text, t.text, None, "group")
    return None


def build_mention(text: str, span: list[Token]) -> Mention | None:
    span = _without_trailing_adverbs(span)
    if span and span[0].low in ("which", "who", "whom", "whose", "that"):
        return None  # ", which was obtained by Variety,": a relative clause names no speaker
    words = [t for t in span if t.low not in _DETERMINERS]
    if not words:
        return None
    if len(words) == 1 and len(span) == 1 and words[0].low in ("it", "they", "he", "she"):
        t = words[0]  # "It did not say …": a pronoun, however capitalised
        return Mention(t.start, t.end, t.text, None, None, "pronoun")
    affiliated = _person_of_place(text, span, words)
    if affiliated is not None:
        return affiliated
    k = _name_start(words)
    decided, mention = _unnamed(text, span, words, k)
    return mention if decided else _named(text, span, words, k)


_CATENATIVES = wordset("""continues continued continue began begins begin seems seemed appears appeared
tried tries went goes""")
_CATENATIVES = wordset("""continues continued continue began begins begin seems seemed appears appeared
tried tries went goes""")
_ADVERBS = wordset("""always never often also still once already ever again flat-out outright""")


def _without_trailing_adverbs(span: list[Token]) -> list[Token]:
    """ "The company flat-out denied", "The founder always argued": the adverb is no part of the phrase."""
    n = len(span)
    while n > 1 and not span[n - 1].cap and (span[n - 1].low in _ADVERBS or span[n - 1].low in AUXILIARIES):
        n -= 1
    if n > 2 and span[n - 1].low == "to" and span[n - 2].low in _CATENATIVES:
        n -= 2  # "Mr. Lee continues to insist"
    return span if n == len(span) else span[:n]


def _person_of_place(text: str, span: list[Token], words: list[Token]) -> Mention | None:
    """"Steve Smith of Civic Nebraska": a person's name before "of/at/from ORG"."""
    start, end = span[0].start, span[-1].end
    for c, t in enumerate(words):
        if t.low in ("of", "at", "from", "with") and c >= 2 and all(_is_name_token(x) and x.low not in TITLES
                                                                     for x in words[max(0, c - 2):c]):
            head = build_mention(text, span[:span.index(t)])
            if head is not None and head.kind == "person":
                tail = text[t.start:end]
                return Mention(start, end, text[start:end], head.name,
                               f"{head.role} {tail}" if head.role else tail, "person")
            break
    return None


def _name_start(words: list[Token]) -> int:
    """Where the name starts: the trailing run of capitalised tokens that are not titles."""
    k = len(words)
    if k >= 2 and _is_name_token(words[-1]) and words[-1].low in TITLES and _is_name_token(words[-2]) \
            and words[-2].low not in TITLES:
        k -= 1  # a surname that is also a title word: "TJ King", "Kevin Major"
    while k > 0 and _is_name_token(words[k - 1]) and words[k - 1].low not in TITLES \
            and not words[k - 1].text.endswith(("’s", "'s")):
        k -= 1
    return k


def _unnamed(text: str, span: list[Token], words: list[Token], k: int) -> tuple[bool, Mention | None]:
    """A group ("Officials", "residents of the valley") or a bare title ("the former mayor"):
    (True, the mention or None when it is too vague), or (False, None) for a name to read."""
    start, end = span[0].start, span[-1].end
    surface = text[start:end]
    low = [t.low.rstrip(".") for t in words]
    if len(words) == 1 and low[0] in SPEAKER_NOUNS and low[0] not in TITLES:  # "Officials said"
        return True, Mention(start, end, surface, surface, None, "group")
    if k == len(words) and (all(t.low in TITLES or t.low in NAME_CONNECTORS for t in words)
                            or (low[-1] in TITLES and not words[-1].cap and len(words) <= 4)) \
            and low[-1] not in ORG_WORDS - TITLES:
        if span[0].low not in ("the", "this", "that") and not span[0].cap:
            return True, None  # headline style "president says": too vague to resolve
        return True, Mention(start, end, surface, None, " ".join(t.text for t in words), "title")
    if len(words) > 2 and words[1].low == "of" and low[0] in SPEAKER_NOUNS and low[0].endswith("s") \
            and low[0] not in TITLES:
        return True, Mention(start, end, surface, surface, None, "group")  # "residents of the valley"
    return False, None


def _named(text: str, span: list[Token], words: list[Token], k: int) -> Mention | None:
    """An organisation or a person by name, or a speaker noun ending the phrase."""
    start, end = span[0].start, span[-1].end
    surface = text[start:end]
    name_toks = words[k:]
    role_toks = [t for t in words[:k] if t.low not in HONORIFICS]
    honorific = any(t.low in HONORIFICS for t in words[:k])
    role = " ".join(t.text for t in role_toks) or None
    low = [t.low.rstrip(".") for t in words]
    based = next((c for c, t in enumerate(words) if t.low.endswith("-based")), None)
    if based is not None and based + 1 < len(words) and all(_is_name_token(t) for t in words[based + 1:]):
        # "Sacramento-based McClatchy": only an organisation has a base
        return Mention(start, end, surface, " ".join(t.text for t in words[based + 1:]), None, "organisation")
    if low[-1] in SPEAKER_NOUNS and low[-1] not in ORG_WORDS and low[-1].endswith("s") \
            and not any(t.cap for t in words[1:]):
        return Mention(start, end, surface, surface, None, "group")  # "fellow board members"
    # "Institute for Marine Research", "Department of Homelessness and Supportive Housing": a name
    # right after "for", "of" or "and" continues the body named before it
    body_of = len(role_toks) >= 2 and role_toks[-1].low in ("for", "of", "and") \
        and any(t.cap and t.low in ORG_WORDS for t in role_toks[:-1])
    if body_of or (any(t.low.strip(".") in ORG_WORDS for t in words) and not (
            name_toks and len(name_toks) >= 2 and not _orgish(name_toks))):
        return Mention(start, end, surface, " ".join(t.text for t in words), None, "organisation")
    if name_toks and _affiliation(role_toks):
        # "a spokesperson for Inherent Resolve", "president of Chapter & Verse": the name is the body
        # the speaker works for; the speaker is the described one
        return Mention(start, end, surface, None, " ".join(t.text for t in words), "title")
    if name_toks and not role_toks and not honorific and span[0].low == "the":
        # "The Afghan Taliban claimed": a person's name takes no article; a body's, a people's does
        return Mention(start, end, surface, " ".join(t.text for t in name_toks), None, "organisation")
    if name_toks:
        name = " ".join(t.text for t in name_toks)
        if len(name_toks) == 1 and (name_toks[0].low in COUNTRIES or _acronym(name_toks[0].text)
                                    or _camel(name_toks[0].text)) \
                and not honorific and not role:
            return Mention(start, end, surface, name, None, "organisation")
        if _orgish(name_toks):
            return Mention(start, end, surface, " ".join(t.text for t in words), None, "organisation")
        return Mention(start, end, surface, name, role, "person")
    if low[-1] in INSTITUTIONS or low[-1] in ORG_WORDS:
        return Mention(start, end, surface, " ".join(t.text for t in words), None, "organisation")
    if low[-1] in SPEAKER_NOUNS or low[-1].rstrip("s") in SPEAKER_NOUNS:
        return Mention(start, end, surface, surface, None, "group")
    return None


def _affiliation(role: list[Token]) -> bool:
    """Whether lower-case role words end with the preposition of an affiliation: "spokesperson for"."""
    return len(role) >= 2 and role[-1].low in ("for", "of", "at", "with", "from") \
        and all(not t.cap and (t.low in TITLES or t.low in SPEAKER_NOUNS or t.low in _DESCRIPTORS)
                for t in role[:-1])


# last words that make a name a company's: "Dick Clark Productions", "Kotak Institutional Equities"
_ORG_LAST = wordset("""records productions capital partners holdings entertainment media studios labs
technologies systems airlines airways equities securities motors pharmaceuticals communications
networks industries enterprises ventures investments brands foods energy solutions logistics
publishing pictures films music games software""")


def _orgish(toks: list[Token]) -> bool:
    if toks[-1].low in _ORG_LAST and len(toks) >= 2:
        return True
    if any(t.low.strip(".") in ORG_WORDS for t in toks) or (len(toks) == 1 and toks[0].low in COUNTRIES):
        return True
    return any(f"{a.low}_{b.low}" in PLACE_PAIRS for a, b in pairwise(toks))


_INNER_CAPITAL = re.compile(r"(?<=[a-z])[A-Z]")


def _camel(word: str) -> bool:
    """A company's written-together name ("SoCalGas", "BlackRock"), not a surname such as "McKay",
    "DeSantis" or "MacArthur": two capitals inside it, or one after four lower-case letters."""
    inner = [m.start() for m in _INNER_CAPITAL.finditer(word)]
    return len(inner) >= 2 or (len(inner) == 1 and inner[0] >= 5 and word[1:inner[0]].islower())


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.replace(".", "").isupper()


def loose_mention(text: str, start: int, end: int, *, max_words: int = 12,
                  anything: bool = False) -> Mention | None:
    """A speaker phrase in a slot where only a speaker can stand ("…,” the gambling tycoon told …;
    according to a recent poll of Indiana voters, …): up to 12 words, typed by build_mention when
    it can, else kept as a group."""
    # the slot can run to the end of a long sentence: read no more tokens than a phrase of
    # max_words can have with its trimmed ends
    limit = max_words + _LOOSE_SLACK
    toks = Ahead(text, start, end).first(limit + 1)
    if len(toks) > limit:
        return None
    while toks and toks[0].text in ",;:—–-":
        toks.pop(0)
    while toks and (toks[-1].text in ",;:—–-" or toks[-1].low in AUXILIARIES or toks[-1].low in _LEFT_SKIP):
        toks.pop()
    if not toks or len(toks) > max_words or any(t.text in ",.!?;\"“”„«»" for t in toks):
        return None
    m = build_mention(text, toks)
    if m is not None:
        return m
    if all(t.low in ("only", "just", "please") for t in toks):
        return None  # "Only tell the police …": no speaker
    vague = not (toks[0].low in _DETERMINERS or toks[0].cap) or all(t.low in TITLES for t in toks)
    if vague and not anything:
        return None
    s, e = toks[0].start, toks[-1].end
    return Mention(s, e, text[s:e], text[s:e], None, "group")
