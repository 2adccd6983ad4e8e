"""extract_article on the demo site: exact body of the seed page, metadata, clean demo pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from worker.extract import EXTRACTOR_VERSION, Extracted, detect_language, extract_article

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "seeds" / "demo" / "pages"
DATA = Path(__file__).resolve().parent / "data" / "pages"
SEED_URL = "https://danube-daily.example/world/blinken-no-concessions-russia/?utm_source=rss"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def paragraphs(text: str) -> list[str]:
    return [norm(p) for p in text.split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def seed() -> Extracted:
    return extract_article((PAGES / "blinken-no-concessions.html").read_text(encoding="utf-8"), SEED_URL)


def test_seed_page_body_is_exactly_the_twelve_paragraphs(seed: Extracted) -> None:
    scraped = paragraphs((DATA / "blinken-article.txt").read_text(encoding="utf-8"))
    # article.txt as scraped: title, image credit, 12 paragraphs, teaser, comment-form tail.
    expected = scraped[2:14]
    assert len(expected) == 12
    assert paragraphs(seed.text) == expected


@pytest.mark.parametrize(
    "junk",
    ["Sursa: Flickr", "VIDEO | Romania", "Please enter", "Post Comment", "Share on Facebook", "Tweet",
     "Related posts", "Most read", "newsletter", "cookies", "Leave a reply"],
)
def test_seed_page_keeps_no_boilerplate(seed: Extracted, junk: str) -> None:
    assert junk.lower() not in seed.text.lower()


def test_seed_page_metadata(seed: Extracted) -> None:
    assert seed.title == "US offers no concessions in response to Russian demands-Blinken"
    assert seed.author == "Andrei Munteanu"
    assert seed.published_at == datetime(2022, 1, 27, 7, 41, 12, tzinfo=UTC)
    assert seed.language == "en"
    assert seed.canonical_url == "https://danube-daily.example/world/blinken-no-concessions-russia/"
    assert seed.description and seed.description.startswith("U.S. Secretary of State")
    assert seed.text.count("\n\n") == 11


@pytest.mark.parametrize(
    ("page", "n_paragraphs", "first_words", "gone"),
    [
        ("harbour-bridge-reopens.html", 7, "The swing bridge",
         ["harbourwalker", "frame this article", "Related stories", "Temporary ferry carried",
          "Leave a comment"]),
        ("city-budget-vote.html", 7, "The city council",
         ["READ MORE", "Share this", "Night bus trial", "Leave a Reply", "Most read", "Save my name"]),
        ("festival-vin-cluj.html", 6, "Plus de 30 000",
         ["lire aussi", "Les plus lus", "Partager", "newsletter"]),
    ],
)
def test_other_demo_pages_are_clean(page: str, n_paragraphs: int, first_words: str, gone: list[str]) -> None:
    result = extract_article((PAGES / page).read_text(encoding="utf-8"), f"https://demo.example/{page}")
    assert len(paragraphs(result.text)) == n_paragraphs
    assert result.text.startswith(first_words)
    for junk in gone:
        assert junk.lower() not in result.text.lower()


def test_metadata_of_other_layouts() -> None:
    harbour = extract_article((PAGES / "harbour-bridge-reopens.html").read_text(encoding="utf-8"))
    assert harbour.published_at == datetime(2024, 3, 11, 6, 30, tzinfo=UTC)  # from JSON-LD
    assert harbour.language == "en"  # lang="en-GB"
    assert harbour.canonical_url == "https://coastline-herald.example/local/harbour-bridge-reopens"  # og:url
    budget = extract_article(
        (PAGES / "city-budget-vote.html").read_text(encoding="utf-8"), "https://riverside.example/x/y.html"
    )
    assert budget.canonical_url == "https://riverside.example/politics/council-budget-school-repairs/"
    assert budget.published_at == datetime(2024, 11, 20, 17, 5, tzinfo=UTC)
    french = extract_article((PAGES / "festival-vin-cluj.html").read_text(encoding="utf-8"))
    assert french.language == "fr"  # no lang attribute: detected from the text
    assert french.published_at == datetime(2024, 9, 16, tzinfo=UTC)


GERMAN_PAGE = """<html><head><title>Neue Brücke</title></head><body><article><h1>Neue Brücke</h1>
<p>Die neue Brücke über den Fluss ist am Montag nach zwei Jahren Bauzeit für den Verkehr freigegeben
worden. Nach Angaben der Stadtverwaltung fahren dort künftig auch die Buslinien in die Altstadt.</p>
<p>Der Bürgermeister sagte, die Baukosten seien niedriger gewesen als ursprünglich geplant, und dankte
den Anwohnern für ihre Geduld während der Arbeiten.</p></article></body></html>"""


def test_language_detected_when_page_declares_none() -> None:
    result = extract_article(GERMAN_PAGE, "https://example.org/bruecke")
    assert result.language == "de"
    assert result.text.startswith("Die neue Brücke")


def test_detect_language() -> None:
    french = "Le gouvernement a présenté mardi un nouveau projet de loi sur le logement."
    assert detect_language(french) == "fr"
    assert detect_language("ok") is None
    assert detect_language("") is None


@pytest.mark.parametrize(
    "junk",
    ["", "   ", "<", "<<<>>>", "\x00\x01binary\xff", "<html></html>", "<html><body></body></html>",
     "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>", "just some words",
     "<p>" * 5000],
)
def test_junk_html_gives_empty_text(junk: str) -> None:
    result = extract_article(junk, "not a url")
    assert isinstance(result, Extracted)
    assert result.text == ""


def test_canonical_must_be_http() -> None:
    page = '<html><head><link rel="canonical" href="javascript:alert(1)"></head><body><p>x</p></body></html>'
    assert extract_article(page, "https://example.org/a").canonical_url is None
    relative = '<html><head><link rel="canonical" href="/a"></head><body><p>x</p></body></html>'
    assert extract_article(relative).canonical_url is None  # nothing to resolve it against


def test_version_names_trafilatura() -> None:
    assert EXTRACTOR_VERSION.startswith("trafilatura-2.3.1+wb")
