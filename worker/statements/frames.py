"""Framing one reporting cue: which quotation or clause it introduces, and whose mention it is.

Per sentence, every reporting cue outside quotation marks is framed as the first of these that fits
(frames_quoted: the cue attributes a quotation; frames_clause: a clause):
  “…,” NP said / “…,” said NP           quotation_then_cue         the quotation before the cue
  NP said: “…” / NP said “…”            cue_then_quotation         the quotation after the cue (mixed
                                                                   when the sentence goes on)
  NP said:  ⏎ “…”                        cue_colon_next_paragraph   the next paragraph's quotation
  CLAUSE, NP said, CLAUSE               said_mid_sentence          the whole sentence
  NP said (that) CLAUSE                 said_that_clause           the reported clause (indirect;
                                                                   mixed when it quotes)
  CLAUSE, NP said / CLAUSE, said NP     clause_then_said           the clause before (indirect), or
                                                                   the quotation sentence before
  according to NP, CLAUSE / CLAUSE, according to NP   according_to (also "per NP")
  As NP reports (for X), CLAUSE         as_source_said (frames_source)
A cue with a noun-phrase object ("denied the allegations") is read by frames_object.
The speaker of the middle four is found before the cue (``_speaker_before_cue``).
"""

from __future__ import annotations

import re

from worker.statements.draft import Context, Draft, trim_end
from worker.statements.frames_clause import (
    according_to,
    clause_then_said,
    said_mid_sentence,
    said_that_clause,
)
from worker.statements.frames_cue import CUE_ALT, OBJECT, CueSite
from worker.statements.frames_quoted import cue_colon_next_paragraph, cue_then_quotation, quotation_then_cue
from worker.statements.frames_source import as_source_said, relative_speaker
from worker.statements.lexicon import wordset
from worker.statements.mentions import Mention, left_mention, loose_mention, right_mention
from worker.statements.segment import Sentence
from worker.statements.window import ends_with, last_visible

_CUE = re.compile(
    r"\b(?:[Aa]ccording to|[Pp]er(?=\s+(?:the\s+)?[A-Z])|"
    r"(?:went|goes|go|going) on to (?:say|add|note|write|explain|argue)|"
    r"point(?:s|ed|ing)? out|call(?:s|ed|ing)? (?:for|on)|put it|"
    + CUE_ALT
    + r")\b"
)
# Cue forms that are also nouns: after a determiner, "of" or a possessive they are not cues.
_NOUN_FORMS = wordset("""state states report reports post posts comment comments call calls show shows
find finds estimate
estimates promise promises pledge pledges claim claims statement remark remarks warning warnings
vow vows tweet tweets note notes comment concern concerns fear fears hope hopes denial denials""")
_PARTICIPLE_OK = wordset("""saying adding noting arguing claiming insisting explaining warning declaring
telling writing stating suggesting acknowledging admitting denying stressing describing calling
predicting promising vowing urging asserting complaining citing accusing stating rejecting disputing
confirming announcing""")


# A cue is framed within this many characters either side of it. The widest sentence context a
# statement took in the PolNeAR and SCU articles is 631 characters before its cue and 1,221 after;
# beyond that a "sentence" is a run-on (a page without full stops) whose every cue would otherwise
# read, and report as content, all of it. A statement whose content runs into the cut is dropped:
# in a run-on there is no telling where the clause ends, and every cue would report the same
# thousands of characters again.
_REACH = 2500
# How far before a cue the comma opening a loose speaker phrase is looked for: "…, the campaign's
# new manager said that" (12 words). A longer stretch without it holds too many words for the phrase,
# unless they are hundreds of characters long.
_CLAUSE_BACK = 600

_NOUN_BEFORE = re.compile(r"(?:\b(?:the|a|an|his|her|their|its|our|this|that|these|those|of|new|latest|"
                          r"recent|previous|earlier|initial|first|same)|’s|'s)\s*$", re.I)
_CALLED_BEFORE = re.compile(r"\b(?:was|were|is|are|be|been|being|group|organization|movement|program|project|"
                            r"law|bill|book|film|show)\s*$")
_PASSIVE_FORMS = wordset("told asked accused called denied reported")
_PASSIVE_BEFORE = re.compile(r"\b(?:is|was|were|are|be|been|being)\s*$")
# what follows "called X" when X is only named or phoned: a preposition, a relative word or the end
_NO_COMPLEMENT = re.compile(r"\s*(?:[,.;:!?)]|$|(?:after|to|for|in|on|at|with|from|about|by|during|before|"
                            r"over|and|that|which|who|when|because|but)\b)")
_THING_THAT = re.compile(r"\b(?:that|which)\s*$")
_CALLED_ALONE = wordset("call calls called")
_COMPLEMENT_SPAN = re.compile(r"[^,;:.!?]*")
_SECOND_COMPLEMENT = re.compile(r"\b(?:a|an)\b|[“”\"]")
_THAT_SOON = re.compile(r"\s+(?:\w+\s+){0,3}?that\s")
_PRONOUN_NEXT = re.compile(r"\s+(?:he|she|they|it|we|I|there|the|this|his|her|their)\s")
_WORD_NEXT = re.compile(r"\s+[\w“\"]")
_PREP_NEXT = re.compile(r"\s+(?:by|of|to|for|with|in|on|at|about|from|and)\b")
_HEAD = re.compile(r"(?:^|[.;:!?]\s+|,\s+)((?:The|the)\s+(?:[\w’'-]+\s+){0,3}[\w’'-]+)\s*$")
_SHARE_WORDS = re.compile(r"%|percent|half|third|quarter")


