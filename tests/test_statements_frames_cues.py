"""Cue constructions (issue 9, error classes 3 and 8): "points out", a sentence-final "reported",
"agreed: CLAUSE", a semicolon before the attribution, passive "was told"/"is accused", and "called"
naming a thing or calling someone."""

from __future__ import annotations

import pytest

from worker.statements import parse_statements


def _found(text: str) -> list[tuple[str, str, str]]:
    return [(s.speaker, s.kind, s.content) for s in parse_statements(text)]


def _one(text: str, speaker: str, kind: str, content: str) -> None:
    found = _found(text)
    assert len(found) == 1, found
    assert speaker in found[0][0]
    assert found[0][1:] == (kind, content)


def test_points_out() -> None:
    _one("The engineer Maria Lund points out that the old bridge was never built for lorries.",
         "Maria Lund", "indirect", "the old bridge was never built for lorries")


@pytest.mark.parametrize("text", [
    "The ferry service will stop for the winter on Friday, reported Channel 9.",
    "The ferry service will stop for the winter on Friday, Reuters reported.",
])
def test_sentence_final_reported(text: str) -> None:
    found = _found(text)
    assert len(found) == 1, found
    assert found[0][1:] == ("indirect", "The ferry service will stop for the winter on Friday")


def test_weak_cue_then_colon_clause() -> None:
    _one("Mayor Jane Holt agreed: the river path must stay closed until the water falls.",
         "Jane Holt", "indirect", "the river path must stay closed until the water falls")


def test_semicolon_before_attribution() -> None:
    _one("“The river path will stay closed until the engineers are done”; Holt said.",
         "Holt", "direct", "The river path will stay closed until the engineers are done")


@pytest.mark.parametrize("text", [
    "Jane Holt was told to hand in the keys before the school closed for the summer.",
    "Jane Holt is accused by critics of closing the river path without asking anyone.",
    "Holt was asked whether the river path would reopen before the summer holidays.",
    "Holt was told by the engineers' lawyer to keep the river path shut for a week.",
])
def test_passive_is_no_cue(text: str) -> None:
    assert _found(text) == []


def test_accused_is_a_cue() -> None:
    _one("The union accused the company of cutting safety checks at the plant.",
         "union", "indirect", "the company of cutting safety checks at the plant")


@pytest.mark.parametrize("text", [
    "The attack came from a malware strain called Zephyr that hid in the printer drivers of the bank.",
    "It was a gang called Night Owls that broke into the shop on Sunday night.",
    "Kim called the police after the window of the shop was broken on Sunday night.",
])
def test_called_naming_or_phoning(text: str) -> None:
    assert _found(text) == []


def test_a_thing_that_accused_is_no_speaker() -> None:
    assert _found("Protesters held up a mock citation for the mayor that accused her of closing the path.") == []
