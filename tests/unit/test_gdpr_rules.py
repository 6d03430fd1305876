"""GDPR rules: G3 on posts (structured personal data besides e-mails and phones), G1/G2 on
prompts, and G4's guard, `assert_minimised`, that every prompt passes before it is sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pressroom.compliance import gdpr, pii, suite
from pressroom.compliance.base import PostContent, RuleContext
from pressroom.compliance.gdpr import (
    PersonalDataNotMinimised,
    assert_minimised,
    check_personal_data,
    check_prompt,
)
from pressroom.errors import PressroomError
from pressroom.models import Finding
from pressroom.privacy import redact
from pressroom.settings import BrandConfig, Settings

IBAN = "FR76 3000 6000 0112 3456 7890 189"
NIR = "1 84 12 76 451 089 46"
ADDRESS = "12 bis, rue du Général-de-Gaulle, 75011 Paris"
SOURCE = (
    "Claire Vasseur, adjointe au maire, reçoit au 12 bis, rue du Général-de-Gaulle, "
    "75011 Paris. Les dons vont au compte FR7630006000011234567890189. "
    "Contact : claire.vasseur@montreval.fr, 01 99 00 12 34."
)
PROMPT = (
    "Article à résumer :\n\n"
    "Claire Vasseur, adjointe au maire, a présenté le projet. Écrivez à "
    "claire.vasseur@montreval.fr ou au 01 99 00 12 34. Dons : " + IBAN + ". Son numéro de "
    "sécurité sociale, " + NIR + ", a fuité. Emmanuel Macron a salué l'initiative."
)
VALUES = ["claire.vasseur@montreval.fr", "01 99 00 12 34", IBAN, NIR]


@pytest.fixture(scope="module", autouse=True)
def analyzer() -> Iterator[Any]:
    """The process-wide analyser, built once for the whole session."""
    yield pii.analyzer()


def run(settings: Settings, text: str, source: str = SOURCE, language: str = "fr") -> list[Finding]:
    ctx = RuleContext(
        brand=settings.brand, channels=settings.channels, source_text=source, language=language
    )
    post = PostContent(channel="linkedin", text=text, disclosure="", image_alt_text=None)
    return list(check_personal_data(post, settings.channel("linkedin"), ctx))


# --- G3 ------------------------------------------------------------------------------------------


def test_the_rule_runs_in_the_suite() -> None:
    assert check_personal_data in suite.POST_RULES
    assert (check_personal_data,) == gdpr.RULES


def test_g3_an_iban_absent_from_the_source_is_a_blocker(settings: Settings) -> None:
    other = "DE89 3704 0044 0532 0130 00"

    [finding] = run(settings, f"Faites un don : {other}.")

    assert (finding.rule_id, finding.severity, finding.location) == ("G3", "blocker", "linkedin")
    assert "IBAN" in finding.message and "not in the source" in finding.message
    assert f"[{other}]" in finding.evidence


def test_g3_an_iban_copied_from_the_source_is_a_warning_whatever_its_spacing(
    settings: Settings,
) -> None:
    [finding] = run(settings, f"Faites un don : {IBAN}.")

    assert (finding.rule_id, finding.severity) == ("G3", "warning")
    assert finding.message.startswith("Personal data copied from the source")
    assert "make sure publishing it is intended" in finding.message.lower()
    assert f"[{IBAN}]" in finding.evidence


def test_g3_an_address_copied_from_the_source_is_a_warning(settings: Settings) -> None:
    [finding] = run(settings, "Permanence au 12 bis rue du Général-de-Gaulle, 75011 Paris.")

    assert (finding.rule_id, finding.severity) == ("G3", "warning")
    assert "postal address" in finding.message


def test_g3_an_invented_address_and_nir_are_blockers(settings: Settings) -> None:
    text = f"Elle habite 3 place de la Mairie, 69001 Lyon ; NIR {NIR}."

    findings = run(settings, text)

    assert [(f.rule_id, f.severity) for f in findings] == [("G3", "blocker")] * 2
    assert "postal address" in findings[0].message
    assert "NIR" in findings[1].message and f"[{NIR}]" in findings[1].evidence


def test_g3_a_siret_and_a_card_number_are_covered(settings: Settings) -> None:
    text = "SIRET 732 829 320 00074, carte 4111 1111 1111 1111."

    findings = run(settings, text, language="fr")

    assert [f.severity for f in findings] == ["blocker", "blocker"]
    assert "SIRET" in findings[0].message and "card" in findings[1].message


def test_g3_leaves_emails_and_phones_to_the_contact_rule(settings: Settings) -> None:
    assert run(settings, "Écrivez à presse@ailleurs.fr ou appelez le 01 99 00 12 99.") == []


def test_g3_a_post_without_personal_data_has_no_finding(settings: Settings) -> None:
    text = "Montreval compte 1 250 habitants ; le budget atteint 3,2 millions d'euros (+18 %)."

    assert run(settings, text) == []


# --- G1 ------------------------------------------------------------------------------------------


def test_g1_personal_data_redacted_before_sending_is_info_with_counts_only() -> None:
    [g1] = [f for f in check_prompt(PROMPT, "fr") if f.rule_id == "G1"]

    assert (g1.severity, g1.location) == ("info", "prompt")
    assert g1.evidence == "email: 1, iban: 1, nir: 1, phone: 1"
    assert "redacted before sending" in g1.message
    for value in VALUES:
        assert value not in g1.message + g1.evidence


def test_g1_personal_data_that_would_be_sent_unredacted_is_a_blocker() -> None:
    [g1] = [f for f in check_prompt(PROMPT, "fr", redacted=False) if f.rule_id == "G1"]

    assert g1.severity == "blocker"
    assert "unredacted" in g1.message


def test_g1_nothing_to_say_about_a_prompt_without_structured_data() -> None:
    assert [
        f for f in check_prompt("Résume cet article sur l'air.", "fr") if f.rule_id == "G1"
    ] == []


def test_assert_minimised_raises_on_an_unredacted_prompt_and_names_no_value() -> None:
    with pytest.raises(PersonalDataNotMinimised) as caught:
        assert_minimised(PROMPT, "fr")

    assert isinstance(caught.value, PressroomError)
    message = str(caught.value)
    assert "email: 1, iban: 1, nir: 1, phone: 1" in message and "was not sent" in message
    for value in VALUES:
        assert value not in message


@pytest.mark.parametrize("language", ["fr", "en"])
def test_assert_minimised_passes_a_redacted_prompt(language: str) -> None:
    redaction = redact(PROMPT, detector=pii.presidio_detector(language))

    assert assert_minimised(redaction.text, language) == redaction.text
    assert "[IBAN_1]" in redaction.text and "[NIR_1]" in redaction.text


def test_assert_minimised_lets_allowed_values_through() -> None:
    prompt = "Signature : standard de la mairie, 01 99 00 00 00."

    assert assert_minimised(prompt, "fr", allowed=["01 99 00 00 00"]) == prompt
    with pytest.raises(PersonalDataNotMinimised):
        assert_minimised(prompt, "fr")


def test_g4_what_is_kept_of_a_call_holds_no_value() -> None:
    """What a provider may log or store: the prompt it sent (redacted) and the counts."""
    redaction = redact(PROMPT, detector=pii.presidio_detector("fr"))
    sent = assert_minimised(redaction.text, "fr")

    kept = sent + repr(redaction.counts)
    for value in VALUES:
        assert value not in kept
    assert redaction.counts == {"email": 1, "phone": 1, "iban": 1, "nir": 1}


# --- G2 ------------------------------------------------------------------------------------------


def test_g2_a_persons_name_in_a_prompt_is_a_warning() -> None:
    g2 = [f for f in check_prompt(PROMPT, "fr") if f.rule_id == "G2"]

    assert [(f.severity, f.evidence, f.location) for f in g2] == [
        ("warning", "Claire Vasseur", "prompt"),
        ("warning", "Emmanuel Macron", "prompt"),
    ]
    assert "public_figures" in g2[0].message


def test_g2_public_figures_are_allowed_whatever_their_spelling() -> None:
    prompt = PROMPT + " Selon M. Macron, « c'est un modèle »."

    g2 = [f for f in check_prompt(prompt, "fr", ["emmanuel macron"]) if f.rule_id == "G2"]

    assert [f.evidence for f in g2] == ["Claire Vasseur"]


def test_g2_repeated_names_make_one_finding() -> None:
    prompt = "Tom Ashdown said yes. Later, Tom Ashdown said no."

    g2 = [f for f in check_prompt(prompt, "en") if f.rule_id == "G2"]

    assert len(g2) == 1 and "2 mentions" in g2[0].message


def test_g2_names_come_from_the_brand(settings: Settings) -> None:
    data = settings.brand.model_dump()
    assert data["public_figures"] == []

    brand = BrandConfig.model_validate({**data, "public_figures": ["Claire Vasseur"]})
    g2 = [f for f in check_prompt(PROMPT, "fr", brand.public_figures) if f.rule_id == "G2"]

    assert [f.evidence for f in g2] == ["Emmanuel Macron"]


def test_g2_placeholders_are_not_names() -> None:
    prompt = "Contact [PERSON_1] at [EMAIL_1] or [PHONE_2]."

    assert [f for f in check_prompt(prompt, "en") if f.rule_id == "G2"] == []
