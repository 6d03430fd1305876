"""Text is cleaned before speech: markup out, numbers and abbreviations in words, per language."""

import pytest

from pressroom.media.speech_text import (
    clean_for_speech,
    number_to_words,
    primary_language,
    strip_markdown,
)


@pytest.mark.parametrize(
    ("number", "french", "english"),
    [
        ("0", "zéro", "zero"),
        ("17", "dix-sept", "seventeen"),
        ("21", "vingt et un", "twenty-one"),
        ("71", "soixante et onze", "seventy-one"),
        ("80", "quatre-vingts", "eighty"),
        ("81", "quatre-vingt-un", "eighty-one"),
        ("99", "quatre-vingt-dix-neuf", "ninety-nine"),
        ("101", "cent un", "one hundred one"),
        ("200", "deux cents", "two hundred"),
        ("201", "deux cent un", "two hundred one"),
        ("1250", "mille deux cent cinquante", "one thousand two hundred fifty"),
        ("80000", "quatre-vingt mille", "eighty thousand"),
        ("200000", "deux cent mille", "two hundred thousand"),
        ("2000000", "deux millions", "two million"),
        ("200000000", "deux cents millions", "two hundred million"),
        ("1000000000", "un milliard", "one billion"),
        ("3000000021", "trois milliards vingt et un", "three billion twenty-one"),
        ("3.14", "trois virgule quatorze", "three point one four"),
        ("0.05", "zéro virgule zéro cinq", "zero point zero five"),
        ("-7", "moins sept", "minus seven"),
        ("007", "zéro zéro sept", "zero zero seven"),
    ],
)
def test_numbers_in_words(number: str, french: str, english: str) -> None:
    assert number_to_words(number, "fr") == french
    assert number_to_words(number, "en") == english


def test_numbers_past_the_billions_and_other_languages_are_left_to_the_engine() -> None:
    assert number_to_words("1000000000000", "fr") == "1000000000000"
    assert number_to_words("1250", "de") == "1250"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Il y a 1 250 abonnés.", "Il y a mille deux cent cinquante abonnés."),
        ("Il y a 1\u202f250 abonnés.", "Il y a mille deux cent cinquante abonnés."),
        ("Une hausse de 18 %.", "Une hausse de dix-huit pour cent."),
        ("Soit 3,5 % de plus.", "Soit trois virgule cinq pour cent de plus."),
        ("M. Dupont et Mme Durand.", "Monsieur Dupont et Madame Durand."),
        ("Des vélos, des bus, etc.", "Des vélos, des bus, et cetera."),
        ("Des vélos, etc., et des bus.", "Des vélos, et cetera, et des bus."),
        ("Le 1er mars à 9h30.", "Le premier mars à neuf heures trente."),
        ("Le 21e siècle.", "Le vingt et unième siècle."),
        ("Il coûte 12 €.", "Il coûte douze euros."),
        ("Il fait -4 °C.", "Il fait moins quatre degrés Celsius."),
        ("En 2024, 150 foyers.", "En deux mille vingt-quatre, cent cinquante foyers."),
    ],
)
def test_french_is_normalised_for_speech(text: str, spoken: str) -> None:
    assert clean_for_speech(text, "fr") == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("There are 1,250 subscribers.", "There are one thousand two hundred fifty subscribers."),
        ("Up 18%.", "Up eighteen percent."),
        ("Dr. Smith met Mr. Jones.", "Doctor Smith met Mister Jones."),
        ("Buses, e.g., the 42.", "Buses, for example, the forty-two."),
        ("Ferries, trains, etc.", "Ferries, trains, et cetera."),
        ("It costs $5.", "It costs five dollars."),
        ("On the 21st of June.", "On the twenty-first of June."),
        ("A 2.5 km walk.", "A two point five kilometres walk."),
    ],
)
def test_english_is_normalised_for_speech(text: str, spoken: str) -> None:
    assert clean_for_speech(text, "en") == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Read [the report](https://example.org/r) now.", "Read the report now."),
        ("A **bold** and _quiet_ and ~~struck~~ word.", "A bold and quiet and struck word."),
        ("Run `pressroom video` today.", "Run pressroom video today."),
        ("## A heading\n\nThe text.", "A heading. The text."),
        ("Details at https://example.org/a?b=1.", "Details at."),
        ("Details (www.example.org) here.", "Details here."),
        ("Great news 🎉🚀 today!", "Great news today!"),
        (
            "Thanks @pressroom_bot for #CleanAir and #QualitéDeLAir.",
            "Thanks for Clean Air and Qualité De L Air.",
        ),
        ("Code:\n\n```python\nprint(1)\n```\n\nDone.", "Code: Done."),
        ("- first point\n- second point", "first point second point"),
    ],
)
def test_markup_links_emoji_and_handles_are_not_spoken(text: str, spoken: str) -> None:
    assert clean_for_speech(text, "en") == spoken


def test_other_languages_get_the_markup_cleaning_and_keep_their_numbers() -> None:
    assert clean_for_speech("**Hallo** 🎉 https://example.de 1 250 Leute.", "de-AT") == (
        "Hallo 1 250 Leute."
    )


def test_language_tags_are_reduced_to_their_language() -> None:
    assert clean_for_speech("18 %", "fr-CA") == "dix-huit pour cent"
    assert [primary_language(t) for t in ("fr_FR", "EN-us", "de")] == ["fr", "en", "de"]


def test_stripping_markdown_keeps_what_the_reader_sees() -> None:
    text = "# Title\n\nSee [the **map**](https://example.org/map) 🗺️ at 1,250 m. #Hiking"
    assert strip_markdown(text) == "Title.\n\nSee the map 🗺️ at 1,250 m. #Hiking"


def test_a_lone_url_leaves_nothing_to_say() -> None:
    assert clean_for_speech("https://example.org/page", "fr") == ""
