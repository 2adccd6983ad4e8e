"""The statement parser on plain text: the seed article (checked by hand) and one case per construction."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from worker.statements import SPEAKER_TYPES, Statement, parse_statements

DATA = Path(__file__).resolve().parent / "data" / "statements"


def check_offsets(text: str, found: list[Statement]) -> None:
    for s in found:
        assert s.content_spans and s.content == " ".join(text[a:b] for a, b in s.content_spans)
        last = s.content_start
        for a, b in s.content_spans:  # in order, disjoint, inside the envelope, trimmed
            assert last <= a < b <= s.content_end and text[a:b] == text[a:b].strip()
            last = b
        if s.speaker_start is not None:
            assert s.speaker_end is not None and s.speaker_start < s.speaker_end
        assert 0.0 <= s.confidence <= 1.0
        assert s.kind in ("direct", "indirect", "mixed")
        assert s.speaker_type in SPEAKER_TYPES


def test_seed_article_statements_as_written_by_hand() -> None:
    """Blinken five (three through "he", one through "The Secretary of State"), Stoltenberg three
    (two through "He"), Lavrov two, Russia two, NATO one ("It described …"); nothing from the
    related-story teaser or the comment form at the end."""
    text = (DATA / "seed_article.txt").read_text(encoding="utf-8")
    expected = json.loads((DATA / "seed_article.expected.json").read_text(encoding="utf-8"))
    found = parse_statements(text)
    check_offsets(text, found)
    got = [{"speaker": s.speaker, "speaker_type": s.speaker_type, "role": s.role,
            "mention": text[s.speaker_start:s.speaker_end] if s.speaker_start is not None else None,
            "cue": s.cue, "kind": s.kind, "content": s.content} for s in found]
    assert got == expected
    assert Counter(s.speaker for s in found) == {"Antony Blinken": 5, "Jens Stoltenberg": 3,
                                                  "Sergei Lavrov": 2, "Russia": 2, "NATO": 1}
    tail = text.index("VIDEO |")
    assert all(s.content_end < tail for s in found)


def one(text: str) -> Statement:
    found = parse_statements(text)
    check_offsets(text, found)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("text", "content"), [
    ('Jane Doe spoke on Monday. "We will rebuild the bridge by spring," Doe said.',
     "We will rebuild the bridge by spring,"),
    ("Jane Doe spoke on Monday. “We will rebuild the bridge by spring,” Doe said.",
     "We will rebuild the bridge by spring,"),
    ("Jane Doe spoke on Monday. „We will rebuild the bridge by spring,” Doe said.",
     "We will rebuild the bridge by spring,"),
    ("Jane Doe spoke on Monday. „Wir bauen die Brücke bis zum Frühling“, Doe said.",
     "Wir bauen die Brücke bis zum Frühling"),
    ("Jane Doe spoke on Monday. «Nous reconstruirons le pont,» Doe said.", "Nous reconstruirons le pont,"),
    ("Jane Doe spoke on Monday. ‹Wir bauen die Brücke wieder auf,› Doe said.",
     "Wir bauen die Brücke wieder auf,"),
    ("Jane Doe spoke on Monday. ‘We’re not going anywhere soon,’ Doe said.",
     "We’re not going anywhere soon,"),
    ("Jane Doe spoke on Monday. ''We will rebuild the bridge by spring,'' Doe said.",
     "We will rebuild the bridge by spring,"),
])
def test_quotation_marks(text: str, content: str) -> None:
    s = one(text)
    assert (s.speaker, s.content, s.kind, s.cue) == ("Jane Doe", content, "direct", "said")
    inside = text.index(content)
    assert s.content_spans == ((inside, inside + len(content)),)  # the marks are left out of the piece
    assert s.content_start < inside and text[s.content_end - 1] in "\"”“»›’'"  # not out of the envelope


def test_attribution_after_the_quote_with_an_appositive_role() -> None:
    s = one("“We will rebuild the bridge by spring,” said Jane Doe, the mayor of Springfield.")
    assert (s.speaker, s.role, s.speaker_type) == ("Jane Doe", "mayor of Springfield", "person")


def test_quote_split_by_the_attribution_is_one_statement() -> None:
    text = "“We are ready,” said coach Paul Smith. “The players have trained all summer for this.”"
    s = one(text)
    assert s.content == "We are ready, The players have trained all summer for this."
    assert (s.content_start, s.content_end) == (0, len(text)) and s.speaker == "Paul Smith" and s.kind == "direct"


def test_colon_introductions_in_the_sentence_and_before_a_paragraph() -> None:
    s = one('The minister, Ana Lopes, said: "The budget is balanced and the deficit is gone."')
    assert (s.speaker, s.role, s.content) == ("Ana Lopes", "minister",
                                              "The budget is balanced and the deficit is gone.")
    s = one("Governor Mike Green said in a statement:\n\n"
            "“The storm has passed but recovery will take months.”")
    assert (s.speaker, s.role) == ("Mike Green", "Governor")
    assert s.content == "The storm has passed but recovery will take months."


def test_quote_running_over_paragraphs() -> None:
    # each paragraph of a quotation running over paragraphs is said on its own (docs/statements.md):
    # the first goes with the attribution before it, the reopened one continues the same speaker
    text = ("Coach Lena Berg was emotional after the game.\n\n“I have never seen a team fight like this,” "
            "Berg said. “Every player gave everything.\n\n"
            "“We will remember this night for the rest of our lives.”")
    found = parse_statements(text)
    assert [(s.speaker, s.cue, s.content) for s in found] == [
        ("Lena Berg", "said", "I have never seen a team fight like this, Every player gave everything."),
        ("Lena Berg", None, "We will remember this night for the rest of our lives."),
    ]
    assert len(found[0].content_spans) == 2  # a piece either side of the attribution, no marks
    assert "\n\n" not in text[found[0].content_start:found[0].content_end]


def test_reported_speech_and_mixed() -> None:
    s = one("Senator Maria Ruiz said the bill would \"protect every family in the state\" from rising costs.")
    assert (s.kind, s.speaker, s.role) == ("mixed", "Maria Ruiz", "Senator")
    assert s.content == 'the bill would "protect every family in the state" from rising costs'
    s = one("The school will close for two weeks, the district said on Tuesday.")
    assert (s.kind, s.content) == ("indirect", "The school will close for two weeks")
    assert s.speaker_type == "organisation"


def test_according_to_before_and_after() -> None:
    found = parse_statements("According to police spokesman Dan Kiely, the driver was not injured in the "
                             "crash. The road reopened at noon, according to the city transport department.")
    assert [(s.speaker, s.role, s.content) for s in found] == [
        ("Dan Kiely", "police spokesman", "the driver was not injured in the crash"),
        ("city transport department", None, "The road reopened at noon"),
    ]


def test_attribution_in_the_next_sentence() -> None:
    s = one("“The numbers do not add up at all.” Finance Minister Omar Haddad said so on Tuesday.")
    assert (s.speaker, s.content, s.kind) == ("Omar Haddad", "The numbers do not add up at all.", "direct")


def test_floating_quote_continues_the_last_speaker_with_lower_confidence() -> None:
    text = ('Mayor John Reed said the city would appeal the ruling.\n\n'
            '"This decision ignores the facts and the law of this state."')
    first, floating = parse_statements(text)
    assert floating.speaker == "John Reed" and floating.cue is None and floating.speaker_start is None
    assert floating.confidence < first.confidence


def test_pronouns_surnames_and_titles_resolve_to_the_full_name() -> None:
    text = ("Dr. Sarah Kim leads the clinic, and economist Peter Vance advises it. She said the new wing "
            "would open in May. Vance said growth would slow. The economist added that costs were rising.")
    found = parse_statements(text)
    check_offsets(text, found)
    named = [(s.speaker, text[s.speaker_start:s.speaker_end]) for s in found if s.speaker_start is not None]
    assert named == [("Sarah Kim", "She"), ("Peter Vance", "Vance"), ("Peter Vance", "The economist")]


def test_unbalanced_quotes_never_lose_the_article() -> None:
    text = ('Officials said the talks had failed. "We tried everything, the envoy said.\n\n'
            "Later, spokesman Tom Reyes said the next round would start in June.")
    found = parse_statements(text)
    check_offsets(text, found)
    assert [s.speaker for s in found] == ["Officials", "Tom Reyes"]
    assert found[0].speaker_type == "group"  # a plural speaker (issue 9)


@pytest.mark.parametrize("text", ["", "   \n\n ", "No quotes, no cues here.", "“", "”", "„”", '"""', "said",
                                  "He said.", "“Unclosed " * 50, "x" * 10000])
def test_degenerate_input(text: str) -> None:
    check_offsets(text, parse_statements(text))
