"""Speaker resolution, round 2: how names, titles, roles and references are built (issue 9).
Invented sentences; each case failed before the change it pins."""

from __future__ import annotations

import pytest

from worker.statements import SPEAKER_TYPES, parse_statements


def statement_of(text: str, content_word: str) -> tuple[str | None, str, str, str]:
    """(speaker, speaker type, content, kind) of the statement whose content holds ``content_word``."""
    for s in parse_statements(text):
        if content_word in s.content:
            assert s.speaker_type in SPEAKER_TYPES
            return s.speaker, s.speaker_type, s.content, s.kind
    raise AssertionError(f"no statement holds {content_word!r}")


CASES = [
    pytest.param(  # a name with an article is a body's or a people's, not a person's: "it" takes it up
        "Two drones were downed near the border on Sunday.\n\n"
        "The Northern Militia, however, claimed the strike on the depot, which it said was a warning.",
        "was a warning", ("Northern Militia", "organisation", "was a warning", "indirect"),
        id="the-name-is-a-body"),
    pytest.param(
        "The Red Hand said the port would reopen within the month.",
        "port would reopen", ("Red Hand", "organisation", "the port would reopen within the month",
                              "indirect"),
        id="the-name-is-a-body-direct-cue"),
    pytest.param(  # "X issued a statement warning …": the speaker is the subject of "issued"
        "The Harbour Commission, which oversees the docks, issued a statement warning that "
        "fees would rise next year.",
        "fees would rise", ("Harbour Commission", "organisation", "fees would rise next year", "indirect"),
        id="issued-a-statement-warning"),
    pytest.param(
        "The governor put out a statement saying that the roads would stay closed.",
        "roads would stay", ("governor", "unknown", "the roads would stay closed", "indirect"),
        id="put-out-a-statement-saying"),
    pytest.param(  # a name after "and" in a body's name continues the body
        "Most families moved north, according to the Department of Parks and Green Spaces.",
        "families moved", ("Department of Parks and Green Spaces", "organisation",
                           "Most families moved north", "indirect"),
        id="body-name-joined-by-and"),
    pytest.param(  # the body a title is held in belongs to the role: "the X founder" finds its person
        "A court dropped the case against Brightleaf co-founder Mara Quist on Monday.\n\n"
        "The Brightleaf founder always argued that the charges were political.",
        "charges were", ("Mara Quist", "person", "the charges were political", "indirect"),
        id="body-before-title-is-the-role"),
    pytest.param(  # an appositive without an article, ending with a title, introduces a person too
        "“Rents are rising,” Ann Hale said.\n\n"
        "While the plan did not please Julia Marsh, county housing information officer, she said she hoped "
        "it would work for renters.",
        "work for renters", ("Julia Marsh", "person", "she hoped it would work for renters", "indirect"),
        id="bare-appositive-introduces"),
    pytest.param(  # a name written together with inner capitals is a company's: "the utility" takes it up
        "On Thursday, BrightVolt announced that it was cutting power to 40 homes. The outages are expected "
        "to last a week, the utility added.",
        "outages are", ("BrightVolt", "organisation", "The outages are expected to last a week", "indirect"),
        id="camel-case-name-is-a-company"),
    pytest.param(  # a possessive with the apostrophe alone ("Woods’ kitchen") still names the person
        "Lena Woods’ kitchen flooded last fall. Her landlord did nothing.\n\n"
        "“I called every week,” Woods said.",
        "called every", ("Lena Woods", "person", "I called every week", "direct"),
        id="possessive-apostrophe-alone"),
    pytest.param(  # "the statement" is the one a body was said to issue, not a later accuser's words
        "On Monday, Ridgeway Records issued a statement about the tour after Mina Clay publicly attacked "
        "the label, accusing it of blocking her concerts.\n\n"
        "The statement, which was seen by reporters, claimed that both sides had reached a deal.",
        "both sides", ("Ridgeway Records", "organisation", "both sides had reached a deal", "indirect"),
        id="the-statement-its-issuer"),
    pytest.param(  # a dateline in capitals is never a speaker, nor is an opening "Hours before …,"
        "DENVER, Colo. — Hours before the vote on Monday, council member Ana Ruiz defended the plan, "
        "saying it would cut costs.",
        "cut costs", ("Ana Ruiz", "person", "it would cut costs", "indirect"), id="dateline-and-time-opening"),
    pytest.param(  # a name right after the comma closing an opening clause is the sentence's subject
        "“The camps must go,” Mayor Tom Reed said on Monday. Crews from the public works department then cleared the camp where Luis "
        "Ortiz lived.\n\n"
        "On Friday morning, as the workers swept the block around him, Ortiz packed his bags. He said he "
        "had nowhere else to go.",
        "nowhere else", ("Luis Ortiz", "person", "he had nowhere else to go", "indirect"),
        id="subject-after-opening-clause"),
    pytest.param(  # a definite group taken up again ("the authors") is the group described in full before
        "The authors of the new survey argued that the rules had worked.\n\n"
        "Spending fell by a fifth over two years, the authors wrote.",
        "Spending fell", ("The authors of the new survey", "group", "Spending fell by a fifth over two years",
                          "indirect"),
        id="group-taken-up-by-its-head"),
]


@pytest.mark.parametrize(("text", "word", "expected"), CASES)
def test_speaker_resolution_round2(text: str, word: str, expected: tuple[str, str, str, str]) -> None:
    speaker, stype, content, kind = statement_of(text, word)
    want_speaker, want_type, want_content, want_kind = expected
    assert speaker is not None and want_speaker in speaker
    assert stype == want_type
    assert content.strip(" .,") == want_content
    assert kind == want_kind
