"""Reporting cues the parser missed (issue 9, missing cues): verbs with a noun-phrase object, participles
after a comma, source adverbials ("As X reports", "per X"), relative speakers and a second speaker's
clause joined to the sentence. Every sentence here is invented."""

from __future__ import annotations

import pytest

from worker.statements import parse_statements


def _found(text: str) -> list[tuple[str, str, str]]:
    return [(s.speaker, s.kind, s.content) for s in parse_statements(text)]


@pytest.mark.parametrize(("text", "speaker", "content"), [
    # a statement-like noun phrase, however short, ends before the adjuncts after it
    ("The ferry operator denied the allegations in a statement on Friday.",
     "ferry operator", "the allegations"),
    ("Mayor Lena Okafor has denied both charges.", "Lena Okafor", "both charges"),
    ("The council flat-out rejected the proposal at the time.", "council", "the proposal"),
    ("The mill owner acknowledged serious safety lapses Thursday.", "mill owner", "serious safety lapses"),
    ("Senator Dale Brook has claimed victory as the polls closed.", "Dale Brook", "victory"),
    # the noun goes on through its complement clause
    ("Ruiz disputed the idea that he had ever met the contractor.",
     "Ruiz", "the idea that he had ever met the contractor"),
    # a company reporting its figures
    ("Harbor Foods reported a loss of $12 million for the quarter.",
     "Harbor Foods", "a loss of $12 million for the quarter"),
    ("The CDC assured the public on its website that the water was safe to drink.",
     "CDC", "the water was safe to drink"),
])
def test_noun_phrase_objects(text: str, speaker: str, content: str) -> None:
    found = _found(text)
    assert len(found) == 1, found
    assert speaker in found[0][0]
    assert found[0][1:] == ("indirect", content)


@pytest.mark.parametrize("text", [
    "The striker claimed the title in the final round of the tournament.",
    "The winger added three assists to lead the home side.",
    "The committee concluded its second public hearing on the dam project.",
    "A state audit report released last year found gaps in the ledger.",
    # a passive "denied" is a refusal, not a denial
    "Kowalski was denied bail by the magistrate on Monday.",
])
def test_objects_that_are_no_statement(text: str) -> None:
    assert _found(text) == []


def test_a_clause_after_deny_stays_a_clause() -> None:
    found = _found("The builder denied the cracks were caused by the new foundations.")
    assert found == [("builder", "indirect", "the cracks were caused by the new foundations")] or (
        found and found[0][2] == "the cracks were caused by the new foundations")


@pytest.mark.parametrize(("text", "speaker", "content"), [
    ("Northwind Air scrapped the route two weeks later, citing weak bookings over the winter.",
     "Northwind Air", "weak bookings over the winter"),
    ("Mila Storm criticised her old label, accusing the firm of blocking her new album.",
     "Mila Storm", "the firm of blocking her new album"),
    ("Olsen grilled the warden for an hour, repeatedly calling for a full account of the escape.",
     "Olsen", "a full account of the escape"),
    # the participle hangs on the nearest clause, not on the sentence's first subject
    ("The board hired two firms for the job, but Eastgate withdrew its bid a month later, citing staff "
     "shortages.", "Eastgate", "staff shortages"),
])
def test_participles_after_a_comma(text: str, speaker: str, content: str) -> None:
    found = [f for f in _found(text) if f[2] == content]
    assert len(found) == 1, _found(text)
    assert speaker in found[0][0]


@pytest.mark.parametrize(("text", "speaker", "content"), [
    ("As Mara Linde reports for the Courier, the bridge will stay closed until the spring.",
     "Mara Linde", "the bridge will stay closed until the spring"),
    ("Yet, as Dr. Osei observed, the patients who walked daily recovered faster.",
     "Osei", "the patients who walked daily recovered faster"),
    ("The beetle, per the Forestry Commission, is mostly found in older oak trees.",
     "Forestry Commission", "The beetle is mostly found in older oak trees"),
])
def test_source_adverbials(text: str, speaker: str, content: str) -> None:
    found = _found(text)
    assert len(found) == 1, found
    assert speaker in found[0][0]
    assert found[0][1:] == ("indirect", content)


@pytest.mark.parametrize("text", [
    # "as" with an object after the verb is no source: she shows a place, not a statement
    "The family waits as Ruth shows the visitors the old barn by the river, where they lived, on Sunday.",
    # "per" before a thing, or a rate
    "A third of the fund, per the Okafor plan, is kept in bonds.",
    "Tickets cost $5 per Person on weekdays.",
])
def test_adverbials_that_name_no_source(text: str) -> None:
    assert _found(text) == []


def test_the_antecedent_of_which_speaks() -> None:
    found = _found("The fisherman faces extradition to Norway, which accuses him of smuggling rare eels.")
    assert len(found) == 1
    assert found[0] == ("Norway", "indirect", "him of smuggling rare eels")


def test_a_second_speaker_s_clause_ends_the_first() -> None:
    found = _found("The minister stressed that the reforms were not finished, and opposition leaders "
                   "warned that the deadline would slip.")
    assert ("minister", "indirect", "the reforms were not finished") in [
        (s.split()[-1], k, c) for s, k, c in found]
    assert any(c == "the deadline would slip" for _, _, c in found)


def test_according_to_in_the_middle_of_the_sentence() -> None:
    found = _found("One of the pilots, according to flight logs, had flown three night shifts in a row.")
    assert found == [("flight logs", "indirect", "One of the pilots had flown three night shifts in a row")]


def test_said_according_to_gives_the_clause_to_who_said_it() -> None:
    found = _found("There is no sign the two outbreaks are linked, the provincial health office said, "
                   "according to the Gazette.")
    assert len(found) == 1
    assert "health office" in found[0][0]
    assert found[0][2] == "There is no sign the two outbreaks are linked"