def sentence_drafts(ctx: Context, si: int) -> list[Draft]:
    text, sent = ctx.text, ctx.sents[si]
    inside = ctx.quotes.between(sent.start, sent.end)
    out: list[Draft] = []
    for m in _CUE.finditer(text, sent.start, sent.end):
        cs, ce = m.start(), m.end()
        if ctx.quotes.containing(cs) in inside:
            continue
        view, near = _view(ctx, sent, inside, cs, ce)
        cue = m.group()
        draft = _frame(CueSite(ctx, si, view, near, cs, ce, cue, cue.lower()), out)
        if draft is not None and not _cut(text, sent, view, draft):
            out.append(draft)
    return out


def _cut(text: str, sent: Sentence, view: Sentence, draft: Draft) -> bool:
    """Whether the draft's content reaches where the view cuts its sentence short."""
    if view.start > sent.start and draft.content_start <= view.start:
        return True
    return view.end < sent.end and draft.content_end >= trim_end(text, draft.content_start, view.end)


def _view(ctx: Context, sent: Sentence, inside: range, cs: int, ce: int) -> tuple[Sentence, range]:
    """The sentence as the cue sees it: cut to _REACH characters either side."""
    if cs - sent.start <= _REACH and sent.end - ce <= _REACH:
        return sent, inside
    start, end = sent.start, sent.end
    if cs - start > _REACH:
        start = cs - _REACH
        while start < cs and not ctx.text[start - 1].isspace():
            start += 1  # from the start of a word
    end = min(end, ce + _REACH)
    return Sentence(start, end, sent.paragraph), ctx.quotes.between(start, end)


def _frame(site: CueSite, earlier: list[Draft]) -> Draft | None:
    """The statement the cue makes: the first construction that fits (see the module's docstring);
    ``earlier`` are the sentence's statements so far."""
    if site.low in ("according to", "per"):
        return according_to(site)
    if _noun_not_cue(site):
        return None
    draft = quotation_then_cue(site)
    if draft is not None:
        return draft
    mention = left_mention(site.text, site.sent.start, site.start)
    if mention is not None and site.low.endswith("ing") and _SHARE_WORDS.search(mention.text):
        return None  # "with 64% saying …": a poll's finding, not someone's statement
    if mention is None:
        mention = _speaker_before_cue(site, earlier)
    if mention is not None:
        for frame in (cue_then_quotation, cue_colon_next_paragraph, as_source_said, said_mid_sentence,
                      said_that_clause):
            draft = frame(site, mention)
            if draft is not None:
                return draft
    return clause_then_said(site, mention)


def _noun_not_cue(site: CueSite) -> bool:
    """Whether the cue word is a noun or a name here: "the report", "his claims" ("a new poll shows"
    stays, "the poll's findings" goes); "Texas was called for Cruz", "a group called …"."""
    text, start, low = site.text, site.sent.start, site.low
    if low in _NOUN_FORMS and ends_with(_NOUN_BEFORE, text, start, site.start, 12):
        return True
    if low in _PASSIVE_FORMS and ends_with(_PASSIVE_BEFORE, text, start, site.start, 16):
        return True  # "was told to hand in the keys", "is accused by critics of …"
    if low.startswith("accus") and ends_with(_THING_THAT, text, start, site.start, 8) \
            and relative_speaker(site) is None:
        return True  # "a police citation that accused her of …": the thing is no speaker
    if not low.startswith("call"):
        return False
    if ends_with(_CALLED_BEFORE, text, start, site.start, 16):
        return True
    return low in _CALLED_ALONE and _called_by_name(site)


def _called_by_name(site: CueSite) -> bool:
    """ "a malware strain called Zephyr that …", "Kim called the police after …": "called" and the one
    thing named or phoned, with no quotation, "that" clause or second complement after it."""
    text, end = site.text, site.sent.end
    obj = OBJECT.match(text, site.end, end)
    if obj is None or obj.end() == site.end or _NO_COMPLEMENT.match(text, obj.end(), end) is None:
        return False
    # "called her vote in favor of the war a mistake": a second complement further on
    rest = _COMPLEMENT_SPAN.match(text, obj.end(), end)
    return rest is None or not _SECOND_COMPLEMENT.search(rest.group())


def _speaker_before_cue(site: CueSite, earlier: list[Draft]) -> Mention | None:
    """The speaker of a cue with no named mention right before it: the subject it shares with an
    earlier verb, a short loose phrase before "said that"/"said he", or "the X" before "says"."""
    mention = None
    if _coordinated(site.text, site.sent.start, site.start, site.low):
        if earlier:
            mention = earlier[-1].mention
        elif site.low.split()[0].endswith("ing"):
            mention = _clause_subject(site.text, site.sent, site.start)
        else:
            mention = _sentence_subject(site.text, site.sent)
    if mention is None:
        mention = relative_speaker(site)
    if mention is None:
        mention = _loose_speaker_before(site)
    if mention is None:
        mention = _the_head_says(site)
    return mention


