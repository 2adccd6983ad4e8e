"""Who a mention refers to: pronouns, surnames and bare titles resolved to the people and
organisations introduced earlier in the text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from worker.statements.lexicon import COUNTRIES, FEMALE_NAMES, HONORIFICS, MALE_NAMES, TITLES, wordset
from worker.statements.mentions import Mention, Token, build_mention, tokens
from worker.statements.segment import Sentence

_FEMALE = re.compile(r"\b(?:she|her|hers|herself|Mrs\.?|Ms\.?|Miss|woman|spokeswoman|chairwoman|"
                     r"congresswoman|councilwoman|mother|wife|daughter|sister|queen|princess)\b")
_MALE = re.compile(r"\b(?:he|his|him|himself|Mr\.?|man|spokesman|chairman|congressman|councilman|"
                   r"father|husband|son|brother|king|prince)\b")


_LEADING_FUNCTION_WORDS = wordset("""but and the in on at earlier meanwhile as then despite although though
while when after before since because if for with without during today yesterday now later still
yet so also however instead indeed last this that these those there here what why how being""")


@dataclass
class Entity:
    name: str
    kind: str  # person | organisation
    role: str | None = None
    gender: str | None = None
    first: int = 0
    last: int = 0
    words: set[str] = field(default_factory=set)
    evidence: bool = False  # known to be a person: a given name, a title, an honorific, or a speaker


@dataclass(frozen=True)
class Resolved:
    speaker: str
    speaker_type: str
    role: str | None
    confidence: float
    entity: Entity | None


class Registry:
    """People and organisations in order of appearance, for one text."""

    def __init__(self, text: str, sentences: list[Sentence], quote_spans: list[tuple[int, int]]):
        self.text = text
        self.entities: list[Entity] = []
        self.mentions: list[tuple[int, Entity]] = []  # (position, entity), in text order
        self.subjects: list[tuple[int, Entity]] = []  # sentence subjects, for "it" and "they"
        for sent in sentences:
            self._scan(sent, quote_spans)
        self.mentions.sort(key=lambda m: m[0])

    # --- building -------------------------------------------------------------------------------

    def _scan(self, sent: Sentence, quote_spans: list[tuple[int, int]]) -> None:
        toks = [t for t in tokens(self.text, sent.start, sent.end)
                if not any(s < t.start < e for s, e in quote_spans)]
        runs: list[list[Token]] = []
        run: list[Token] = []
        for idx, t in enumerate(toks):
            if (t.cap and t.text[0].isalpha()) or (run and t.low in ("of", "the", "de", "van", "von", "al")):
                if not run:  # lower-case titles before a name belong to its role: "economist Peter Vance"
                    k = idx
                    while k > 0 and toks[k - 1].low in TITLES and not toks[k - 1].cap and idx - k < 3:
                        k -= 1
                    run.extend(toks[k:idx])
                run.append(t)
            else:
                if run:
                    runs.append(run)
                run = []
        if run:
            runs.append(run)
        subject_taken = False
        for r in runs:
            while r and r[-1].low in ("of", "the", "de", "van", "von", "al"):
                r.pop()
            while r and r[0].low in _LEADING_FUNCTION_WORDS:
                r = r[1:]
            if not r:
                continue
            m = build_mention(self.text, r)
            if m is None or m.name is None:
                continue
            ent: Entity | None = None
            if m.kind == "person" and len(m.name.split()) >= 2:
                ent = self.add_person(m, r[0].start)
            elif m.kind == "person":
                ent = self.find_person(_clean_name(m.name), r[0].start)  # "Fullmer coached …"
                if ent is not None:
                    ent.evidence = True
            elif m.kind == "organisation":
                ent = self.add_org(m.name, r[0].start)
            elif m.kind == "group" and r[0].start == sent.start:
                ent = self.add_group(m.text, r[0].start)  # "Authorities believe …, although they note …"
            if ent is None:
                continue
            ent.last = max(ent.last, r[0].start)
            self.mentions.append((r[0].start, ent))
            if not subject_taken and r[0].start - sent.start < 40:
                self.subjects.append((r[0].start, ent))
            subject_taken = True

    def add_person(self, m: Mention, pos: int) -> Entity:
        assert m.name is not None
        name = _clean_name(m.name)
        ent = self.find_person(name, pos, allow_later=True)
        if ent is None:
            ent = Entity(name, "person", m.role, None, pos, pos, _name_words(name))
            self.entities.append(ent)
        elif len(name.split()) > len(ent.name.split()) and ent.name.split()[-1] == name.split()[-1]:
            ent.name, ent.words = name, _name_words(name)
        if m.role and not ent.role:
            ent.role = m.role
        honor = self.text[max(0, m.start - 5):m.end]
        first = name.split()[0].lower()
        if ent.gender is None and first in FEMALE_NAMES and first not in MALE_NAMES:
            ent.gender = "f"
        elif ent.gender is None and first in MALE_NAMES and first not in FEMALE_NAMES:
            ent.gender = "m"
        if ent.gender is None:
            if re.search(r"\b(?:Mrs|Ms|Miss)\b", honor) or _FEMALE.search(m.role or ""):
                ent.gender = "f"
            elif re.search(r"\bMr\b", honor) or _MALE.search(m.role or ""):
                ent.gender = "m"
        ent.last = max(ent.last, pos)
        if ent.gender is not None or ent.role:
            ent.evidence = True
        return ent

    def add_org(self, name: str, pos: int) -> Entity:
        key = re.sub(r"^(?:the|The)\s+", "", name)
        for ent in self.entities:
            if ent.kind == "organisation" and ent.name.lower() == key.lower():
                ent.last = max(ent.last, pos)
                return ent
        ent = Entity(key, "organisation", None, None, pos, pos, {key.lower()})
        self.entities.append(ent)
        return ent

    def add_group(self, name: str, pos: int) -> Entity:
        ent = Entity(name, "group", None, None, pos, pos, {name.lower()}, True)
        self.entities.append(ent)
        return ent

    def find_person(self, name: str, pos: int, *, allow_later: bool = False) -> Entity | None:
        words = name.split()
        if not words:
            return None
        last = words[-1].lower()
        best = None
        for ent in self.entities:
            if ent.kind != "person" or (ent.first > pos and not allow_later):
                continue
            ent_words = ent.name.lower().split()
            if ent.name.lower() == name.lower() or (last == ent_words[-1] and (
                    len(words) == 1 or words[0].lower() == ent_words[0])):
                best = ent
        return best

    # --- resolving ------------------------------------------------------------------------------

    def resolve(self, m: Mention, pos: int, recent: list[tuple[int, Entity]]) -> Resolved:
        """``recent``: (position, entity) of earlier statements' speakers, oldest first."""
        if m.kind == "pronoun":
            return self._pronoun(m, pos, recent)
        if m.kind in ("title", "group") and re.match(r"(?:the|The|this|This)\s", m.text):
            ent = self._by_title(m.role or m.text, pos)
            if ent is not None:
                return Resolved(ent.name, ent.kind, ent.role, 0.8, ent)
            if m.kind == "title":
                return Resolved(m.text, "unknown", m.role, 0.5, None)
        if m.kind == "person" and m.name:
            name = _clean_name(m.name)
            if len(name.split()) == 1:
                ent = self.find_person(name, pos)
                if ent is not None:
                    return Resolved(ent.name, "person", m.role or ent.role, 0.85, ent)
                org = self._org_named(name, pos)
                if org is not None:
                    return Resolved(org.name, "organisation", None, 0.8, org)
                return Resolved(name, "person", m.role, 0.6, None)
            ent = self.add_person(m, pos)
            ent.evidence = True
            return Resolved(ent.name, "person", m.role or ent.role, 0.9, ent)
        if m.kind == "organisation" and m.name:
            ent = self.add_org(m.name, pos)
            return Resolved(ent.name, "organisation", None, 0.85, ent)
        if m.kind == "group" and m.start < m.end:
            ent = self.add_group(m.text, pos)
            return Resolved(m.text, "unknown", None, 0.6, ent)
        if m.start == m.end:  # an implicit speaker: "Asked whether …, …"
            return Resolved("unknown", "unknown", None, 0.3, None)
        return Resolved(m.text, "unknown", None, 0.6, None)

    def _pronoun(self, m: Mention, pos: int, recent: list[tuple[int, Entity]]) -> Resolved:
        p = m.text.lower()
        if p in ("i", "we", "you"):
            return Resolved(m.text, "unknown", None, 0.3, None)
        gender = "f" if p == "she" else "m" if p == "he" else None
        if p in ("he", "she"):
            return self._personal(m, pos, recent, gender)
        # it: the latest organisation; they: the latest group (officials, authorities) or organisation
        # that is not a place — a speaker when close, else a sentence subject
        kinds = ("organisation",) if p == "it" else ("group", "organisation")

        def fits(ent: Entity) -> bool:
            return ent.kind in kinds and not (p == "they" and ent.name.lower() in COUNTRIES)

        for at, ent in reversed(recent):
            if pos - at > 1500 or len(re.findall(r"\n\s*\S", self.text[at:pos])) > 4:
                break
            if fits(ent):
                return self._bind(ent, None, 0.75)
        for at, ent in reversed(self.subjects):
            if at < pos and pos - at <= 2500 and fits(ent):
                return self._bind(ent, None, 0.65)
        return Resolved(m.text, "unknown", None, 0.3, None)

    def _personal(self, m: Mention, pos: int, recent: list[tuple[int, Entity]],
                  gender: str | None) -> Resolved:
        """he / she: the latest person of that gender who spoke or stood as a sentence's subject."""
        def fits(ent: Entity) -> bool:
            return ent.kind == "person" and not (gender and ent.gender and ent.gender != gender)

        def likely(ent: Entity) -> bool:
            return fits(ent) and ent.evidence

        best: tuple[int, Entity, float] | None = None
        for at, ent in recent:
            if at < pos and pos - at <= 2000 and fits(ent) and (best is None or at >= best[0]):
                best = (at, ent, 0.8)
        for at, ent in self.subjects:
            if at < pos and pos - at <= 2500 and likely(ent) and (best is None or at > best[0]):
                best = (at, ent, 0.7)
        if best is None:
            for at, ent in reversed(self.mentions):
                if at < pos and pos - at <= 2500 and fits(ent):
                    best = (at, ent, 0.6)
                    break
        if best is None:
            return Resolved(m.text, "person", None, 0.3, None)
        return self._bind(best[1], gender, best[2])

    def _bind(self, ent: Entity, gender: str | None, confidence: float) -> Resolved:
        if gender and ent.gender is None:
            ent.gender = gender
        kind = ent.kind if ent.kind in ("person", "organisation") else "unknown"
        return Resolved(ent.name, kind, ent.role, confidence, ent)

    def _mentions_between(self, a: int, b: int) -> list[tuple[int, Entity]]:
        return [(p, e) for p, e in self.mentions if a < p < b]

    def _by_title(self, title: str, pos: int) -> Entity | None:
        words = {w for w in re.findall(r"[a-z]+", title.lower()) if w not in ("the", "of", "a", "an")}
        if not words:
            return None
        best = None
        for at, ent in self.mentions:
            if at >= pos or ent.kind != "person" or not ent.role:
                continue
            role_words = set(re.findall(r"[a-z]+", ent.role.lower()))
            if words <= role_words:
                best = ent
        return best

    def _org_named(self, name: str, pos: int) -> Entity | None:
        low = name.lower()
        for ent in self.entities:
            if ent.kind == "organisation" and ent.first <= pos and low in (ent.name.lower(), *ent.words):
                return ent
        return None


def _same_para(text: str, a: int, b: int) -> bool:
    return "\n" not in text[a:b]


def _clean_name(name: str) -> str:
    words = [w for w in name.split() if w.lower() not in HONORIFICS and w.lower() not in TITLES]
    return " ".join(words) or name


def _name_words(name: str) -> set[str]:
    return {w.lower() for w in name.split()}
