"""Speaker names as plain values: is it a name at all, and the keys it is matched by.

A *key* is a name folded for comparison: accents dropped, case folded, punctuation (dots, commas,
quotes, dashes) turned into spaces, whitespace collapsed; "Mr. José Pérez-Gómez" -> "mr jose perez-gomez".
A person's key is then their forename and surname only, without titles, honorifics, middle names or
initials and suffixes: "President Donald J. Trump Jr." -> "donald trump".

Nothing here touches a database; worker/speakers/match.py groups the speakers of one article and
db/speakers.py stores what it decided.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


MAX_TOKENS = 8  # longer "names" are clauses the parser took for a speaker
MAX_CHARS = 80

# What a page labels rather than who speaks: "Date: 12 March", "Photo: Reuters", "Source: AP".
LABELS = _wordset("""
date title url link photo photos picture image images caption credit credits source sources contact
video audio updated update published posted by author authors email e mail tel phone telephone fax
read more share tags tag category categories copyright note editor editors editor s note disclaimer
location time subject from to cc re q a question answer watch listen advertisement sponsored
related topics keywords summary description headline byline filed under file via
""")

PRONOUNS = _wordset("""
i me my we us our you your he him his she her hers it its they them their theirs one someone somebody
anyone anybody everyone everybody nobody who whom this that these those each both all another others
""")

# Plural or generic nouns that say what kind of speaker, not which: "Officials said", "Police said".
GENERIC = _wordset("""
official officials spokesperson spokesman spokeswoman spokespeople police authorities authority
expert experts analyst analysts resident residents witness witnesses critic critics researcher
researchers scientist scientists doctor doctors lawyer lawyers prosecutor prosecutors investigators
investigator observers observer people person statement report reports sources staff members member
officers officer protesters demonstrators voters leaders leader supporters opponents lawmakers
organizers organisers neighbours neighbors parents students teachers workers employees citizens
""")

DETERMINERS = frozenset({"the", "a", "an"})
# A speaker starting with one of these is a piece of a sentence: "When President Trump's advisers".
SUBORDINATORS = _wordset("""
before after when while whenever if as since because although though unless until which what where how
why whether and but or so then
""")
# …or ending with one of these (in lower case): "Mr. Trump continues to", "…representatives have long".
FUNCTION_WORDS = _wordset("""
to that who whom which whose have has had is was are were be been being always long never also still
in on of for from with by at and or but the a an his her their its our my your continues says said told
""")
# Words that make a name an organisation's, whatever the parser typed it as.
ORGANISATION_WORDS = _wordset("""
productions production studios studio equities capital partners holdings group company co corp
corporation inc ltd llc plc bank institute university college school hospital clinic shelter foundation
federation association union council committee commission agency authority ministry department
office party brotherhood organization organisation network times post news journal press magazine
""")
INDEFINITE = frozenset({"a", "an", "one", "some", "several", "many", "two", "three"})

# Titles and honorifics before a person's name (folded, without dots); several may stack:
# "Former Health Secretary Dr. Jane Doe".
TITLES = _wordset("""
mr mrs ms miss mx dr prof professor sir dame lord lady madam president vice senator sen rep
representative congressman congresswoman gov governor mayor secretary minister prime chancellor judge
justice gen general col colonel capt captain lt lieutenant sgt sergeant adm admiral cmdr commander rev
reverend father pope king queen prince princess sheikh former ex chief commissioner ambassador
attorney speaker first deputy acting state health defence defense foreign interior finance home
treasury education energy labor labour justice coach officer detective inspector superintendent
constable premier president-elect elect leader chairman chairwoman chair ceo cfo founder director
spokesman spokeswoman spokesperson hon honourable honorable rabbi imam bishop cardinal archbishop
saint st dean provost pastor brother sister uncle aunt mp mep
""")

SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "esq", "mp", "mep", "qc", "kc"})

# Lowercase words inside a surname: "Ursula von der Leyen", "Vincent van Gogh", "Luiz da Silva".
PARTICLES = frozenset({"von", "van", "der", "den", "de", "del", "della", "di", "da", "do", "dos", "das",
                       "du", "la", "le", "bin", "ibn", "al", "el", "ter", "ten", "y", "zu"})

_URLISH = re.compile(r"https?:|www\.|\.(com|org|net|gov|edu|uk|de|fr)\b|@|/|\\", re.I)
_SPLIT = re.compile(r"[\s\.,;:!?\"'“”‘’«»()\[\]{}<>*_|~=+&#—–]+|(?<!\w)-|-(?!\w)")
_DIGIT = re.compile(r"\d")
_SOMEONES = re.compile(r"[’']s?\s+[a-z][\w-]*(\s+[a-z][\w-]*)*\s*$")  # "Morrison's lawyer", "Swift's rep"


def fold(text: str) -> str:
    """Accents dropped, case folded, NFKC; punctuation left for the caller."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", plain).casefold()


