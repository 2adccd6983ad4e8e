"""Speaker resolution: the fullest name the article gives, and the speaker's type (issue 9)."""

from __future__ import annotations

import pytest

from worker.statements import SPEAKER_TYPES, parse_statements


def speaker_of(text: str, content_word: str) -> tuple[str | None, str]:
    """(speaker, speaker type) of the statement whose content holds ``content_word``."""
    for s in parse_statements(text):
        if content_word in s.content:
            assert s.speaker_type in SPEAKER_TYPES
            return s.speaker, s.speaker_type
    raise AssertionError(f"no statement holds {content_word!r}")


CASES = [
    pytest.param(  # a newly introduced woman wins the next "she" over the earlier speaker
        "“The budget is a mess,” said Maria Lopez, the council treasurer.\n\n"
        "The hearing ran late into the night. Among those waiting was Dana Reyes, a student at the college.\n\n"
        "“Rents keep rising every single year,” she says.",
        "Rents", ("Dana Reyes", "person"), id="new-introduction-wins-pronoun"),
    pytest.param(  # a surname that is also a title word
        "Ann Bishop, a historian at the state university, has studied the archive for a decade.\n\n"
        "“Why would anyone burn these records?” Bishop asked.",
        "burn", ("Ann Bishop", "person"), id="surname-that-is-a-title"),
    pytest.param(  # "the former governor" → the governor named earlier
        "Gov. Helen Carter signed the bill in 2019 before leaving office.\n\n"
        "The former governor said the law had saved the state millions of dollars.",
        "saved", ("Helen Carter", "person"), id="former-governor"),
    pytest.param(
        "Mayor Tom Ruiz opened the new bridge on Monday.\n\n"
        "The former mayor said the project had run far over its budget.",
        "budget", ("Tom Ruiz", "person"), id="former-mayor-of-title"),
    pytest.param(  # stray word kept in the name
        "Elena Ramirez ran the shelter for years. Ramirez now says the shelter needs twice the beds.",
        "shelter needs", ("Elena Ramirez", "person"), id="stray-now"),
    pytest.param(  # a plural head noun makes a group
        "Officials said the road would reopen after the storm had passed.",
        "road", ("Officials", "group"), id="group-officials"),
    pytest.param(
        "Residents of the valley said the water had tasted of metal for weeks.",
        "water", ("Residents of the valley", "group"), id="group-residents"),
    pytest.param(  # an organisation described with "-based" is no person
        "Sacramento-based McClatchy said it would sell three of its newspapers this year.",
        "sell", ("McClatchy", "organisation"), id="based-organisation"),
    pytest.param(  # a suffix does not hide the surname
        "James P. Kennedy Jr. leads the office in Buffalo.\n\nKennedy said the case would go to trial in May.",
        "trial", ("James P. Kennedy Jr.", "person"), id="suffix-jr"),
]


@pytest.mark.parametrize(("text", "word", "expected"), CASES)
def test_speaker_resolution(text: str, word: str, expected: tuple[str, str]) -> None:
    assert speaker_of(text, word) == expected


def test_group_is_a_speaker_type() -> None:
    assert "group" in SPEAKER_TYPES
