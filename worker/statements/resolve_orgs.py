"""Organisations referred back to: by a description ("the company", "the brokerage"), by a
document they issued ("the statement said"), by an abbreviation ("the CDC", "the Chinese CDC"),
or by the first word of their name ("Alden" for "Alden Capital")."""

from __future__ import annotations

import re

from worker.statements.lexicon import wordset

# Head nouns that describe a body, not a person: "the company", "the production company". A body
# is often named with the head in its name ("Electoral Commission", "U.S. Attorney's Office"):
# with these heads the organisation referred back to must have it in its name.
_ANY_BODY = wordset("""company firm brokerage utility lender carrier insurer retailer label studio
outlet publisher broadcaster network airline automaker manufacturer startup giant conglomerate
chain operator developer organization organisation nonprofit charity group business
corporation""")
_NAMED_BODY = wordset("""agency office department ministry commission council committee board court
bureau authority administration university college hospital institute foundation bank union
team club party campaign government military regulator service""")
# What a body issues and then "says": "the statement said", "the agreement maintained".
_DOCUMENTS = wordset("""statement statements release agreement letter filing memo memorandum notice
email complaint lawsuit suit indictment affidavit motion announcement""")
_DETERMINER = re.compile(r"^(?:the|this|that|its|their|our|his|her|my)\s+", re.I)
# words that may stand between the determiner and the head: "the production company", "the
# New York-based company", "the company's"
_WORD = re.compile(r"[\w’'&.-]+")


def reference(text: str) -> tuple[str, str] | None:
    """("body", head) for a description of an organisation, ("document", head) for a document it
    issued, or None. The phrase has a determiner, at most four words and ends with the head."""
    lead = _DETERMINER.match(text)
    if lead is None:
        return None
    words = _WORD.findall(text[lead.end():])
    if not words or len(words) > 4:
        return None
    head = words[-1].lower().removesuffix("’s").removesuffix("'s")
    if head in _DOCUMENTS:
        return "document", head
    if head in _ANY_BODY:
        return "body", ""
    if head in _NAMED_BODY and not any(w[:1].isupper() for w in words[:-1]):
        return "body", head
    return None


def names_head(name: str, head: str) -> bool:
    """Whether an organisation's name can be described by a head noun ("" fits any name)."""
    return not head or head in name.lower().split()


_PAREN_ABBR = re.compile(r"((?:[A-Z][\w’'.-]*\s+)(?:(?:of|for|and|the|on|in|de)\s+|[A-Z][\w’'.-]*\s+){0,8}"
                         r"[A-Z][\w’'.-]*)\s+\(([A-Z][A-Za-z&]{1,7})\)")


def abbreviations(text: str) -> dict[str, str]:
    """Abbreviations the text defines: "the Federal Aviation Administration (FAA)" → FAA."""
    out: dict[str, str] = {}
    for m in _PAREN_ABBR.finditer(text):
        abbr, full = m.group(2), m.group(1)
        words = [w for w in full.split() if w[:1].isupper()]
        # the longest tail of the name whose initials hold the abbreviation's first letter
        for k in range(len(words)):
            if words[k][0] == abbr[0] and abbr.upper()[-1] in "".join(w[0] for w in words[k:]):
                start = full.find(words[k])
                out.setdefault(abbr, full[start:])
                break
    return out


def initials(name: str) -> str:
    """The capitals that start a name's words: "Chinese Center for Disease Control" → "CCDC"."""
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def stands_for(abbr: str, name: str) -> bool:
    """Whether an abbreviation of three or more capitals stands for a name: its letters are the
    initials of consecutive capitalised words of the name ("CDC" in "Chinese Center for Disease
    Control and Prevention")."""
    return len(abbr) >= 3 and abbr.isupper() and abbr != name and abbr in initials(name)


def fuller_group(text: str, name: str) -> bool:
    """Whether a definite group ("the authors") takes up a group described more fully before ("The
    authors of the research published in …"): the fuller description starts with the same words."""
    lead = _DETERMINER.match(text)
    if lead is None or not text[:lead.end()].lower().startswith("the"):
        return False
    head = text[lead.end():].lower()
    low = name.lower()
    low = low[4:] if low.startswith("the ") else low
    return len(low) > len(head) and low.startswith(head + " ")
