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

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[\w]+(?:[’'&.-][\w]+)*(?:[’']s?)?\.?|[^\w\s]")
_DETERMINERS = wordset("""the a an this that these those his her their its our another one two some several
many other both most few""")
_SENTENCE_ADVERBS = wordset("""but and so yet also however meanwhile still then now earlier later instead
indeed asked when if as in on at after before while though although separately similarly
previously thursday friday monday tuesday wednesday saturday sunday today yesterday last despite
although because during without within amid among unlike
speaking writing interviewed""")
_LEFT_SKIP = wordset("""is are was were been be being on monday tuesday wednesday thursday friday
saturday sunday today yesterday night morning evening afternoon week month year""")
_DESCRIPTORS = wordset("""former longtime long-time retired top senior junior chief deputy acting interim
veteran prominent leading local federal state national foreign democratic republican conservative
liberal progressive independent outgoing incoming then-""")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    name: str | None  # the name part ("Antony Blinken"); None for a pronoun or a bare title
    role: str | None  # titles and descriptions given with it
    kind: str  # pronoun | person | organisation | title | group | unknown


def tokens(text: str, start: int, end: int) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(text, start, end):
        tok, s, e = m.group(), m.start(), m.end()
        if tok.endswith(".") and len(tok) > 1 and not _abbrev(tok):
            tok, e = tok[:-1], e - 1
        out.append(Token(tok, s, e))
    return out


def _drop_parentheses(toks: list[Token]) -> list[Token]:
    """Without short parenthesised asides such as a party code: "Sen. Kristen Gillibrand (D-NY)"."""
    out: list[Token] = []
    k = 0
    while k < len(toks):
        if toks[k].text == "(":
            close = next((j for j in range(k + 1, min(k + 6, len(toks))) if toks[j].text == ")"), None)
            if close is not None:
                k = close + 1
                continue
        out.append(toks[k])
        k += 1
    return out


def _abbrev(tok: str) -> bool:
    low = tok.lower().rstrip(".")
    return (low in ("mr", "mrs", "ms", "dr", "gen", "sen", "rep", "gov", "lt", "col", "sgt", "capt", "maj",
                    "adm", "cmdr", "st", "jr", "sr", "prof", "rev", "hon", "inc", "corp", "co", "ltd", "ft")
            or len(low) == 1 or "." in low)


def _is_name_token(t: Token) -> bool:
    return t.cap and t.text[0].isalpha() and t.low not in _SENTENCE_ADVERBS


def left_mention(text: str, sent_start: int, cue_start: int) -> Mention | None:
    """The speaker phrase ending just before a cue (auxiliaries such as "has also" skipped)."""
    toks = _drop_parentheses(tokens(text, sent_start, cue_start))
    while toks and (toks[-1].low in AUXILIARIES or toks[-1].low in _LEFT_SKIP
                    or (toks[-1].low.endswith("ly") and len(toks[-1].low) > 4 and not toks[-1].cap)):
        toks.pop()
    if not toks:
        return None
    last = toks[-1]
    share = _share_phrase(text, toks) if last.text[:1].isalnum() else None
    if share is not None:
        return share
    if last.low in PRONOUNS and last.low not in ("him", "her"):
        return Mention(last.start, last.end, last.text, None, None, "pronoun")
    if last.text == ",":
        return _appositive_left(text, toks)
    if last.low == "who" and len(toks) >= 3 and toks[-2].text == ",":
        # "former Maryland Gov. Martin O’Malley, who noted …"
        m = _phrase_left(text, toks[:-2])
        return m if m is not None and m.kind in ("person", "organisation", "group") else None
    return _phrase_left(text, toks)


_SHARE = re.compile(r"(?:\d[\d.,]*\s*(?:percent|per cent|%)|(?:a|the)\s+majority|(?:nearly|almost|about|"
                    r"roughly|more than|less than|over|just)?\s*(?:half|a third|two-thirds|three-quarters|"
                    r"a quarter|one-third|one in \w+|\w+ in \w+|\w+-in-\w+))"
                    r"(?:\s+of\s+(?:the\s+)?[\w’'-]+(?:\s+[\w’'-]+){0,2})?\s*$", re.I)