def _loose_speaker_before(site: CueSite) -> Mention | None:
    """ "…, the campaign's new manager said that …": a phrase of at most 10 words from the comma or
    dash before the cue (or the sentence's start), when a clause follows."""
    text, sent, cs, ce = site.text, site.sent, site.start, site.end
    if not (_THAT_SOON.match(text, ce, sent.end) or _PRONOUN_NEXT.match(text, ce, sent.end)):
        return None
    lo = max(sent.start, cs - _CLAUSE_BACK)
    cut = max(text.rfind(",", lo, cs), text.rfind("—", lo, cs))
    if cut < 0 and lo != sent.start:
        return None  # the clause is too long for a loose phrase
    loose = loose_mention(text, max(cut, sent.start - 1) + 1, cs)
    if loose is not None and len(loose.text.split()) <= 10:
        return loose
    return None


def _the_head_says(site: CueSite) -> Mention | None:
    """ "The billionaire businessman says running for president is tough"."""
    text, sent, ce = site.text, site.sent, site.end
    if site.low not in ("says", "said", "told", "tells", "added", "adds") or \
            not _WORD_NEXT.match(text, ce, sent.end) or _PREP_NEXT.match(text, ce, sent.end):
        return None
    head = _the_head(text, sent.start, site.start)
    return loose_mention(text, head[0], head[1]) if head else None


def _the_head(text: str, start: int, cs: int) -> tuple[int, int] | None:
    """ "(…, )the billionaire businessman" ending at the cue: the span of the phrase, read from the
    last 240 characters (the phrase is five words)."""
    lo = max(start, cs - 240)
    if lo == start:
        m = _HEAD.search(text[start:cs])  # "^" is the sentence's start
        return (start + m.start(1), start + m.end(1)) if m else None
    m = _HEAD.search(text, lo, cs)  # in place, "^" cannot match: the sentence starts further left
    return (m.start(1), m.end(1)) if m else None


_ADVERB_BEFORE = re.compile(r"\b[a-z]{2,}ly\s*$")
_CONJUNCTION_BEFORE = re.compile(r"(?:\band|\bbut|\bthen)\s*(?:(?:also|later|then|\w+ly)\s*)?$")


def _coordinated(text: str, sent_start: int, cs: int, cue: str) -> bool:
    """ "X called … and said …", "X flipped his choice – saying …": the cue shares the sentence subject."""
    end = last_visible(text, sent_start, cs)
    if ends_with(_CONJUNCTION_BEFORE, text, sent_start, end, 64):
        return True
    if cue.split()[0] not in _PARTICIPLE_OK:
        return False
    adverb = _ADVERB_BEFORE.search(text, max(sent_start, end - 24), end)
    if adverb:  # "…, repeatedly calling for …"
        end = last_visible(text, sent_start, adverb.start())
    return end > sent_start and text[end - 1] in ",—–-"


_DATELINE = re.compile(r"[A-Z][A-Z .,'-]{2,40}(?:\([^)]{1,30}\))?\s*[-—–]+\s*")
_OPENING = re.compile(r"(?:(?:But|And|So|Yet|Still|Then|Now|Meanwhile|Later|Earlier|Instead)\b,?\s*)?"
                      r"(?:(?:In|On|At|During|After|Before|Since|For|With|Asked)\b[^,]{0,60},\s*)?")


# a clause joined to the sentence, whose subject a participle after it shares: "…, but OrbitBeyond
# canceled its order, citing …", "… when President Trump scuttled the talks, citing …"
_JOINED_CLAUSE = re.compile(r"(?:[,;]\s+|\b)(?:but|and|while|yet|so|when|after|because|since|before|"
                            r"though|although|until|as)\s+(?=[A-Z]|(?:he|she|they|it|we)\b)")
_SUBJECT_KINDS = ("person", "organisation", "pronoun", "group", "title")


def _clause_subject(text: str, sent: Sentence, cs: int) -> Mention | None:
    """The subject of the clause a participle at ``cs`` hangs on: the last joined clause's within 300
    characters before it, else the sentence's."""
    last = None
    for m in _JOINED_CLAUSE.finditer(text, max(sent.start, cs - 300), cs):
        last = m
    if last is not None:
        who = right_mention(text, last.end(), cs)
        if who is not None and who.kind in _SUBJECT_KINDS:
            return who
    return _sentence_subject(text, sent)


def _sentence_subject(text: str, sent: Sentence) -> Mention | None:
    start = sent.start
    dateline = _DATELINE.match(text, start, sent.end)
    if dateline:
        start = dateline.end()
    m = _OPENING.match(text, start, sent.end)
    if m:
        start = m.end()
    who = right_mention(text, start, sent.end)
    if who is None or who.kind not in ("person", "organisation", "pronoun", "group", "title"):
        return None
    return who
