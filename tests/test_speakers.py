"""The speaker matching rules (worker/speakers) on plain values: which names are one speaker, which
are none, what an article defines, what `--speaker NAME` looks up. No database."""

from __future__ import annotations

import pytest

from db.records import SpeakerRef
from worker.speakers import (
    abbreviations,
    article_speakers,
    junk_reason,
    key,
    person_name,
    speaker_query,
    speaker_ref,
)

TRUMPS = ["Donald Trump", "Trump", "President Trump", "Donald J. Trump", "Mr. Trump", "President Donald J. Trump",
          "Donald John Trump", "TRUMP"]


def people_key(name: str) -> str:
    person = person_name(name)
    assert person is not None, name
    return person.key


def test_titles_honorifics_middle_names_and_initials_do_not_count() -> None:
    assert {people_key(n) for n in TRUMPS if " " in n.replace("Mr. ", "").replace("President ", "")} \
        == {"donald trump"}
    assert {people_key(n) for n in ("Trump", "President Trump", "Mr. Trump", "TRUMP")} == {"trump"}
    assert people_key("Health Secretary Robert F. Kennedy Jr.") == "robert kennedy"
    assert people_key("Dr. Anthony S. Fauci") == "anthony fauci"
    assert people_key("Former Prime Minister Boris Johnson") == "boris johnson"


def test_people_who_share_a_surname_are_not_one() -> None:
    assert people_key("Walter Reed") != people_key("Lou Reed")
    walter, lou = speaker_ref("Walter Reed", "person"), speaker_ref("Lou Reed", "person")
    assert walter is not None and lou is not None and walter.keys != lou.keys
    assert walter.surname == lou.surname == "reed"


def test_a_person_name_taken_apart() -> None:
    person = person_name("President Donald J. Trump")
    assert person is not None
    assert (person.display, person.forename, person.surname) == ("Donald J. Trump", "donald", "trump")
    lone = person_name("Mr. Trump")
    assert lone is not None and (lone.display, lone.forename, lone.surname) == ("Trump", None, "trump")
    particle = person_name("Ursula von der Leyen")
    assert particle is not None and (particle.forename, particle.surname) == ("ursula", "von der leyen")
    bare_particle = person_name("von der Leyen")
    assert bare_particle is not None and (bare_particle.forename, bare_particle.surname) == (None, "von der leyen")
    accented = person_name("José Pérez-Gómez")
    assert accented is not None and accented.key == "jose perez-gomez"
    assert person_name("Robert F. Kennedy Jr.").display == "Robert F. Kennedy Jr."  # type: ignore[union-attr]


@pytest.mark.parametrize("name", [
    "Date", "Title", "URL", "Photo", "Source", "Contact", "date", "Photo credit", "Editor's note", "Read more",
    "he", "She", "They", "it", "We", "who", "someone",
    "officials", "police", "spokesman",  # single lowercase words
    "Officials", "The spokesman", "Police",  # generic nouns, capitalised at the start of a sentence
    "a spokesperson", "an official", "health officials", "the company's lawyers",  # descriptions
    "Morrison's lawyer", "Taylor Swift’s rep",  # somebody's somebody
    "When President Trump’s advisers", "Mr. Trump continues to", "authorities in Beijing",
    "chairman of Conservative Party", "Which is not to",  # pieces of sentences
    "Agent 007", "G7 leaders", "2026", "https://example.com/x", "www.example.org", "news@example.org",
    "", "  ", "—", "Q", "A",
    "Jane Doe " * 12,  # a clause, not a name
])
def test_labels_pronouns_descriptions_and_junk_are_no_speakers(name: str) -> None:
    assert junk_reason(name) is not None
    assert speaker_ref(name, "person") is None and speaker_ref(name, "unknown") is None


@pytest.mark.parametrize("name", ["Trump", "Donald Trump", "CDC", "WHO", "the White House", "Democrats",
                                  "Reuters", "NATO", "Maroš Šefčovič", "von der Leyen", "al-Assad",
                                  "Bashar al-Assad", "Jordanian government", "US military", "Trump's"])
def test_names_are_speakers(name: str) -> None:
    assert junk_reason(name) is None


def test_groups_described_rather_than_named_are_no_speakers() -> None:
    for described in ("Opposition members", "Shopkeepers on the harbour front", "the European leaders"):
        assert speaker_ref(described, "group") is None, described
    for named in ("Democrats", "Senate Democrats", "the Rolling Stones"):
        assert speaker_ref(named, "group") is not None, named
    assert speaker_ref("Health ministry", "organisation") is not None  # only groups are read so


