"""Who a mention refers to: pronouns, surnames and bare titles resolved to the people and
organisations introduced earlier in the text."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from worker.statements.lexicon import (
    COUNTRIES,
    FEMALE_NAMES,
    MALE_NAMES,
    ORG_WORDS,
    TITLES,
)
from worker.statements.mentions import Mention, Token, build_mention, tokens
from worker.statements.resolve_names import (
    TITLE_WORDS,
    LineStarts,
    capitalised_runs,
    clean_name,
    name_words,
    opening_phrase_end,
    surname,
    title_words,
)
from worker.statements.resolve_orgs import abbreviations, fuller_group, names_head, reference, stands_for
from worker.statements.segment import QuoteIndex, Sentence

_FEMALE = re.compile(r"\b(?:she|her|hers|herself|Mrs\.?|Ms\.?|Miss|woman|spokeswoman|chairwoman|"
                     r"congresswoman|councilwoman|mother|wife|daughter|sister|queen|princess)\b")
_MALE = re.compile(r"\b(?:he|his|him|himself|Mr\.?|man|spokesman|chairman|congressman|councilman|"
                   r"father|husband|son|brother|king|prince)\b")





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


# Bounds on looking back through the registry (each lookup would otherwise scan every entity or
# mention so far, which grows with the text). In the PolNeAR and SCU articles a bare title ("the
# spokesman") finds its person at most 46 mentions back, and at most 11 people share a surname.
_TITLE_LOOKBACK = 256  # mentions
_SURNAME_LOOKBACK = 64  # people with the same surname
_INTRO_LOOKBACK = 8  # introductions walked back over for one pronoun

_HONORIFIC_WORDS = ("mr", "mrs", "ms", "dr", "president", "sen", "senator", "gov", "governor", "rep", "prime",
                    "chancellor", "judge", "mayor", "gen", "general", "secretary")
_ONE_PERSON = ("one", "someone", "somebody", "another")
class Recent:
    """(position, entity) of the speakers of the statements resolved so far, in text order."""

    def __init__(self) -> None:
        self.at: list[int] = []
        self.entities: list[Entity] = []

    def append(self, at: int, ent: Entity) -> None:
        # statements are resolved in the order of their cues, so ``at`` never decreases: the
        # lookups bisect it
        self.at.append(at)
        self.entities.append(ent)

    def last(self) -> tuple[int, Entity] | None:
        return (self.at[-1], self.entities[-1]) if self.at else None


Found = tuple[int, Entity, float]  # (where the entity was last seen, the entity, confidence)


def _latest_speaker(recent: Recent, pos: int, fits: Callable[[Entity], bool]) -> Found | None:
    """The latest speaker before pos, within 2,000 characters, that fits."""
    for k in range(bisect_left(recent.at, pos) - 1, -1, -1):
        at = recent.at[k]
        if pos - at > 2000:
            break
        if fits(recent.entities[k]):
            return (at, recent.entities[k], 0.8)
    return None


class Registry:
    """People and organisations in order of appearance, for one text."""

    def __init__(self, text: str, sentences: list[Sentence], quotes: QuoteIndex):
        self.text = text
        self.entities: list[Entity] = []
        self.mentions: list[tuple[int, Entity]] = []  # (position, entity), in text order
        self.subjects: list[tuple[int, Entity]] = []  # sentence subjects, for "it" and "they"
        self.intros: list[tuple[int, Entity]] = []  # where each person is first named in full
        self._described: list[bool] = []  # per introduction: an appositive ("X, a student,") follows
        self.issuers: list[tuple[int, Entity, str]] = []  # "X issued a statement": (where, X, "statement")
        # persons by (first word, last word) and by last word, organisations by name, all lower-case
        self._by_names: dict[tuple[str, str], list[Entity]] = {}
        self._by_surname: dict[str, list[Entity]] = {}
        self._by_first: dict[str, list[Entity]] = {}  # persons of two-word names by the first
        self._orgs: dict[str, Entity] = {}
        self._org_first: dict[str, Entity] = {}  # the longest organisation by its name's first word
        self._abbr = abbreviations(text)  # "… Administration (FAA)": FAA → the name
        self._role_words: dict[str, frozenset[str]] = {}
        self._quotes = quotes
        self._sent_starts = [sent.start for sent in sentences]
        for sent in sentences:
            self._scan(sent)
        self.mentions.sort(key=lambda m: m[0])
        self._mention_at = [at for at, _ in self.mentions]
        self._subject_at = [at for at, _ in self.subjects]
        self._intro_at = [at for at, _ in self.intros]
        self._line_starts: LineStarts | None = None  # built when "it" or "they" is first resolved

    # --- building -------------------------------------------------------------------------------

    def _scan(self, sent: Sentence) -> None:
        inside = self._quotes.strictly_inside
        toks = [t for t in tokens(self.text, sent.start, sent.end) if not inside(t.start)]
        subject_taken = False
        opening = opening_phrase_end(toks)
        for r in capitalised_runs(toks):
            ent = self._entity_of(r, sent)
            if ent is None:
                continue
            ent.last = max(ent.last, r[0].start)
            self.mentions.append((r[0].start, ent))
            if r[0].start < opening:
                continue  # "During an interview with Ann Lee, she said": Ann Lee is no subject
            # near the start, or right after the comma that closes an opening phrase or clause ("On
            # Thursday, as the crews moved in, Robinson packed his things")
            near = r[0].start - sent.start < 40 or self.text[r[0].start - 2:r[0].start] == ", "
            if not subject_taken and near:
                self.subjects.append((r[0].start, ent))
            subject_taken = True
        issued = _ISSUED_DOCUMENT.search(self.text, sent.start, sent.end)
        if issued is not None and self.subjects and sent.start <= self.subjects[-1][0] < issued.start():
            self.issuers.append((issued.start(), self.subjects[-1][1], issued.group(1).lower()))

    def _entity_of(self, r: list[Token], sent: Sentence) -> Entity | None:
        """The entity a run of capitalised words names (registered when new), or None."""
        last = r[-1]
        if len(last.text) > 3 and last.text.endswith(("’s", "'s")):  # "President Trump’s advisers"
            r = [*r[:-1], Token(last.text[:-2], last.start, last.end - 2, last.low[:-2])]
        elif len(last.text) > 3 and last.text.endswith(("s’", "s'")):  # "Bryant Woods’ landlord"
            r = [*r[:-1], Token(last.text[:-1], last.start, last.end - 1, last.low[:-1])]
        m = build_mention(self.text, r)
        if m is None or m.name is None:
            return None
        if m.kind == "person" and len(m.name.split()) >= 2:
            known = len(self.entities)
            ent = self.add_person(m, r[0].start)
            if len(self.entities) > known:  # a new person: the next pronoun of their gender is theirs
                described = self._described_person(r[-1].end)  # "Dana Reyes, a student at …,"
                self.intros.append((r[0].start, ent))
                self._described.append(described)
            return ent
        if m.kind == "person":
            # "Fullmer coached …"; or named in full only further on (an update put on top)
            name = clean_name(m.name)
            found = self.find_person(name, r[0].start) or self.find_person(name, r[0].start, allow_later=True)
            if found is None and r[0].low.rstrip(".") in _HONORIFIC_WORDS and name[:1].isupper():
                found = self.add_person(m, r[0].start)  # "Mr. Trump", "Ms. Ardern": known by the surname only
            if found is not None:
                found.evidence = True
            return found
        if m.kind == "organisation":
            return self.add_org(m.name, r[0].start)
        if m.kind == "group" and r[0].start == sent.start:
            return self.add_group(m.text, r[0].start)  # "Authorities believe …, although they note …"
        return None

    def _described_person(self, end: int) -> bool:
        """Whether an appositive that describes a person follows a name: ", a student at the college,"
        and not ", the nation's largest coal company,"."""
        appos = _APPOSITIVE.match(self.text, end)
        if appos is None:
            # no article: ", Washington State health department information officer," — a title last
            bare = _BARE_APPOSITIVE.match(self.text, end)
            return bare is not None and bare.group(1).lower() in TITLES
        head = re.split(r"\s(?:at|of|for|in|with|from|on|who|which|that)\s", appos.group(1).lower(),
                        maxsplit=1)[0]
        words = re.findall(r"[a-z]+", head)
        return bool(words) and words[-1] not in ORG_WORDS  # the head noun: "student", not "company"

    def add_person(self, m: Mention, pos: int) -> Entity:
        assert m.name is not None
        name = clean_name(m.name)
        ent = self.find_person(name, pos, allow_later=True) or self._known_bysurname(name)
        if ent is None:
            ent = Entity(name, "person", m.role, None, pos, pos, name_words(name))
            self.entities.append(ent)
            self._index_person(ent)
        elif " " not in ent.name and " " in name:  # "Mr. Trump" first, "Donald Trump" further on
            ent.name, ent.words = name, name_words(name)
            self._by_names.setdefault((name.split()[0].lower(), surname(name.split())), []).append(ent)
        elif len(name.split()) > len(ent.name.split()) \
                and surname(ent.name.split()) == surname(name.split()):
            # found by its first and last word, which the longer name shares: its index keys hold
            ent.name, ent.words = name, name_words(name)
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
        found = self._orgs.get(key.lower())
        if found is not None:
            found.last = max(found.last, pos)
            return found
        ent = Entity(key, "organisation", None, None, pos, pos, {key.lower()})
        self.entities.append(ent)
        self._orgs[key.lower()] = ent
        words = key.split()
        if len(words) >= 2 and words[0][:1].isupper():
            known = self._org_first.get(words[0].lower())
            if known is None or len(known.name) < len(key):
                self._org_first[words[0].lower()] = ent
        return ent

    def add_group(self, name: str, pos: int) -> Entity:
        ent = Entity(name, "group", None, None, pos, pos, {name.lower()}, True)
        self.entities.append(ent)
        return ent

    def _known_bysurname(self, name: str) -> Entity | None:
        """A person registered by honorific and surname alone ("Ms. Lund") whom a full name of the
        same surname and no other gender names."""
        words = name.split()
        if len(words) < 2:
            return None
        first = words[0].lower()
        gender = "f" if first in FEMALE_NAMES and first not in MALE_NAMES else \
            "m" if first in MALE_NAMES and first not in FEMALE_NAMES else None
        for ent in reversed(self._by_surname.get(surname(words), [])[-_SURNAME_LOOKBACK:]):
            if " " not in ent.name and (gender is None or ent.gender in (None, gender)):
                return ent
        return None

    def _index_person(self, ent: Entity) -> None:
        words = ent.name.lower().split()
        self._by_names.setdefault((words[0], surname(words)), []).append(ent)
        self._by_surname.setdefault(surname(words), []).append(ent)
        if len(words) == 2:
            self._by_first.setdefault(words[0], []).append(ent)

    def find_person(self, name: str, pos: int, *, allow_later: bool = False) -> Entity | None:
        """The latest person (in order of registration) that ``name`` can refer to: the same name, the
        same last word and, when ``name`` has several words, the same first word."""
        words = name.split()
        if not words:
            return None
        last = surname(words)
        if len(words) == 1:
            # or a family name written first ("Li Jifeng" … "Li explained"), when no given name
            candidates = self._by_surname.get(last) or (
                self._by_first.get(last, []) if last not in MALE_NAMES and last not in FEMALE_NAMES else [])
        else:  # the same name has the same first and last word too
            candidates = self._by_names.get((words[0].lower(), last), [])
        # index order is registration order; the same surname is shared by a handful of people
        for ent in reversed(candidates[-_SURNAME_LOOKBACK:]):
            if allow_later or ent.first <= pos:
                return ent
        return None

    # --- resolving ------------------------------------------------------------------------------

    def resolve(self, m: Mention, pos: int, recent: Recent) -> Resolved:
        """``recent``: (position, entity) of earlier statements' speakers, oldest first."""
        if m.kind == "pronoun":
            return self._pronoun(m, pos, recent)
        described = self._org_reference(m, pos, recent)  # "the company", "the statement"
        if described is not None:
            return described
        fuller = _latest_speaker(recent, pos, lambda e: e.kind == "group" and fuller_group(m.text, e.name)) \
            if m.kind == "group" else None
        if fuller is not None:  # "The authors of the study argued …" and then "the authors wrote"
            return self._bind(fuller[1], None, 0.7)
        if m.kind in ("title", "group") and re.match(r"(?:the|The|this|This)\s", m.text):
            title = m.role or m.text
            ent = self._by_title(title, pos) or self._described_speaker(title, pos, recent)
            if ent is not None:
                return Resolved(ent.name, ent.kind, ent.role, 0.8, ent)
            if m.kind == "title":
                return Resolved(m.text, "unknown", m.role, 0.5, None)
        if m.kind == "title" and re.match(r"(?:an?|An?)\s", m.text):
            # "a Southwest spokesperson told …": an unnamed person, whom "the spokesperson" can take up
            desc = re.sub(r"^(?:an?|An?)\s+", "", m.text)
            ent = Entity(desc, "person", m.role or desc, None, pos, pos, set(), True)
            return Resolved(desc, "person", ent.role, 0.5, ent)
        if m.kind == "title" and m.name is None and " " not in m.text and m.text[:1].isupper():
            # "“…?” Bishop asked": a surname that is also a title word, of a person named before
            ent = self.find_person(m.text, pos)
            if ent is not None:
                return Resolved(ent.name, "person", ent.role, 0.8, ent)
        if m.kind == "person" and m.name:
            return self._named_person(m, pos)
        if m.kind == "organisation" and m.name:
            ent = self._fuller_org(self._abbreviated(m.name, pos) or self.add_org(m.name, pos))
            return Resolved(ent.name, "organisation", None, 0.85, ent)
        if m.kind == "group" and m.start < m.end:
            if m.text.lower() in _ONE_PERSON:  # "One, who asked not to be named, said", "said someone"
                return Resolved(m.text, "person", None, 0.5, None)
            ent = self.add_group(m.text, pos)
            return Resolved(m.text, "group", None, 0.6, ent)
        if m.start == m.end:  # an implicit speaker: "Asked whether …, …"
            return Resolved("unknown", "unknown", None, 0.3, None)
        return Resolved(m.text, "unknown", None, 0.6, None)

    def _named_person(self, m: Mention, pos: int) -> Resolved:
        assert m.name is not None
        name = clean_name(m.name)
        org = self._abbreviated(name, pos)  # "the Chinese CDC"
        if org is not None:
            return Resolved(org.name, "organisation", None, 0.8, org)
        if len(name.split()) >= 2:
            full = self.add_person(m, pos)
            full.evidence = True
            return Resolved(full.name, "person", m.role or full.role, 0.9, full)
        # one word: a person named before (or, failing that, in full further on), an organisation
        # by its name, its abbreviation or the first word of its name ("Alden" for "Alden Capital")
        ent = self.find_person(name, pos)
        if ent is not None and " " not in ent.name:  # known by the surname so far: named in full further on?
            ent = self.find_person(name, pos, allow_later=True) or ent
        if ent is not None:
            return Resolved(ent.name, "person", m.role or ent.role, 0.85, ent)
        org = self._org_named(name, pos) or self._abbreviated(name, pos)
        if org is None and name[:1].isupper() and not m.role:
            org = self._org_first.get(name.lower())
        if org is not None:
            org = self._fuller_org(org)
            return Resolved(org.name, "organisation", None, 0.8, org)
        ent = self.find_person(name, pos, allow_later=True)
        if ent is not None:
            return Resolved(ent.name, "person", m.role or ent.role, 0.7, ent)
        return Resolved(name, "person", m.role, 0.6, None)

    def _org_reference(self, m: Mention, pos: int, recent: Recent) -> Resolved | None:
        """ "the company", "the brokerage" → the organisation spoken of last (a speaker first);
        "the statement", "the agreement" → the latest speaker, who issued it."""
        ref = reference(m.text) if m.kind in ("title", "group", "organisation", "unknown") else None
        if ref is None:
            return None
        what, head = ref
        if what == "document":  # the latest speaker, or a body standing as a later sentence's subject
            found = _latest_speaker(recent, pos, lambda e: e.kind in ("person", "organisation"))
            subject = self._latest_subject(pos, lambda e: e.kind == "organisation")
            if subject is not None and (found is None or subject[0] > found[0]):
                found = subject
            found = self._issuer(pos, head, found) or found
            return self._bind(found[1], None, 0.7) if found else Resolved(m.text, "unknown", None, 0.4, None)

        def fits(ent: Entity) -> bool:
            return ent.kind == "organisation" and names_head(ent.name, head) \
                and ent.name.lower() not in COUNTRIES

        found = _latest_speaker(recent, pos, fits) or self._latest_mention(pos, fits)
        if found is not None:
            return self._bind(found[1], None, 0.7)
        if m.kind == "organisation":
            return None  # "the city transport department": a body by its description, registered
        return Resolved(re.sub(r"^(?:the|The)\s+", "", m.text), "organisation", None, 0.5, None)

    def _issuer(self, pos: int, head: str, found: Found | None) -> Found | None:
        """ "X issued a statement …" and then "the statement said": X, unless a later speaker gave a
        statement of their own ("…, Y said in a statement")."""
        k = bisect_left(self.issuers, pos, key=lambda x: x[0]) - 1
        if k < 0 or pos - self.issuers[k][0] > 2000 or self.issuers[k][2] != head:
            return None
        at, ent, _ = self.issuers[k]
        if found and found[0] > at and head in self.text[found[0]:min(pos, found[0] + 300)].lower():
            return None
        return (at, ent, 0.7)

    def _abbreviated(self, name: str, pos: int) -> Entity | None:
        """The organisation an abbreviation stands for: "FAA" defined as "… (FAA)", or "the CDC" and
        "the Chinese CDC" after "the Chinese Center for Disease Control" (the initials hold it)."""
        words = name.split()
        abbr = words[-1] if words else ""
        if not (len(abbr) >= 2 and abbr.isupper() and abbr.isalpha()):
            return None
        full = self._abbr.get(abbr)
        if full is not None:
            return self.add_org(full, pos)
        top = bisect_left(self._mention_at, pos)
        for k in range(top - 1, max(-1, top - 1 - _TITLE_LOOKBACK), -1):
            ent = self.mentions[k][1]
            if ent.kind == "organisation" and stands_for(abbr, ent.name) \
                    and all(w.lower() in ent.name.lower().split() for w in words[:-1]):
                return ent
        return None

    def _fuller_org(self, ent: Entity) -> Entity:
        """The fullest name the text gives an organisation named by one word: "McClatchy Co."."""
        if " " in ent.name:
            return ent
        fuller = self._org_first.get(ent.name.lower())
        return fuller if fuller is not None else ent

    def _pronoun(self, m: Mention, pos: int, recent: Recent) -> Resolved:
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

        own = self._subject_of_sentence(pos, fits)  # "Authorities believe …, although they note …"
        if own is not None:
            return self._bind(own, None, 0.75)
        for k in range(len(recent.at) - 1, -1, -1):
            at = recent.at[k]
            if pos - at > 1500 or self._lines().between(at, pos) > 4:
                break
            if fits(recent.entities[k]):
                return self._bind(recent.entities[k], None, 0.75)
        for k in range(bisect_left(self._subject_at, pos) - 1, -1, -1):  # subjects before pos
            at, ent = self.subjects[k]
            if pos - at > 2500:
                break
            if fits(ent):
                return self._bind(ent, None, 0.65)
        return Resolved(m.text, "unknown", None, 0.3, None)

    def _latest_subject(self, pos: int, fits: Callable[[Entity], bool]) -> Found | None:
        """The latest sentence subject before pos, within 2,000 characters, that fits."""
        for k in range(bisect_left(self._subject_at, pos) - 1, -1, -1):
            at, ent = self.subjects[k]
            if pos - at > 2000:
                break
            if fits(ent):
                return (at, ent, 0.65)
        return None

    def _subject_of_sentence(self, pos: int, fits: Callable[[Entity], bool]) -> Entity | None:
        """The subject of the sentence holding pos, standing before it, when it fits."""
        k = bisect_right(self._sent_starts, pos) - 1
        j = bisect_left(self._subject_at, pos) - 1
        if k < 0 or j < 0 or self._subject_at[j] < self._sent_starts[k]:
            return None
        ent = self.subjects[j][1]
        return ent if fits(ent) else None

    def _personal(self, m: Mention, pos: int, recent: Recent, gender: str | None) -> Resolved:
        """he / she: the latest person of that gender who spoke or stood as a sentence's subject."""
        def fits(ent: Entity) -> bool:
            return ent.kind == "person" and not (gender and ent.gender and ent.gender != gender)

        # each list is in text order: walk back from pos to the first that fits, within the window
        best = _latest_speaker(recent, pos, fits)
        best = self._later_subject(pos, best, fits) or best
        if gender is not None:
            best = self._newer_introduction(pos, best, gender) or best
        if best is None:
            best = self._latest_mention(pos, fits)
        if best is None:
            return Resolved(m.text, "person", None, 0.3, None)
        return self._bind(best[1], gender, best[2])

    def _later_subject(self, pos: int, best: Found | None, fits: Callable[[Entity], bool]) -> Found | None:
        """A person standing as a sentence's subject after the latest speaker (and known to be one)."""
        for k in range(bisect_left(self._subject_at, pos) - 1, -1, -1):
            at, ent = self.subjects[k]
            if pos - at > 2500 or (best is not None and at <= best[0]):
                break
            if fits(ent) and ent.evidence:
                return (at, ent, 0.7)
        return None

    def _newer_introduction(self, pos: int, best: Found | None, gender: str) -> Found | None:
        """A person just introduced ("Dana Reyes, a student, …") wins over an older speaker or
        subject: the introduction is what the reader has in mind."""
        top = bisect_left(self._intro_at, pos)
        for k in range(top - 1, max(-1, top - 1 - _INTRO_LOOKBACK), -1):
            at, ent = self.intros[k]
            if pos - at > 2500 or (best is not None and at <= best[0]):
                break
            newer = ent is not (best[1] if best is not None else None)
            if self._described[k] and ent.gender in (gender, None) and newer:
                return (at, ent, 0.7)
        return None

    def introduced_since(self, since: int, pos: int) -> tuple[int, Entity] | None:
        """The latest person introduced with a description ("Dana Reyes, an engineer,") after since
        and before pos: an unattributed quotation right after it is theirs."""
        k = bisect_left(self._intro_at, pos) - 1
        if k < 0 or self._intro_at[k] <= since or not self._described[k]:
            return None
        return self.intros[k]

    def _latest_mention(self, pos: int, fits: Callable[[Entity], bool]) -> Found | None:
        for k in range(bisect_left(self._mention_at, pos) - 1, -1, -1):
            at, ent = self.mentions[k]
            if pos - at > 2500:
                break
            if fits(ent):
                return (at, ent, 0.6)
        return None

    def _bind(self, ent: Entity, gender: str | None, confidence: float) -> Resolved:
        if gender and ent.gender is None:
            ent.gender = gender
        kind = ent.kind if ent.kind in ("person", "organisation", "group") else "unknown"
        return Resolved(ent.name, kind, ent.role, confidence, ent)

    def _described_speaker(self, title: str, pos: int, recent: Recent) -> Entity | None:
        """An unnamed speaker taken up again: "a spokesperson for the airline said …" and then
        "the spokesperson said …"."""
        words = title_words(title)
        if not words:
            return None
        found = _latest_speaker(recent, pos, lambda e: e.kind == "person" and not e.words and bool(e.role)
                                and words <= self._words_of_role(e.role or ""))
        return found[1] if found is not None else None

    def _by_title(self, title: str, pos: int) -> Entity | None:
        words = title_words(title)
        if not words:
            return None
        # the latest mention before pos of a person whose role has those words; a bare title ("the
        # president") is first the one who holds it alone ("President Lee"), not "president of a bank"
        top = bisect_left(self._mention_at, pos)
        found = None
        for k in range(top - 1, max(-1, top - 1 - _TITLE_LOOKBACK), -1):
            ent = self.mentions[k][1]
            if ent.kind == "person" and ent.role and words <= (role := self._words_of_role(ent.role)):
                if len(words) > 1 or role == words:
                    return ent
                found = found or ent
        return found

    def _lines(self) -> LineStarts:
        if self._line_starts is None:
            self._line_starts = LineStarts(self.text)
        return self._line_starts

    def _words_of_role(self, role: str) -> frozenset[str]:
        words = self._role_words.get(role)
        if words is None:
            words = self._role_words[role] = frozenset(TITLE_WORDS.get(w, w)
                                                       for w in re.findall(r"[a-z]+", role.lower()))
        return words

    def _org_named(self, name: str, pos: int) -> Entity | None:
        ent = self._orgs.get(name.lower())  # an organisation's words are its lower-case name
        return ent if ent is not None and ent.first <= pos else None


_APPOSITIVE = re.compile(r"\s*,\s+((?:a|an|the)\s[^,.;]{1,80})")
_ISSUED_DOCUMENT = re.compile(r"\b(?:issued|released|put out|posted|published|shared)\s+(?:an?|its)\s+"
                              r"(?:[a-z]+\s+)?(statement|letter|release|memo|notice|announcement)\b")
_BARE_APPOSITIVE = re.compile(r"\s*,\s+[^,.;]{0,80}?\b([a-z]+)\s*,")
