"""Quotation constructions and the pieces of what was said (issue 9: statements with quotations
that were missed, and content spans too long or too short). Invented sentences only."""

from __future__ import annotations

from worker.statements import parse_statements


def _found(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(s.speaker, s.kind, tuple(text[a:b] for a, b in s.content_spans)) for s in parse_statements(text)]


def test_quotations_signed_off_by_a_dash_and_a_name_are_statements_of_that_name() -> None:
    text = ("Readers told us what the closure meant to them.\n\n"
            "“The ferry was the only way my mother could reach the clinic on time.” ― Ada Brennan\n"
            "”Nobody from the council asked the island what it needed, not once.”— Tomas Wirth.\n")
    found = _found(text)
    assert ("Ada Brennan", "direct",
            ("The ferry was the only way my mother could reach the clinic on time.",)) in found
    assert ("Tomas Wirth", "direct",
            ("Nobody from the council asked the island what it needed, not once.",)) in found


def test_a_quoted_transcript_gives_each_turn_to_its_speaker_over_its_paragraphs() -> None:
    text = ("Mayor Ada Brennan spoke to the radio host on Sunday. A partial transcript follows.\n\n"
            "\"HOST: Will the ferry run again this winter?\n\n"
            "\"BRENNAN: Yes, it will run twice a day from December. We found the money in the harbour "
            "budget.\n\n"
            "\"And the island will have its own seat on the ferry board.\n\n"
            "\"(LAUGHTER.)\n\n"
            "\"HOST: Thank you, Mayor.\n")
    found = _found(text)  # a transcript turn ends without its final stop, like an indirect clause
    assert ("HOST", "direct", ("Will the ferry run again this winter",)) in [
        (s.upper(), k, c) for s, k, c in found]
    brennan = [c for s, k, c in found if s == "Ada Brennan"]
    assert brennan == [("Yes, it will run twice a day from December. We found the money in the harbour budget.",
                        "And the island will have its own seat on the ferry board")]


def test_a_quotation_resumed_after_its_attribution_is_one_statement_in_two_pieces() -> None:
    # the attribution ends with a date ("Nov. 4."): a lone digit before a full stop is no initial
    text = ("The mayor spoke at the harbour.\n\n"
            "“We found the money in the harbour budget,” Reyes said on Nov. 4. “The ferry will run "
            "again in December.”\n\n"
            "“Will the island get a seat on the board?” Reyes asked. “It should, and it will.”\n")
    found = _found(text)
    assert ("Reyes", "direct", ("We found the money in the harbour budget,",
                                "The ferry will run again in December.")) in found
    assert ("Reyes", "direct", ("Will the island get a seat on the board?", "It should, and it will.")) in found
    assert len(found) == 2


def test_a_partial_quotation_inside_a_clause_gives_the_whole_clause() -> None:
    found = _found('The ferry was "the lifeline of the island," Reyes said.')
    assert found == [("Reyes", "mixed", ('The ferry was "the lifeline of the island,"',))]
    found = _found("With two boats out of service, “the crossing will take twice as long,” Reyes said.")
    assert found == [("Reyes", "mixed", ("With two boats out of service, “the crossing will take twice as long,”",))]


def test_a_quotation_opening_in_lower_case_finishes_the_clause_before_it() -> None:
    found = _found('Passengers "started to ask for a second boat," Reyes told the council.')
    assert found == [("Reyes", "mixed", ('Passengers "started to ask for a second boat,"',))]


def test_a_quotation_closed_by_a_comma_hands_the_sentence_on_to_another_attribution() -> None:
    text = "He phoned the harbour office.\n\nOn the call, he said, “somebody ought to sink that boat,” the police said."
    found = _found(text)
    assert ("he", "direct", ("somebody ought to sink that boat,",)) in found
    assert all("police said" not in " ".join(c) for _, _, c in found)


def test_a_quotation_resumes_after_the_person_told_or_a_participle_s_aside() -> None:
    text = ("The mayor spoke on Monday.\n\n"
            "“We will keep the ferry running,” Reyes said, referring to the winter timetable, “and we will "
            "add a second boat in spring.”\n\n"
            "“The money is there,” Holt told the council, “and the island has waited long enough.”\n\n"
            "“The boats are old,” Holt said, adding later, “but the crews are the best on the coast.”\n")
    found = _found(text)
    assert ("Reyes", "direct", ("We will keep the ferry running,", "and we will add a second boat in spring.")) in found
    assert ("Holt", "direct", ("The money is there,", "and the island has waited long enough.")) in found
    # a participle that reports speech makes a statement of its own
    assert ("Holt", "direct", ("The boats are old,",)) in found


def test_each_paragraph_of_a_long_quotation_goes_with_its_own_attribution() -> None:
    text = ("The ferry will not run this winter.\n\n"
            "“We tried everything to keep it,” Reyes said. “The council has let the island down.\n\n"
            "“The families who rely on it deserve an answer before Christmas,” Holt said.\n")
    found = _found(text)
    assert found == [
        ("Reyes", "direct", ("We tried everything to keep it,", "The council has let the island down.")),
        ("Holt", "direct", ("The families who rely on it deserve an answer before Christmas,",)),
    ]


def test_a_one_or_two_word_utterance_before_its_cue_is_a_statement() -> None:
    text = "The skipper looked up from the nets.\n\n“Still fishing?” Reyes asked.\n\n“I am,” the skipper said to her."
    found = _found(text)
    assert ("Reyes", "direct", ("Still fishing?",)) in found
    assert ("skipper", "direct", ("I am,",)) in [(s.split()[-1], k, c) for s, k, c in found]
    # a quoted term is no utterance
    assert all(c != ("Greenwashing",) for _, _, c in _found("“Greenwashing” is the word critics use, Reyes said."))


def test_the_reported_clause_stops_before_a_clause_the_reporter_adds() -> None:
    found = _found("Reyes said the ferry could carry more cars next year, but she did not say how many.")
    assert found[0][1:] == ("indirect", ("the ferry could carry more cars next year",))
    found = _found("Mayor Dana Holt said the harbour would close in May, a prospect the council rejected.")
    assert found[0][1:] == ("indirect", ("the harbour would close in May",))
