"""The project's own boilerplate pass over the blocks trafilatura keeps.

trafilatura decides which part of a page is the article; inside that part it still lets through
comment forms, share bars, newsletter and cookie prompts, related-story lists, "Read more:"
teasers and stand-alone image credits. This pass removes those block by block.

Rules only ever look at short blocks (a real paragraph that mentions "comment" or "share" is long
and is kept), match whole blocks or block openings rather than words inside sentences, and use
the few structural signals that survive extraction: position and block kind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """One top-level element of the extracted body."""

    kind: str  # trafilatura's tag: "p", "head", "list", "quote", "table", ...
    text: str


# Blocks longer than these are prose and are never judged boilerplate.
SHORT = 300
TEASER_MAX = 250
CREDIT_MAX = 120


def _norm(text: str) -> str:
    """Lower-case, one space between words, no surrounding punctuation or bullets."""
    text = re.sub(r"\s+", " ", text).strip().lower()
    return text.strip(" \t-–—•|:;.,!?…*»«>\"'“”„()[]")


def _phrases(*items: str) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(items) + ")")


# Whole-block phrases of comment forms and comment sections (several languages, cheaply).
COMMENT_FORM = _phrases(
    r"please enter your (comment|name here|email address here)",
    r"you have entered an incorrect email address",
    r"post (a )?comment", r"leave a (reply|comment|response)( cancel reply)?", r"cancel reply",
    r"(add|write|submit|post) (a |your )?(comment|reply|response)s?", r"comments?", r"reply",
    r"(no|show|view|load|read|see|hide) (all )?(\d+ )?comments?", r"\d+ (comments?|responses?|replies)",
    r"be the first to comment( on this article)?", r"join the (conversation|discussion)",
    r"(you must be )?log(ged)? in to (post a )?comment", r"comments are closed",
    r"(what do you think|tell us what you think)",
    r"(lasă|lasa|adaugă|adauga|scrie) un comentariu", r"comentari(i|ul|u)", r"\d+ comentarii",
    r"laisser un commentaire", r"commentaires?", r"kommentar(e| schreiben| verfassen)?",
    r"deja (un|tu) comentario", r"deixe (um|seu) comentário", r"coment[aá]rios?",
    r"lascia un commento", r"commenti",
)
# Openings of comment-form fine print, whatever follows.
COMMENT_FINE_PRINT = re.compile(
    r"(save my name,? e-?mail,? and website in this browser|your email address will not be published"
    r"|required fields are marked|notify me of (follow-up comments|new posts)"
    r"|this site uses akismet|you must be logged in to post)"
)

SOCIAL = {
    "facebook", "twitter", "x", "whatsapp", "pinterest", "linkedin", "reddit", "telegram", "messenger",
    "viber", "vk", "flipboard", "pocket", "tumblr", "instagram", "youtube", "email", "e-mail", "mail",
    "sms", "print", "tweet", "share", "pin", "copy", "link", "sharethis",
}
SHARE_FILLER = {
    "on", "via", "this", "article", "story", "post", "page", "it", "send", "to", "the", "and", "by",
    "with", "us", "follow", "like", "shares", "url", "partager", "teilen", "compartir", "partilhar",
    "distribuie", "trimite", "pe", "sur", "auf", "en", "no", "em", "imprimir", "drucken", "imprimer",
}
SHARE_PROMPT = re.compile(
    r"(share (it|this( article| story| post)?) with (a friend|your friends)"
    r"|^like this|^share this( article| story| post)?$"
    r"|^(sharing|share) (is caring|options))"
)
FOLLOW_US = re.compile(r"\bfollow (us|\S+( \S+){0,3}) (on|@)")

NEWSLETTER = re.compile(r"\b(newsletters?|inbox|mailing list)\b")
SIGN_UP = re.compile(
    r"\b(sign(ing)? up|subscrib\w*|register|get (the|our)|delivered|abon\w*|inscri\w*|anmelden)\b"
)
COOKIES = re.compile(r"\bcookies?\b")
CONSENT = re.compile(r"\b(accept|consent|agree|privacy|policy|we use|this (web)?site uses|settings)\b")
# Page furniture that sits inside the article container: reading time, tag and category lines.
FURNITURE = re.compile(
    r"((reading|read) time|tempo de leitura|temps de lecture|lesezeit|timp de citire"
    r"|tiempo de lectura)\b.{0,25}"
    r"|\d+ min(ute)?s? read|(filed under|tags?|tagged( with)?|categories|category|posted in)\s*:.{0,150}"
)
COPYRIGHT = re.compile(r"^(©|\(c\)|copyright\b)|\ball rights reserved\b")

# Headings of related, recommended and most-read lists.
RELATED_HEADING = _phrases(
    r"related",
    r"related (posts?|articles?|stories|story|news|content|coverage|links|topics|reading|videos?)",
    r"more", r"more (from|on|in|about) .{1,40}", r"more (stories|news|articles|headlines|videos?)",
    r"most (read|popular|viewed|shared|commented|watched)", r"popular( (posts|articles|now|stories))?",
    r"trending( now| stories)?", r"you (may|might) (also )?(like|enjoy|be interested in)",
    r"recommended( for you| stories| articles| reading)?", r"(what to )?read next", r"up next",
    r"(don'?t|do not) miss", r"(also|must) read", r"read (also|more)", r"see (also|more)",
    r"more on this (story|topic)", r"top stories", r"editor'?s picks", r"in other news",
    r"latest (news|stories)",
    r"(cite[sș]te|vezi) [sș]i", r"articole (similare|recomandate)", r"cele mai (citite|noi)",
    r"(à |a )?lire aussi", r"les plus lus", r"sur le même sujet", r"mehr zum thema", r"meistgelesen",
    r"das könnte sie auch interessieren", r"(leia|veja) (também|mais)", r"mais lidas",
    r"(lee|lea|ver) también", r"más leídas", r"not[ií]cias relacionadas", r"articoli correlati",
    r"più letti",
)
# "Read more: …", "VIDEO | …", "ALSO READ: …": a label, a separator, then a headline.
TEASER_LABEL = (
    r"(read more|read also|also read|read next|more|see more|see also|related( post| story| article)?"
    r"|watch|video|videos|photos?"
    r"|gallery|listen|podcast|live|also on \S+"
    r"|(cite[sș]te|vezi) (și|si|also)|vezi video|citeste|(à |a )?lire aussi|lesen sie auch|mehr dazu"
    r"|(leia|veja) (também|mais)|(lee|lea|ver) también|leer más|leggi anche)"
)
TEASER = re.compile(TEASER_LABEL + r"\s*(:|\||»|>|–|—| - )\s*\S")
TEASER_TAG = re.compile(
    r"\[(video|pics|photos?|gallery|insight|reaction|latest|news|watch|poll|analysis|live|revealed)\]\W*$"
)

# Stand-alone image credits and captions: "Sursa: Flickr", "Photo: Reuters", "(Getty Images)".
CREDIT = re.compile(
    r"(photo|photos|photograph|image|images|picture|pictured|foto|fotos|fotó|sursa|sursă|source|sources"
    r"|quelle|fonte|fuente|credit|credits|photo credit|image credit|illustration|ilustra[tț]ie|bild"
    r"|video)\s*(:|©|\||/)\s*[^.!?]{1,60}"
)
AGENCY_CREDIT = re.compile(
    r"(getty images|reuters|afp|ap photo|associated press|shutterstock|istock(photo)?|epa|flickr"
    r"|unsplash|wikimedia commons|via (twitter|facebook|instagram))\W*$"
)


def _is_share_bar(norm: str) -> bool:
    words = re.findall(r"[\w@'-]+", norm)
    if not words or len(words) > 20:
        return False
    return all(w in SOCIAL or w in SHARE_FILLER or w.isdigit() for w in words) and any(
        w in SOCIAL for w in words
    )


def is_comment_marker(text: str) -> bool:
    """A block that opens or belongs to a comment form or a readers' comments section."""
    norm = _norm(text)
    if len(norm) > SHORT:
        return False
    return bool(COMMENT_FORM.fullmatch(norm) or COMMENT_FINE_PRINT.match(norm))


