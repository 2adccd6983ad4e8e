"""Statements the parser missed on real news (issue 9, recall): sentence-final attributions with a
long speaker phrase or tail, and (below) further constructions. Every sentence here is invented."""

from __future__ import annotations

import pytest

from worker.statements import parse_statements


def _found(text: str) -> list[tuple[str, str, str]]:
    return [(s.speaker, s.kind, s.content) for s in parse_statements(text)]


@pytest.mark.parametrize(("text", "speaker", "content"), [
    # a relative clause or appositive of any length after a sentence-final speaker
    ("Higher duties have also hurt the harbour towns after years of decline, said Ann Paul, who heads "
     "the Coastal Trade Council, a group that has long opposed most of the new tariff rules.",
     "Ann Paul", "Higher duties have also hurt the harbour towns after years of decline"),
    # a participial adjunct after the cue: the clause before it is what was said
    ("Once the first tablets shipped, nurses began using them on the wards, forcing the maker to adapt "
     "quickly, Dana Ruiz said while visiting a trade fair in Leeds.",
     "Dana Ruiz", "Once the first tablets shipped, nurses began using them on the wards, forcing the "
     "maker to adapt quickly"),
    # a long organisation name whose tail ("the Northern District of Ohio") is a name of its own
    ("Carl Benning, 61, of Marlow, pleaded guilty to mailing threats to a county judge, the U.S. Attorney’s "
     "Office for the Northern District of Ohio said in a statement.",
     "Office", "Carl Benning, 61, of Marlow, pleaded guilty to mailing threats to a county judge"),
])
def test_sentence_final_attribution(text: str, speaker: str, content: str) -> None:
    found = _found(text)
    assert len(found) == 1, found
    assert speaker in found[0][0]
    assert found[0][1:] == ("indirect", content)


def test_a_statement_inside_a_clause_of_another_is_kept() -> None:
    # the inner speaker is named inside an adjunct clause of what the outer speaker said: both count
    text = "Mayor Ana Ruiz said she closed the pier in March, after the Harbour Board told reporters the pilings had rotted."
    found = _found(text)
    assert [(s, c) for s, _, c in found] == [
        ("Ana Ruiz", "she closed the pier in March, after the Harbour Board told reporters the pilings had rotted"),
        ("Harbour Board", "the pilings had rotted"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # the inner speaker is the subject of what was said: reported only as part of it
        "Ruiz says the Harbour Board said the pilings had rotted.",
        "According to the harbour master, the Harbour Board said the pilings had rotted.",
        # an intention, not speech, inside a clause
        "Ruiz said she would reopen the pier if the Harbour Board pledged to repair the pilings.",
    ],
)
def test_a_subject_or_intention_inside_a_statement_stays_part_of_it(text: str) -> None:
    assert len(_found(text)) == 1, _found(text)


def test_a_group_subject_with_a_short_adjunct_before_that() -> None:
    # "claimed at the time that": three adjunct words between the cue and "that"
    found = _found("Both divers claimed at the time that they were never told about the storm.")
    assert found == [("Both divers", "indirect", "they were never told about the storm")]


def test_a_dash_and_but_it_ends_the_reported_clause() -> None:
    # "— but it's …" after the reported clause is the reporter's comment
    found = _found("Okafor said the ferry would sail on Monday — but it’s unclear whether the crew will return.")
    assert found == [("Okafor", "indirect", "the ferry would sail on Monday")]


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        # a named source "reported" a clause without "that"
        ("The Daily Ledger reported the mayor had resigned.", "Daily Ledger", "the mayor had resigned"),
    ],
)
def test_a_named_source_reports_a_clause(text: str, speaker: str, content: str) -> None:
    assert _found(text) == [(speaker, "indirect", content)]


def test_a_report_inside_a_clause_of_another_statement_is_kept() -> None:
    text = "Volker said he raised it in August, after the Daily Ledger reported the grant had been frozen."
    assert [c for _, _, c in _found(text)] == [
        "he raised it in August, after the Daily Ledger reported the grant had been frozen",
        "the grant had been frozen",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "About 40 pupils in the district were reported to be absent in May.",  # a passive: no speaker
        "The guard reported for duty at noon.",
        "Dana Ruiz reported from Leeds, and Omar Kent from Hull.",  # a byline
    ],
)
def test_reported_without_a_speaker_or_a_clause(text: str) -> None:
    assert _found(text) == []