def words(text: str) -> list[str]:
    """The words of a name as written (case kept), split at spaces and punctuation; a possessive
    "'s" is dropped ("Reuters' reporter" aside, "Trump's" -> "Trump")."""
    text = re.sub(r"[’']s\b", "", text)
    return [w for w in _SPLIT.split(text) if w]


def key(text: str) -> str:
    """The folded words of ``text`` joined by one space: what aliases are compared by."""
    return " ".join(fold(w) for w in words(text))


def _form_problem(name: str) -> str | None:
    """What is wrong with the characters of a name: none, too many, digits, a URL."""
    if not name or not any(c.isalpha() for c in name):
        return "no letters"
    if len(name) > MAX_CHARS:
        return "too long"
    if _DIGIT.search(name):
        return "digits"
    if _URLISH.search(name):
        return "a URL or address"
    return None


def _lower_start(word: str) -> bool:
    """A word in lower case that is no name particle ("von", "de", "al-Assad")."""
    return word[0].islower() and fold(word) not in PARTICLES and fold(word).split("-")[0] not in PARTICLES


def _fragment(parts: list[str]) -> bool:
    """A piece of a sentence the parser took for a speaker: "When President Trump's advisers",
    "Mr. Trump continues to", "authorities in Beijing"."""
    if fold(parts[0]) in SUBORDINATORS:
        return True
    if len(parts) > 1 and parts[-1][0].islower() and fold(parts[-1]) in FUNCTION_WORDS:
        return True
    return len(parts) > 1 and _lower_start(parts[0]) and any(w[0].isupper() for w in parts[1:])


def junk_reason(name: str) -> str | None:
    """Why ``name`` is not a speaker that can be stored (a label, a pronoun, a description, a
    URL …), or None when it is a name."""
    stripped = name.strip()
    problem = _form_problem(stripped)
    if problem is not None:
        return problem
    parts = words(stripped)
    if not parts or len(parts) > MAX_TOKENS:
        return "too many words" if parts else "no words"
    if fold(parts[0]) in INDEFINITE:
        return "a description"  # "a spokesperson", "one official"
    if len(parts) == 1 and (_lower_start(parts[0]) or len(parts[0]) == 1):
        return "a single letter or lowercase word"
    content = [w for w in parts if fold(w) not in DETERMINERS]
    if not content:
        return "no words"
    if " ".join(fold(w) for w in content) in LABELS or all(fold(w) in LABELS for w in content):
        return "a label"
    if all(fold(w) in PRONOUNS and not looks_like_acronym(w) for w in content):  # "WHO" is no pronoun
        return "a pronoun"
    if not any(c.isupper() for w in content for c in w):
        return "a description"  # "health officials": no proper name in it ("al-Assad" has one)
    if all(fold(w) in GENERIC | TITLES | DETERMINERS for w in content):
        return "a description"  # "Officials", "The spokesman", "Police"
    if _fragment(content):
        return "a piece of a sentence"
    if _SOMEONES.search(stripped):
        return "a description"
    return None


def organisation_like(name: str) -> bool:
    """A name the parser may type as a person's that is an organisation's: with a word such as
    "Productions", "Institute", "Shelter", or an abbreviation of three letters or more ("Chinese CDC")."""
    parts = words(name)
    return any(fold(w) in ORGANISATION_WORDS for w in parts[1:]) or any(
        looks_like_acronym(w) and len(w.replace(".", "")) >= 3 for w in parts)


