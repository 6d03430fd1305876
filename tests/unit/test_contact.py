"""Contact data: phone numbers and e-mail addresses are found; ordinary numbers are not."""

from __future__ import annotations

import pytest

from pressroom.compliance.contact import find_contact_data, same_contact


def phones(text: str) -> list[str]:
    return [m.value for m in find_contact_data(text) if m.kind == "phone"]


def emails(text: str) -> list[str]:
    return [m.value for m in find_contact_data(text) if m.kind == "email"]


@pytest.mark.parametrize(
    "number",
    [
        # French national formats
        "01 23 45 67 89",
        "06.12.34.56.78",
        "01-23-45-67-89",
        "0123456789",
        # French international formats
        "+33 6 12 34 56 78",
        "+33 (0)1 23 45 67 89",
        "+33612345678",
        "0033 1 23 45 67 89",
        # other countries
        "+44 20 7946 0958",
        "+49 30 901820",
        "020 7946 0958",
        # US formats
        "+1 415 555 0132",
        "+1-415-555-0132",
        "(415) 555-0132",
    ],
)
def test_phone_numbers_are_found_in_a_sentence(number: str) -> None:
    text = f"Pour s’inscrire, appelez le {number} avant vendredi."
    found = find_contact_data(text)
    assert [m.kind for m in found] == ["phone"]
    assert found[0].value == number
    assert text[found[0].start : found[0].end] == number


def test_us_number_with_country_code_and_parentheses_is_found() -> None:
    found = phones("Call +1 (415) 555-0132 for tickets.")
    assert len(found) == 1
    assert "555-0132" in found[0]


@pytest.mark.parametrize(
    "address",
    [
        "contact@montreval.fr",
        "claire.vasseur@mairie-montreval.fr",
        "Prenom.Nom+presse@sub.example.co.uk",
        "INFO@Example.COM",
    ],
)
def test_email_addresses_are_found(address: str) -> None:
    text = f"Écrivez à {address}, la mairie répondra."
    found = find_contact_data(text)
    assert [(m.kind, m.value) for m in found] == [("email", address)]
    assert text[found[0].start : found[0].end] == address


@pytest.mark.parametrize(
    "text",
    [
        "Le programme coûte 1 250 000 euros sur trois ans.",
        "La ville compte 3,2 millions d’habitants.",
        "En 2025, puis en 2026, le réseau s’étendra.",
        "La réunion a lieu le 14/03/2025 à 18 h.",
        "La réunion a lieu le 14.03.2025 à 18 h.",
        "Publié le 2025-03-14.",
        "La pollution dépasse le seuil de 18 % et baisse de 0,5 %.",
        "The upgrade costs £4.5 million and will carry 3,200 passengers a day.",
        "Between 2024 and 2025, 1 250 000 000 euros were spent.",
        "Le compte @montreval publie les mesures, pas user@localhost.",
        "Scores: 12-0, 3-1 et 10-2.",
    ],
)
def test_ordinary_numbers_are_not_contact_data(text: str) -> None:
    assert find_contact_data(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "L’État consacre 12 000 000 000 euros au plan.",
        "Le budget atteint 3 000 000 000 € en 2026.",
        "Le marché pèse 1 000 000 000 000 de dollars.",
    ],
)
def test_amounts_in_billions_are_not_phone_numbers(text: str) -> None:
    # Each thousands group is part of the amount: "000 000 000" is not a phone number.
    assert find_contact_data(text) == []


def test_several_contacts_come_in_text_order() -> None:
    text = "Écrire à presse@montreval.fr ou appeler le 01 23 45 67 89 ou le +33 6 12 34 56 78."
    found = find_contact_data(text)
    assert [(m.kind, m.value) for m in found] == [
        ("email", "presse@montreval.fr"),
        ("phone", "01 23 45 67 89"),
        ("phone", "+33 6 12 34 56 78"),
    ]
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_too_few_digits_are_not_a_phone() -> None:
    assert phones("Code 01 23 45 67.") == []  # 8 digits
    assert phones("Code 01 23 45 67 8.") == ["01 23 45 67 8"]  # 9 digits: the minimum


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("01 23 45 67 89", "01.23.45.67.89"),
        ("01 23 45 67 89", "0123456789"),
        ("01-23-45-67-89", "01 23 45 67 89"),
        ("+33 1 23 45 67 89", "0033 1 23 45 67 89"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("+33 (0)1 23 45 67 89", "+33 1 23 45 67 89"),
        ("(415) 555-0132", "415.555.0132"),
        ("Contact@Montreval.FR", "contact@montreval.fr"),
    ],
)
def test_same_contact_equivalences(a: str, b: str) -> None:
    assert same_contact(a, b)
    assert same_contact(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("01 23 45 67 89", "01 23 45 67 88"),
        ("+33 1 23 45 67 89", "+44 1 23 45 67 89"),
        ("contact@montreval.fr", "contact@montreval.com"),
        ("contact@montreval.fr", "01 23 45 67 89"),
        ("presse@montreval.fr", "contact@montreval.fr"),
    ],
)
def test_same_contact_tells_different_contacts_apart(a: str, b: str) -> None:
    assert not same_contact(a, b)
    assert not same_contact(b, a)