def test_a_person_typed_name_with_an_organisation_word_is_matched_as_a_whole() -> None:
    productions = speaker_ref("Dick Clark Productions", "person")
    assert productions is not None and productions.type == "organisation"
    assert productions.keys == ("dick clark productions",) and productions.surname is None
    cdc = speaker_ref("Chinese CDC", "person")
    assert cdc is not None and cdc.type == "organisation" and cdc.keys == ("chinese cdc",)
    person = speaker_ref("Dick Clark", "person")
    assert person is not None and person.keys == ("dick clark",) and person.surname == "clark"


def test_keys_fold_case_accents_and_punctuation() -> None:
    assert key("Maroš  Šefčovič") == key("MAROS SEFCOVIC") == "maros sefcovic"
    assert key("U.N.") == "u n" and key("“the CDC”") == "the cdc"
    assert key("Trump's") == "trump"


def test_one_article_gives_one_ref_per_speaker_with_the_fullest_name() -> None:
    refs = article_speakers([("Trump", "person"), ("Donald J. Trump", "person"), ("Donald Trump", "person"),
                             ("Walter Reed", "person"), ("Reed", "person")])
    trump = refs[0]
    assert trump is not None and trump == refs[1] == refs[2]
    assert trump.name == "Donald J. Trump" and trump.keys == ("donald trump",) and not trump.bare
    assert refs[3] == refs[4] and refs[3] is not None and refs[3].name == "Walter Reed"


def test_a_lone_surname_with_two_people_of_that_name_in_the_article_is_ambiguous() -> None:
    refs = article_speakers([("Donald Trump", "person"), ("Melania Trump", "person"), ("Trump", "person")])
    assert refs[0] != refs[1] and refs[2] is None


def test_a_lone_surname_with_nobody_of_that_name_in_the_article_is_left_to_storage() -> None:
    (ref,) = article_speakers([("Mr. Trump", "person")])
    assert ref == SpeakerRef("Trump", "person", (("Trump", "trump"),), surname="trump", bare=True)


def test_junk_in_an_article_is_none_and_the_rest_keeps_its_order() -> None:
    refs = article_speakers([("Date", "unknown"), ("Jane Doe", "person"), ("he", "person"),
                             ("a spokesperson", "group")])
    assert [r.name if r else None for r in refs] == [None, "Jane Doe", None, None]


CDC_TEXT = ("The Centers for Disease Control and Prevention (CDC) published figures. The World Health "
            "Organization (WHO) agreed, and so did the U.S. Food and Drug Administration (FDA).")


def test_abbreviations_are_those_the_article_defines() -> None:
    assert abbreviations(CDC_TEXT) == {
        "cdc": ("Centers for Disease Control and Prevention", "CDC"),
        "who": ("World Health Organization", "WHO"),
        "fda": ("Food and Drug Administration", "FDA"),
    }
    assert abbreviations("Jane Doe (CEO) said so. Prices rose (sharply).") == {}
    assert abbreviations("the New York Times (NYT)") == {"nyt": ("New York Times", "NYT")}


def test_an_abbreviation_joins_its_full_name_only_when_the_article_defines_it() -> None:
    refs = article_speakers([("CDC", "organisation"),
                             ("the Centers for Disease Control and Prevention", "organisation")], CDC_TEXT)
    assert refs[0] == refs[1] and refs[0] is not None
    assert refs[0].name == "Centers for Disease Control and Prevention"
    assert refs[0].keys == ("centers for disease control and prevention", "cdc")
    alone = article_speakers([("the CDC", "organisation")], "The CDC said so.")
    assert alone == [SpeakerRef("CDC", "organisation", (("CDC", "cdc"),))]


def test_organisations_match_on_their_whole_name_without_a_leading_the() -> None:
    a, b = speaker_ref("the White House", "unknown"), speaker_ref("White House", "organisation")
    assert a is not None and b is not None and a.keys == b.keys == ("white house",)
    assert a.surname is None and not a.bare  # no surname rules for organisations
    assert speaker_ref("Reuters", "organisation") != speaker_ref("Reuters Health", "organisation")


def test_what_speaker_names_look_up() -> None:
    query = speaker_query("President Trump")
    assert query is not None and "trump" in query.keys and query.word == "trump"
    query = speaker_query("Donald J. Trump")
    assert query is not None and "donald trump" in query.keys and query.word is None
    query = speaker_query("the CDC")
    assert query is not None and "cdc" in query.keys
    assert speaker_query("...") is None and speaker_query("  ") is None