def is_related_heading(text: str) -> bool:
    norm = _norm(text)
    return len(norm) <= 60 and bool(RELATED_HEADING.fullmatch(norm))


def is_boilerplate(text: str) -> bool:
    """Whether one block, judged alone, is boilerplate rather than article text."""
    norm = _norm(text)
    if not norm:
        return True
    if len(norm) > SHORT:
        return False
    if is_comment_marker(text) or is_related_heading(text) or _is_share_bar(norm):
        return True
    if SHARE_PROMPT.search(norm) or (len(norm) <= 200 and FOLLOW_US.search(norm) and _mentions_social(norm)):
        return True
    if (NEWSLETTER.search(norm) and SIGN_UP.search(norm)) or (COOKIES.search(norm) and CONSENT.search(norm)):
        return True
    if len(norm) <= 150 and (COPYRIGHT.search(norm) or FURNITURE.fullmatch(norm)):
        return True
    if len(norm) <= TEASER_MAX and (TEASER.match(norm) or TEASER_TAG.search(text.lower())):
        return True
    if len(norm) > CREDIT_MAX:
        return False
    return bool(CREDIT.fullmatch(norm) or (len(norm.split()) <= 6 and AGENCY_CREDIT.search(norm)))


def _mentions_social(norm: str) -> bool:
    return any(w in SOCIAL for w in re.findall(r"[\w-]+", norm))


def _is_list_item_like(block: Block) -> bool:
    """A block that looks like an entry of a related list: a list, or a short headline."""
    if block.kind == "list":
        return True
    return len(block.text) <= 160 and not re.search(r"[.!?…\"”»]$", block.text.strip())


def clean_blocks(blocks: Sequence[Block], title: str | None = None) -> list[Block]:
    """The blocks of an article body without the boilerplate among them, in order."""
    kept: list[Block] = []
    title_norm = _norm(title or "")
    skipping_related = False
    for index, block in enumerate(blocks):
        if skipping_related:
            if _is_list_item_like(block) and not is_comment_marker(block.text):
                continue
            skipping_related = False
        if is_comment_marker(block.text) and index >= len(blocks) // 2:
            break  # a comment section: nothing after it is article
        if is_related_heading(block.text):
            skipping_related = True
            continue
        if title_norm and _norm(block.text) == title_norm and (not kept or block.kind == "head"):
            continue  # the headline repeated as the first block
        if is_boilerplate(block.text):
            continue
        kept.append(block)
    while kept and kept[-1].kind == "head":
        kept.pop()  # a heading left with nothing under it
    return kept