def _share_phrase(text: str, toks: list[Token]) -> Mention | None:
    """A poll's share of respondents as the speaker: "52 percent said", "three-quarters said"."""
    tail = text[toks[max(0, len(toks) - 7)].start:toks[-1].end]
    m = _SHARE.search(tail)
    if m is None or not m.group().strip():
        return None
    start = toks[-1].end - (len(tail) - m.start())
    while text[start].isspace():
        start += 1
    return Mention(start, toks[-1].end, text[start:toks[-1].end], text[start:toks[-1].end], None, "group")


def _phrase_left(text: str, toks: list[Token]) -> Mention | None:
    i = len(toks) - 1
    head = toks[i]
    if not (_is_name_token(head) or head.low in SPEAKER_NOUNS or head.low.rstrip("’'s") in SPEAKER_NOUNS):
        return None
    j = i
    while j - 1 >= 0:
        t = toks[j - 1]
        if t.text in ",;:()—–\"“”„«»":
            break
        if t.low in _DETERMINERS:
            j -= 1
            break
        if t.text[:1].islower() and t.text.isalpha() and t.low not in CLAUSE_WORDS and j - 2 >= 0 \
                and toks[j - 2].low in ("the", "a", "an", "his", "her", "their", "its", "our"):
            j -= 2  # "the city attorney", "a campaign spokesman"
            break
        if t.low in CLAUSE_WORDS and t.low not in NAME_CONNECTORS:
            break
        if _is_name_token(t) or t.low in TITLES or t.low in _DESCRIPTORS or t.low in SPEAKER_NOUNS \
                or t.text.endswith(("’s", "'s")) or (t.low in NAME_CONNECTORS and j - 2 >= 0
                                                      and toks[j - 2].cap) or t.text == "-":
            j -= 1
            continue
        break
    boundary = max((b for b in range(j) if toks[b].text in ",;:—–"), default=-1)
    between = toks[boundary + 1:j]
    if between and len(between) <= 3 and (head.low in SPEAKER_NOUNS or head.cap) and all(
            t.text.isalpha() and t.low not in CLAUSE_WORDS and t.low not in _SENTENCE_ADVERBS
            for t in between):
        j = boundary + 1  # "…, district leaders said", "…, school board members said"
    while j < i and (toks[j].low in NAME_CONNECTORS - {"the"} or toks[j].low in _SENTENCE_ADVERBS):
        j += 1
    span = toks[j:i + 1]
    if not span:
        return None
    return build_mention(text, span)


def _appositive_left(text: str, toks: list[Token]) -> Mention | None:
    """ "NAME, 44, said" / "NAME, a spokesman for X, said": the phrase before the appositive."""
    commas = [k for k, t in enumerate(toks[:-1]) if t.text == ","]
    for k in reversed(commas[-3:]):
        if len(toks) - k > 30:
            break
        before = toks[:k]
        if not before:
            continue
        m = _phrase_left(text, before)
        inner = [t for t in toks[k + 1:-1]]
        named_inner = build_mention(text, inner) if inner and len(inner) <= 5 else None
        if named_inner is not None and named_inner.kind == "person" and m is not None and m.kind != "person" \
                and k == commas[-1]:
            # "Wyoming’s Republican secretary of state, Chuck Gray, said"
            return Mention(named_inner.start, named_inner.end, named_inner.text, named_inner.name,
                           named_inner.role or m.text, "person")
        lead = [t for t in before if t.end <= (m.start if m is not None else 0)]
        if lead and lead[-1].low in ("in", "on", "at", "from", "for", "with", "by", "to", "of", "after",
                                     "before", "during", "across", "throughout"):
            continue  # "In Nebraska, nearly 18,000 people …, said …": a place, not a speaker
        if inner and (m is None or m.kind in ("title", "group")):
            # "The minister, Ana Lopes, said": the appositive is the name
            named = build_mention(text, inner)
            if named is not None and named.kind == "person":
                given = named.role or (m.text if m is not None else text[before[0].start:before[-1].end])
                return Mention(named.start, named.end, named.text, named.name, given, "person")
        if m is not None and m.kind in ("person", "organisation"):
            appos = text[toks[k].end:toks[-1].start].strip()
            return Mention(m.start, m.end, m.text, m.name, _role_from_appositive(appos) or m.role, m.kind)
    return None


