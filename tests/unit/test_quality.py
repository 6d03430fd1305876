"""The correction and optimisation pass: readability formulas, SEO checks, typographic polish."""

from __future__ import annotations

import pytest

from pressroom.editorial.models import Article, ArticleSection, SeoPlan, Strategy
from pressroom.editorial.quality import (
    EmptyTextError,
    polish,
    readability,
    seo_checks,
    syllables,
)
from pressroom.models import Generation

NBSP = "\u00a0"

# ---------------------------------------------------------------- readability


def test_flesch_reading_ease_of_a_known_english_sentence() -> None:
    # 6 words, 1 sentence, 6 syllables: 206.835 - 1.015 * 6 - 84.6 * 1
    result = readability("The cat sat on the mat.", "en")

    assert result.formula == "Flesch reading ease"
    assert (result.words, result.sentences) == (6, 1)
    assert result.score == pytest.approx(116.1, abs=0.05)
    assert result.level == "very easy"


def test_kandel_and_moles_of_a_known_french_text() -> None:
    # 8 words, 2 sentences; syllables: le 1, chat 1, dort 1, la 1, maison 2, reste 1 (silent
    # final e), très 1, calme 1 -> 9: 207 - 1.015 * 4 - 73.6 * 9 / 8
    result = readability("Le chat dort. La maison reste très calme.", "fr")

    assert result.formula == "Kandel & Moles"
    assert (result.words, result.sentences) == (8, 2)
    assert result.score == pytest.approx(207 - 1.015 * 4 - 73.6 * 9 / 8, abs=0.05)


def test_long_words_and_sentences_score_lower_and_get_a_harder_level() -> None:
    easy = readability("We met. We ate. We left.", "en")
    hard = readability(
        "Institutional considerations notwithstanding, the municipality's comprehensive "
        "environmental monitoring infrastructure necessitates considerable administrative "
        "coordination between independent organisations.",
        "en",
    )

    assert hard.score < 30 < 90 <= easy.score
    assert (easy.level, hard.level) == ("very easy", "very difficult")


@pytest.mark.parametrize(
    ("word", "language", "expected"),
    [
        ("make", "en", 1),
        ("table", "en", 2),
        ("environment", "en", 4),
        ("the", "en", 1),
        ("habitants", "fr", 3),
        ("rue", "fr", 1),
        ("capteurs", "fr", 2),
        ("particules", "fr", 3),
        ("année", "fr", 2),
    ],
)
def test_syllables_are_vowel_groups_less_a_silent_e(
    word: str, language: str, expected: int
) -> None:
    assert syllables(word, language) == expected


def test_markdown_marks_and_links_are_not_counted_as_words() -> None:
    plain = readability("The cat sat on the mat.", "en")
    marked = readability("## The cat\n\n*sat* on the mat. https://example.org/a", "en")

    assert marked.words == plain.words


def test_a_text_without_words_is_refused() -> None:
    with pytest.raises(EmptyTextError, match="no word to score"):
        readability("## \n\n https://example.org", "en")


# ---------------------------------------------------------------- SEO


def _record() -> Generation:
    return Generation(provider="test", model="none", template_id="t", template_version="1")


def _strategy(keyword: str = "electric ferries") -> Strategy:
    return Strategy(
        angle="Ferries every twenty minutes",
        key_messages=["More sailings"],
        tone={"article": "friendly"},
        seo=SeoPlan(
            keywords=[keyword, "timetable"],
            search_intent="informational",
            title="t",
            meta_description="m",
        ),
    )


def _article(
    title: str = "Electric ferries every twenty minutes from June",
    first: str = "Two electric ferries join the fleet in May, and sailings double.",
    heading: str = "Electric ferries on the island",
    meta: str = "The island gets two electric ferries and a sailing every twenty minutes "
    "from June, with more parking by the terminal.",
) -> Article:
    filler = " ".join(["Passengers can check the new timetable online today."] * 6)
    return Article(
        title=title,
        meta_description=meta,
        sections=[
            ArticleSection(heading=heading, paragraphs=[first, filler]),
            ArticleSection(heading="In brief", paragraphs=[filler]),
        ],
        language="en",
        disclosure="AI-generated content",
        generation=_record(),
    )


def _results(article: Article, strategy: Strategy | None = None) -> dict[str, bool]:
    return {check.name: check.passed for check in seo_checks(article, strategy or _strategy())}


def test_a_well_built_article_passes_every_seo_check() -> None:
    results = _results(_article())

    assert results == {
        "keyword in title": True,
        "keyword in first paragraph": True,
        "keyword in a heading": True,
        "meta description length": True,
        "title length": True,
        "keyword density": True,
    }


def test_the_keyword_is_found_whatever_its_case_and_apostrophe() -> None:
    strategy = _strategy("qualité de l'air")
    article = _article(
        title="La Qualité de l’air à Montreval",
        first="La qualité de l’air est mesurée.",
        heading="Qualité de l'air",
    )

    results = _results(article, strategy)

    assert results["keyword in title"] and results["keyword in a heading"]
    assert results["keyword in first paragraph"]