def described_group(name: str) -> bool:
    """A plural speaker described rather than named: after a leading "the", several words of which
    only the first is capitalised, as any sentence starts ("Opposition members", "Shopkeepers on the
    harbour front"), unlike "Senate Democrats" or "Democrats"."""
    parts = [w for w in words(name) if fold(w) not in DETERMINERS]
    return len(parts) > 1 and not any(w[0].isupper() for w in parts[1:])


@dataclass(frozen=True)
class PersonName:
    """A person's name taken apart: ``display`` without titles and honorifics ("Donald J. Trump"),
    ``forename`` and ``surname`` keys ("donald", "trump"; forename None for a lone surname)."""

    display: str
    forename: str | None
    surname: str

    @property
    def key(self) -> str:
        return f"{self.forename} {self.surname}" if self.forename else self.surname


def _name_bounds(parts: list[str]) -> tuple[int, int]:
    """Where the name proper starts (after leading titles and determiners: "the", "President",
    "Mr.") and ends (before suffixes: "Jr."); a name made only of titles stays whole ("Pope")."""
    start = 0
    while start < len(parts) - 1 and (fold(parts[start]) in TITLES or fold(parts[start]) in DETERMINERS
                                      or (parts[start][0].islower() and fold(parts[start]) not in PARTICLES)):
        start += 1
    end = len(parts)
    while end - start > 1 and fold(parts[end - 1]) in SUFFIXES:
        end -= 1
    return start, end


def _surname_start(parts: list[str]) -> int:
    """Where the surname starts: the last word, with the lowercase particles before it."""
    start = len(parts) - 1
    while start > 1 and parts[start - 1][:1].islower() and fold(parts[start - 1]) in PARTICLES:
        start -= 1
    if start == 1 and parts[0][:1].islower() and fold(parts[0]) in PARTICLES:
        start = 0  # "von der Leyen" alone: all of it is the surname
    return start


def person_name(name: str) -> PersonName | None:
    """The parts of a person's name, or None when nothing name-like is left once titles are off."""
    written = words(name)
    if not written:
        return None
    begin, end = _name_bounds(written)
    parts = written[begin:end]
    start = _surname_start(parts)
    surname = " ".join(fold(w) for w in parts[start:])
    given = [w for w in parts[:start] if not _initial(w)]
    forename = fold(given[0]) if given else None
    if forename is None and start > 0:
        forename = fold(parts[0])  # "J. Smith": the initial is all we know
    display = _display(name, written[begin:])
    return PersonName(display, forename, surname)


def _initial(word: str) -> bool:
    return len(word) == 1 and word.isalpha()


def _display(name: str, parts: list[str]) -> str:
    """The stretch of ``name`` from the first kept word to the last, as written ("Donald J. Trump")."""
    first, last = parts[0], parts[-1]
    begin = name.find(first)
    end = name.rfind(last) + len(last)
    if begin < 0 or end <= begin:
        return " ".join(parts)
    shown = name[begin:end].strip()
    if len(last) <= 3 and name[end:end + 1] == ".":
        shown += "."  # "Jr." keeps its dot
    return " ".join(shown.split())


def org_display(name: str) -> str:
    """An organisation's or group's name without a leading article: "the White House" -> "White House"."""
    parts = name.strip().split()
    while len(parts) > 1 and fold(parts[0]) in DETERMINERS:
        parts = parts[1:]
    return " ".join(parts)


def acronym(name: str) -> str:
    """The initials of a name's capitalised words: "Centers for Disease Control and Prevention" -> "cdc"
    (connecting lowercase words such as "for", "and", "of" do not count)."""
    return "".join(fold(w[0]) for w in words(name) if w[0].isupper())


def looks_like_acronym(name: str) -> bool:
    """"CDC", "NATO", "U.N.": a single word in capitals (dots allowed), two to eight letters."""
    letters = name.replace(".", "").strip()
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper() and " " not in letters