def _role_from_appositive(appos: str) -> str | None:
    if re.match(r"^(?:who|whose|which|\d)", appos):
        return None
    appos = re.sub(r"^(?:a|an|the)\s+", "", appos)
    return appos[:120] or None


def right_mention(text: str, start: int, end: int, *, appositive: bool = True) -> Mention | None:
    """The speaker phrase starting just after a cue ("…,” said Sen. Ted Cruz, a Republican)."""
    toks = tokens(text, start, end)
    if not toks:
        return None
    if toks[0].low in PRONOUNS and toks[0].low not in ("him", "her", "it"):
        return Mention(toks[0].start, toks[0].end, toks[0].text, None, None, "pronoun")
    j = 0
    while j < len(toks):
        t = toks[j]
        if t.low in _DETERMINERS and j == 0:
            j += 1
            continue
        if _is_name_token(t) or t.low in TITLES or t.low in _DESCRIPTORS or t.low in SPEAKER_NOUNS \
                or (t.low in NAME_CONNECTORS and j + 1 < len(toks) and toks[j + 1].cap and j > 0) \
                or t.text.endswith(("’s", "'s")) or t.text == "-":
            j += 1
            continue
        ahead = toks[j + 1:j + 3]
        if t.text[:1].isalpha() and t.low not in CLAUSE_WORDS and any(_is_name_token(x) for x in ahead) \
                and not any(x.text in ",.;:" for x in ahead[:1]):
            j += 1  # "truck driver Pat Jordan"
            continue
        break
    span = toks[:j]
    while span and (span[-1].low in NAME_CONNECTORS or span[-1].low in _DETERMINERS):
        span.pop()
    if not span:
        return None
    m = build_mention(text, span)
    if m is None:
        return None
    rest = text[span[-1].end:end]
    if m.kind in ("title", "group"):
        named = re.match(r"(?:\s+(?:of|for|at|on|with)\s+[^,.;]{1,40})?\s*,\s*((?:[A-Z][\w.'’-]*\s+){1,3}"
                         r"[A-Z][\w'’-]*)\s*(?=[,.;]|$)", rest)
        if named:
            s0 = span[-1].end + named.start(1)
            name_m = build_mention(text, tokens(text, s0, span[-1].end + named.end(1)))
            if name_m is not None and name_m.kind == "person":
                title = text[m.start:span[-1].end + named.start(1)].rstrip(" ,")
                return Mention(name_m.start, name_m.end, name_m.text, name_m.name, title, "person")
    appos = re.match(r"\s*,\s*((?:a|an|the)\s[^,.;]{3,120}?|[^,.;]{3,80}? (?:of|at|for|with) [^,.;]{3,80}?)"
                     r"(?=[,.;]|\s+(?:who|which|said|says)\b|$)", rest)
    if appos and m.kind == "person" and appositive:
        role = _role_from_appositive(appos.group(1).strip())
        if role:
            both = role if not m.role else f"{m.role}; {role}"
            return Mention(m.start, m.end, m.text, m.name, both, m.kind)
    return m


