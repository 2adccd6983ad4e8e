"""Speaker phrases the parser has to read past: time words and asides between the speaker and the
cue, indefinite speakers ("one", "others", "someone"), sentence-opening adverbs that are no
speaker, and an unattributed quotation right after a new person is introduced (issue 9)."""

from __future__ import annotations

import pytest
from test_statements_resolution import speaker_of

from worker.statements import parse_statements

CASES = [
    pytest.param(
        "Ms. Ana Okafor chairs the finance committee. Ms. Okafor last week said the budget would not pass.",
        "budget", ("Ana Okafor", "person"), id="time-words-last-week"),
    pytest.param(
        "The rains flooded the lower town. Officials this week said the levee would be repaired by June.",
        "levee", ("Officials", "group"), id="time-words-this-week"),
    pytest.param(
        "The agency, however, said the water was safe to drink after boiling.",
        "water", ("agency", "organisation"), id="aside-however"),  # a body, named without the article
    pytest.param(
        "Two residents spoke to reporters. One, who asked not to be named, said: "
        "“We have been waiting for help for three weeks now.”",
        "waiting", ("One", "person"), id="one-who-asked-not-to-be-named"),  # one human
    pytest.param(
        "“The bridge will not open before the winter storms arrive,” said someone at the meeting.",
        "bridge", ("someone", "person"), id="said-someone"),  # one human
    pytest.param(
        "The mayor backed the plan, but others said the cost would be far too high for the town.",
        "cost", ("others", "group"), id="others-said"),
    pytest.param(
        "Kim Lowe voted against the plan, and fellow board members warned that the deficit would grow.",
        "deficit", ("board members", "group"), id="board-members-are-a-group"),
    pytest.param(
        "“We are not leaving,” said Tom Baker, a farmer. The council then hired Dana Reyes, an engineer "
        "from Leeds. “The dam can hold for another ten years at least.”",
        "dam", ("Dana Reyes", "person"), id="quote-after-introduction"),
]


@pytest.mark.parametrize(("text", "word", "expected"), CASES)
def test_speaker_phrase(text: str, word: str, expected: tuple[str, str]) -> None:
    assert speaker_of(text, word) == expected


@pytest.mark.parametrize("text", [
    "Only tell the police if the water rises above the second step of the house.",
    "Please tell the police if the water rises above the second step of the house.",
    "Only call the hotline if the water rises, and say that you live near the river.",
])
def test_sentence_opening_adverb_is_no_speaker(text: str) -> None:
    assert [s.speaker for s in parse_statements(text) if s.speaker in ("Only", "Please", "Just")] == []


def test_older_speaker_keeps_quote_without_new_introduction() -> None:
    text = ("“We are not leaving,” said Tom Baker, a farmer from the valley. "
            "“The dam can hold for another ten years at least.”")
    assert speaker_of(text, "dam") == ("Tom Baker", "person")
