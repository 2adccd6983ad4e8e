"""Which speaker each statement of an article is by: the matching rules, as pure functions.

- Labels and junk ("Date", "Photo", "URL", pronouns, single lowercase words, descriptions such as
  "a spokesperson", "health officials" or the group "Opposition members", anything with digits or a
  URL) are no speaker: None.
- A person is keyed by forename and surname, without titles, honorifics, middle names and
  initials: "Donald Trump", "President Trump", "Donald J. Trump" and "Mr. Trump" are one speaker,
  "Walter Reed" and "Lou Reed" two.
- A lone surname ("Trump") joins the one person of the article with that surname; with two such
  people in the article it is ambiguous and gets no speaker; with none it is left to storage, which
  joins it to the one stored person of that surname, if there is exactly one (see SpeakerRef).
- An organisation, group or unknown speaker is keyed by its whole name without a leading "the".
  An abbreviation joins its full name only when the article defines it, as in "the Centers for
  Disease Control and Prevention (CDC)"; the two keys are then stored as aliases of one speaker.
- The name offered as canonical is the fullest (longest) form the article has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from db.records import SpeakerQuery, SpeakerRef
from worker.speakers.names import (
    acronym,
    described_group,
    fold,
    junk_reason,
    key,
    looks_like_acronym,
    org_display,
    organisation_like,
    person_name,
)

_DEFINED = re.compile(r"\(\s*(?:the\s+)?([A-Z][A-Za-z.&]{1,9})\s*\)")
_LOOKBACK_WORDS = 12  # a full name is at most this many words before its "(ABBR)"


def _fits(abbr: str, full: str) -> bool:
    initials = acronym(full)
    folded = fold(abbr.replace(".", ""))
    return len(folded) >= 2 and initials.startswith(folded) and len(initials) - len(folded) <= 1


def abbreviations(text: str) -> dict[str, tuple[str, str]]:
    """Abbreviations the text defines, by their key, with the full name and the abbreviation as
    written: "… the Centers for Disease Control and Prevention (CDC) …" ->
    {"cdc": ("Centers for Disease Control and Prevention", "CDC")}. The full name is
    the shortest run of words before the parenthesis, starting with a capital, whose initials are
    the abbreviation (a trailing connecting word's initial, "and Prevention", may be left out)."""
    found: dict[str, tuple[str, str]] = {}
    for match in _DEFINED.finditer(text):
        abbr = match.group(1)
        if not looks_like_acronym(abbr):
            continue
        before = text[max(0, match.start() - 200):match.start()].split()[-_LOOKBACK_WORDS:]
        for size in range(2, len(before) + 1):
            candidate = before[-size:]
            if not candidate[0][:1].isupper():
                continue
            full = " ".join(candidate).strip(" ,;:")
            if _fits(abbr, full):
                found.setdefault(key(abbr), (full, abbr))
                break
    return found


def _org_ref(name: str, kind: str, defined: dict[str, tuple[str, str]]) -> SpeakerRef | None:
    display = org_display(name)
    own = key(display)
    if not own:
        return None
    if own in defined:  # "the CDC" in an article that spelt it out
        full, _ = defined[own]
        return SpeakerRef(full, kind, ((full, key(full)), (display, own)))
    for abbr_key, (full, abbr) in defined.items():
        if key(full) == own:
            return SpeakerRef(display, kind, ((display, own), (abbr, abbr_key)))
    return SpeakerRef(display, kind, ((display, own),))


def _person_ref(name: str) -> SpeakerRef | None:
    person = person_name(name)
    if person is None:
        return None
    if person.forename is None:
        return SpeakerRef(person.display, "person", ((person.display, person.surname),),
                          surname=person.surname, bare=True)
    return SpeakerRef(person.display, "person", ((person.display, person.key),),
                      forename=person.forename, surname=person.surname)


def speaker_ref(name: str, kind: str, defined: dict[str, tuple[str, str]] | None = None) -> SpeakerRef | None:
    """One speaker name on its own (no article around it): its ref, or None for junk."""
    if junk_reason(name) is not None or (kind == "group" and described_group(name)):
        return None
    if kind == "person" and not looks_like_acronym(name) and not organisation_like(name):
        return _person_ref(name)
    return _org_ref(name, kind if kind != "person" else "organisation", defined or {})


def _fullest(refs: Sequence[SpeakerRef]) -> SpeakerRef:
    """The ref with the longest name, holding the aliases of them all."""
    best = max(refs, key=lambda r: (len(r.name), r.type != "unknown"))
    aliases = dict.fromkeys(best.aliases)
    for ref in refs:
        for written, alias_key in ref.aliases:
            if all(alias_key != k for _, k in aliases):
                aliases[(written, alias_key)] = None
    return SpeakerRef(best.name, best.type, tuple(aliases), best.forename, best.surname, best.bare)


def article_speakers(speakers: Sequence[tuple[str, str]], text: str = "") -> list[SpeakerRef | None]:
    """For each (speaker, speaker_type) of one article's statements, in order, its SpeakerRef or
    None. Mentions of one speaker in the article get one ref, with the fullest name among them."""
    defined = abbreviations(text) if "(" in text else {}
    refs = [speaker_ref(name, kind, defined) for name, kind in speakers]
    groups: dict[str, list[SpeakerRef]] = {}
    for ref in refs:
        if ref is not None and not ref.bare:
            groups.setdefault(ref.keys[0], []).append(ref)
    merged = {k: _fullest(group) for k, group in groups.items()}
    by_surname: dict[str, list[SpeakerRef]] = {}
    for ref in merged.values():
        if ref.surname is not None:
            by_surname.setdefault(ref.surname, []).append(ref)
    out: list[SpeakerRef | None] = []
    for ref in refs:
        if ref is None or not ref.bare:
            out.append(merged[ref.keys[0]] if ref is not None else None)
            continue
        people = by_surname.get(ref.surname or "", [])
        out.append(people[0] if len(people) == 1 else None if people else ref)
    return out


def speaker_query(name: str) -> SpeakerQuery | None:
    """What `--speaker NAME` looks up: the keys NAME would be stored under (as written; as a
    person's name; as an organisation's), and for one word the forename/surname to match.
    None when NAME holds no word."""
    keys = [key(name), key(org_display(name))]
    person = person_name(name)
    if person is not None:
        keys.append(person.key)
    keys = [k for k in dict.fromkeys(keys) if k]
    if not keys:
        return None
    word = person.key if person is not None and person.forename is None else None
    return SpeakerQuery(tuple(keys), word)