def build_mention(text: str, span: list[Token]) -> Mention | None:
    start, end = span[0].start, span[-1].end
    words = [t for t in span if t.low not in _DETERMINERS]
    if not words:
        return None
    surface = text[start:end]
    # "Steve Smith of Civic Nebraska": a person's name before "of/at/from ORG"
    for c, t in enumerate(words):
        if t.low in ("of", "at", "from", "with") and c >= 2 and all(_is_name_token(x) and x.low not in TITLES
                                                                     for x in words[max(0, c - 2):c]):
            head = build_mention(text, span[:span.index(t)])
            if head is not None and head.kind == "person":
                tail = text[t.start:end]
                return Mention(start, end, surface, head.name, f"{head.role} {tail}" if head.role else tail,
                               "person")
            break
    # the name: the trailing run of capitalised tokens that are not titles
    k = len(words)
    if k >= 2 and _is_name_token(words[-1]) and words[-1].low in TITLES and _is_name_token(words[-2]) \
            and words[-2].low not in TITLES:
        k -= 1  # a surname that is also a title word: "TJ King", "Kevin Major"
    while k > 0 and _is_name_token(words[k - 1]) and words[k - 1].low not in TITLES \
            and not words[k - 1].text.endswith(("’s", "'s")):
        k -= 1
    name_toks = words[k:]
    role_toks = [t for t in words[:k] if t.low not in HONORIFICS]
    honorific = any(t.low in HONORIFICS for t in words[:k])
    role = " ".join(t.text for t in role_toks) or None
    low = [t.low.rstrip(".") for t in words]
    if len(words) == 1 and low[0] in SPEAKER_NOUNS and low[0] not in TITLES:  # "Officials said"
        return Mention(start, end, surface, surface, None, "group")
    if not name_toks and (all(t.low in TITLES or t.low in NAME_CONNECTORS for t in words)
                          or (low[-1] in TITLES and not words[-1].cap and len(words) <= 4)) \
            and low[-1] not in ORG_WORDS - TITLES:
        if span[0].low not in ("the", "this", "that") and not span[0].cap:
            return None  # headline style "president says": too vague to resolve
        return Mention(start, end, surface, None, " ".join(t.text for t in words), "title")
    if any(t.low.strip(".") in ORG_WORDS for t in words) and not (name_toks and len(name_toks) >= 2
                                                                   and not _orgish(name_toks)):
        name = " ".join(t.text for t in words)
        return Mention(start, end, surface, name, None, "organisation")
    if name_toks:
        name = " ".join(t.text for t in name_toks)
        if len(name_toks) == 1 and (name_toks[0].low in COUNTRIES or _acronym(name_toks[0].text)) \
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


def _orgish(toks: list[Token]) -> bool:
    if any(t.low.strip(".") in ORG_WORDS for t in toks) or (len(toks) == 1 and toks[0].low in COUNTRIES):
        return True
    return any(f"{a.low}_{b.low}" in PLACE_PAIRS for a, b in pairwise(toks))


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.replace(".", "").isupper()


def loose_mention(text: str, start: int, end: int, *, max_words: int = 12,
                  anything: bool = False) -> Mention | None:
    """A speaker phrase in a slot where only a speaker can stand ("…,” the gambling tycoon told …;
    according to a recent poll of Indiana voters, …): up to 12 words, typed by build_mention when
    it can, else kept as a group."""
    toks = [t for t in tokens(text, start, end)]
    while toks and toks[0].text in ",;:—–-":
        toks.pop(0)
    while toks and (toks[-1].text in ",;:—–-" or toks[-1].low in AUXILIARIES or toks[-1].low in _LEFT_SKIP):
        toks.pop()
    if not toks or len(toks) > max_words or any(t.text in ",.!?;\"“”„«»" for t in toks):
        return None
    m = build_mention(text, toks)
    if m is not None:
        return m
    vague = not (toks[0].low in _DETERMINERS or toks[0].cap) or all(t.low in TITLES for t in toks)
    if vague and not anything:
        return None
    s, e = toks[0].start, toks[-1].end
    return Mention(s, e, text[s:e], text[s:e], None, "group")
