"""Speaker resolution, more constructions (issue 9): organisations referred back by a description,
a document they issued, an abbreviation or the first word of their name; the head of a speaker
phrase rather than the body in its apposition; titles and pronouns resolved to the right person."""

from __future__ import annotations

import pytest

from worker.statements import parse_statements


def statement_with(text: str, content_word: str):
    for s in parse_statements(text):
        if content_word in s.content:
            return s
    raise AssertionError(f"no statement holds {content_word!r}")


CASES = [
    pytest.param(  # a body described by its kind of business, after it spoke by name
        "Stirling Harbour Securities cut its forecast for the year, Stirling Harbour Securities said on Monday.\n\n"
        "A longer drought could hurt farm incomes, the brokerage said.",
        "drought", ("Stirling Harbour Securities", "organisation"), id="the-brokerage"),
    pytest.param(  # "the production company" → the company named before, not a new body
        "Greyfield Productions denied that it had signed a deal with the band.\n\n"
        "“We never agreed to any of this,” the production company said in a statement.",
        "never agreed", ("Greyfield Productions", "organisation"), id="the-production-company"),
    pytest.param(  # a description with no body named before is still an organisation
        "The agency, however, said the water was safe to drink after boiling.",
        "water", ("agency", "organisation"), id="agency-alone"),
    pytest.param(  # "the statement" speaks for the body that issued it
        "The port authority said in a statement on Friday that two cranes had failed.\n\n"
        "“The cause of the failure is being investigated,” the statement said.",
        "cause of the failure", ("port authority", "organisation"), id="the-statement-said"),
    pytest.param(  # the document's issuer stood as the subject of "issued a statement"
        "On Monday, Marlow Records issued a statement about the tour.\n\n"
        "The statement, which was seen by reporters, claimed that every show would go ahead.",
        "every show", ("Marlow Records", "organisation"), id="statement-which-was-seen"),
    pytest.param(  # an abbreviation defined in brackets
        "The Federal Rail Safety Board (FRSB) opened an inquiry into the derailment.\n\n"
        "The FRSB said the track had been inspected in March.",
        "inspected", ("Federal Rail Safety Board", "organisation"), id="abbreviation-in-brackets"),
    pytest.param(  # an abbreviation of the later capitalised words of a longer name, with a modifier
        "The Danish Institute for Marine Research published the survey on Tuesday.\n\n"
        "The Danish IMR said cod stocks had fallen for a third year.",
        "cod stocks", ("Danish Institute for Marine Research", "organisation"), id="abbreviation-of-a-name"),
    pytest.param(  # the first word of a body's name
        "The investment firm Halvard Capital owns eleven papers in the region.\n\n"
        "Halvard on Tuesday announced that it had bought a twelfth.",
        "twelfth", ("Halvard Capital", "organisation"), id="first-word-of-a-body"),
    pytest.param(  # the fullest name the text gives a body it later names by one word
        "Rivers like Brandt Co. cannot escape the slump.\n\n"
        "Brandt said its debts had grown too large to pay.",
        "debts", ("Brandt Co.", "organisation"), id="fullest-body-name"),
    pytest.param(  # the person heading the phrase, not the body in the apposition
        "Capt. Nora Fielding, a spokesperson for Operation Northern Shield, the naval mission in the "
        "Baltic, told reporters that the ships had left port.",
        "ships", ("Nora Fielding", "person"), id="spokesperson-for-body"),
    pytest.param(  # a body whose name holds "&" in the apposition
        "Owen Marsh, president of Pike & Quill, a design agency in Leeds, said the campaign was too loud.",
        "campaign", ("Owen Marsh", "person"), id="president-of-and-body"),
    pytest.param(  # a name that starts like a pronoun
        "“What would make them sign now?” said He Wenbo, a former trade official.",
        "sign now", ("He Wenbo", "person"), id="name-like-a-pronoun"),
    pytest.param(  # "the president": who holds the title alone, not the president of a bank
        "When President Ada Morel’s aides proposed the plan, she agreed.\n\n"
        "“Rates will stay where they are,” said Jonas Brill, the president of the central bank.\n\n"
        "The president says the tariffs have worked.",
        "tariffs", ("Ada Morel", "person"), id="the-president"),
    pytest.param(  # a person known only by honorific and surname
        "Mr. Okonkwo met the delegation on Monday.\n\nHe said the talks would resume in spring.",
        "resume", ("Okonkwo", "person"), id="honorific-surname"),
    pytest.param(  # "it": the organisation standing as its own sentence's subject
        "The Defence Ministry said the crash was an accident.\n\n"
        "The Liberation Army, however, claimed the attack, which it said had used two drones.",
        "two drones", ("Liberation Army", "organisation"), id="it-own-subject"),
    pytest.param(  # a person in an opening prepositional phrase is not the next "she"
        "Maria Lund, the senator, has refused to answer her critics.\n\n"
        "However, during an interview with host Toivo Ek on the radio, she explained that the bill had failed.",
        "bill had failed", ("Maria Lund", "person"), id="opening-prepositional-phrase"),
    pytest.param(  # an adverb after the subject is no part of the speaker
        "The Belltower Group sued the band in May.\n\nThe company flat-out denied that it owed any royalties.",
        "royalties", ("Belltower Group", "organisation"), id="adverb-after-subject"),
    pytest.param(  # "continues to" before the cue is no part of the speaker
        "Ms. Varga met the farmers on Monday. Ms. Varga continues to insist the subsidies will return.",
        "subsidies", ("Varga", "person"), id="continues-to"),
    pytest.param(  # an unnamed speaker taken up again by a definite title
        "A Harbor Air spokesperson told reporters that the claim was unfounded.\n\n"
        "“We comply with every rule,” the spokesperson said in a statement.",
        "comply", ("Harbor Air spokesperson", "person"), id="the-spokesperson-again"),
    pytest.param(  # a family name written first
        "Wu Tianming, a nurse at the county clinic, wrote about the outbreak on Sunday.\n\n"
        "Wu explained that the cases had been confirmed by the laboratory.",
        "laboratory", ("Wu Tianming", "person"), id="family-name-first"),
    pytest.param(  # a surname named in full only further on (an update placed on top)
        "Update: Keane said she would appeal the ruling.\n\n"
        "Earlier: A judge ruled against Sara Keane on Monday, ending her bid for the seat.",
        "appeal", ("Sara Keane", "person"), id="full-name-further-on"),
]


@pytest.mark.parametrize(("text", "word", "expected"), CASES)
def test_speaker(text: str, word: str, expected: tuple[str, str]) -> None:
    s = statement_with(text, word)
    assert (s.speaker, s.speaker_type) == expected


def test_someone_is_a_person_with_content() -> None:
    s = statement_with("“The bridge will not open before the winter,” said someone at the meeting.", "bridge")
    assert (s.speaker, s.speaker_type, s.kind) == ("someone", "person", "direct")
    assert s.content == "The bridge will not open before the winter,"


def test_the_statement_content_and_kind() -> None:
    s = statement_with("The port authority said in a statement on Friday that two cranes had failed.\n\n"
                       "“The cause is being investigated,” the statement said.", "cause")
    assert (s.speaker, s.kind, s.content) == ("port authority", "direct", "The cause is being investigated,")