def test_a_missing_keyword_fails_where_it_is_missing_and_says_so() -> None:
    article = _article(title="Ferries every twenty minutes", heading="On the island")

    checks = {check.name: check for check in seo_checks(article, _strategy())}

    assert not checks["keyword in title"].passed
    assert not checks["keyword in a heading"].passed
    assert checks["keyword in first paragraph"].passed
    assert "“electric ferries” is not in the title" in checks["keyword in title"].detail


def test_a_word_containing_the_keyword_is_not_the_keyword() -> None:
    strategy = _strategy("ferry")

    results = _results(_article(title="Ferryman of the island"), strategy)

    assert not results["keyword in title"]


@pytest.mark.parametrize(("length", "passed"), [(69, False), (70, True), (155, True), (156, False)])
def test_meta_description_length_is_70_to_155(length: int, passed: bool) -> None:
    checks = {c.name: c for c in seo_checks(_article(meta="x" * length), _strategy())}

    assert checks["meta description length"].passed is passed
    assert f"{length} characters" in checks["meta description length"].detail


def test_a_title_over_60_characters_fails() -> None:
    long_title = "Electric ferries " + "and much more news " * 3

    assert len(long_title) > 60
    assert not _results(_article(title=long_title))["title length"]


def test_keyword_stuffing_fails_the_density_check() -> None:
    stuffed = "Electric ferries, electric ferries: the electric ferries are here today."

    article = _article()
    article.sections = [ArticleSection(heading="Electric ferries", paragraphs=[stuffed])]

    checks = {c.name: c for c in seo_checks(article, _strategy())}

    assert not checks["keyword density"].passed
    assert "30.0% of 10 words" in checks["keyword density"].detail


def test_links_are_not_counted_in_the_density() -> None:
    article = _article()
    linked = "Read more: https://electric-ferries.example/electric-ferries/electric-ferries"
    article.sections.append(ArticleSection(heading="Further reading", paragraphs=[linked]))

    assert _results(article)["keyword density"]


def test_a_strategy_without_keyword_fails_the_keyword_checks() -> None:
    strategy = _strategy()
    strategy.seo.keywords = []

    results = _results(_article(), strategy)

    assert not results["keyword in title"] and not results["keyword density"]
    assert results["title length"]


# ---------------------------------------------------------------- polish


def test_double_spaces_and_spaces_before_punctuation_are_fixed_and_reported() -> None:
    result = polish("The ferry  leaves at noon , and returns at six .", "en")

    assert result.text == "The ferry leaves at noon, and returns at six."
    assert "1 double spaces made single" in result.notes
    assert "2 spaces before a comma or period removed" in result.notes


def test_french_typography_gets_no_break_spaces_and_typographic_apostrophes() -> None:
    result = polish("Il dit «bonjour» : c'est clair! Non ?", "fr")

    assert result.text == (f"Il dit «{NBSP}bonjour{NBSP}»{NBSP}: c’est clair{NBSP}! Non{NBSP}?")
    assert any("before ; : ! ?" in note for note in result.notes)
    assert any("inside « »" in note for note in result.notes)
    assert "1 apostrophes made typographic (’)" in result.notes


def test_english_apostrophes_and_colons_are_left_alone() -> None:
    text = "It's here: the ferry's new timetable!"

    assert polish(text, "en").text == text
    assert polish(text, "en").notes == []


def test_urls_times_and_kept_texts_are_not_touched() -> None:
    cta = "Lire l'article complet :"
    text = f"Départ à 10:30 ! {cta} https://example.org/a?b=c&d=e"

    result = polish(text, "fr", keep=[cta])

    assert result.text == f"Départ à 10:30{NBSP}! {cta} https://example.org/a?b=c&d=e"


def test_polishing_twice_changes_nothing_more() -> None:
    once = polish("Il dit «bonjour» : c'est  clair , non ?", "fr")

    twice = polish(once.text, "fr")

    assert twice.text == once.text
    assert twice.notes == []


def test_repeated_words_are_flagged_not_fixed() -> None:
    english = polish("We took the the ferry.", "en")
    french = polish("Nous nous sommes levés : le le bateau part.", "fr")

    assert "the the" in english.text
    assert any("repeated word “the the”" in note for note in english.notes)
    assert [n for n in french.notes if "repeated" in n] == [
        "repeated word “le le” (not fixed): “le le bateau part.”"
    ]


def test_a_sentence_over_35_words_is_flagged() -> None:
    long = " ".join(f"w{i}" for i in range(36)) + "."
    short = " ".join(f"w{i}" for i in range(35)) + "."

    assert any("sentence of 36 words" in note for note in polish(long, "en").notes)
    assert not polish(short, "en").notes
