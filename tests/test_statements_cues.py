"""Cue words and the statements outside cue framing (issue 9, error classes 3, 7 and 8): verbs that
are not speech, labels and interview transcripts, and reporting verbs the parser did not know."""

from __future__ import annotations

import pytest

from worker.statements import parse_statements


def _found(text: str) -> list[tuple[str, str, str]]:
    return [(s.speaker, s.kind, s.content) for s in parse_statements(text)]


@pytest.mark.parametrize("text", [
    # a belief is not speech, and "It was at" is no speaker
    "It was at first believed that the fire had started in the kitchen of the old mill.",
    # a heading naming a topic: the story speaks of "flooding" in lower case
    "Flooding: Town closes river path\n\nHeavy flooding closed the river path on Monday, and the "
    "town will keep it shut until the water falls.",
    # a list label ends in a lone letter or number
    "Route B: Leave the car at the station and walk along the canal to the old mill.",
    # a contact line
    "Contact: Jane Holt, press office of the town council, on 555-0100.",
])
def test_no_statement(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(("text", "speaker", "content"), [
    ("The union accuses the company of cutting safety checks at the plant.",
     "union", "the company of cutting safety checks at the plant"),
    ("Analysts speculated that the merger would collapse before the summer.",
     "Analysts", "the merger would collapse before the summer"),
    ("Officer Dana Reyes related that the driver had fled on foot toward the river.",
     "Dana Reyes", "the driver had fled on foot toward the river"),
])
def test_new_cues(text: str, speaker: str, content: str) -> None:
    found = _found(text)
    assert len(found) == 1
    assert speaker in found[0][0]
    assert found[0][1:] == ("indirect", content)


def test_interview_questions_have_no_speaker_and_answers_are_the_interviewee_s() -> None:
    text = ("Mayor Jane Holt said the river path would stay shut for a week.\n\n"
            "Q: Why did the council close the river path this week?\n\n"
            "A: The water was too high and we could not keep people safe on it.\n\n"
            "Q: When will it reopen?  A: Once the engineers have checked every bridge on the route.")
    found = _found(text)
    assert ("unknown", "direct", "Why did the council close the river path this week") in found
    assert ("unknown", "direct", "When will it reopen") in found
    assert ("Jane Holt", "direct", "The water was too high and we could not keep people safe on it") in found
    assert ("Jane Holt", "direct", "Once the engineers have checked every bridge on the route") in found
    assert all(speaker != "Q" for speaker, _, _ in found)
    # an answer that itself reports speech is left to that report, which it would otherwise hide
    found = _found(text + "\n\nQ: Did anyone warn you?\n\n"
                   "A: The engineers told me that the second bridge could not take the weight.")
    assert ("engineers", "indirect", "the second bridge could not take the weight") in [
        (s.split()[-1], k, c) for s, k, c in found]


def test_a_lone_answer_label_without_questions_is_not_a_transcript() -> None:
    assert _found("A: The path is shut.\n\nB: The bridge is open to walkers and cyclists.") == []


def test_a_heading_names_a_topic_but_a_headline_names_its_speaker() -> None:
    body = "\n\nThe flooding closed the path, and the mayor spoke on Monday."
    assert _found("Flooding: Town closes the river path" + body) == []
    found = _found("Jane Holt: We will rebuild the river path before winter" + body)
    assert found == [("Jane Holt", "direct", "We will rebuild the river path before winter")]
