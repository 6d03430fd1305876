"""Data minimisation: personal data becomes placeholders before a remote call, and comes back."""

from __future__ import annotations

from pressroom.privacy import Detection, Redaction, redact

TEXT = (
    "Écrivez à claire.vasseur@montreval.fr ou appelez le 01 23 45 67 89. "
    "Pour la presse : presse@montreval.fr, 06 12 34 56 78. "
    "Encore une fois : claire.vasseur@montreval.fr."
)


def test_emails_and_phones_become_numbered_placeholders() -> None:
    redaction = redact(TEXT)

    assert redaction.text == (
        "Écrivez à [EMAIL_1] ou appelez le [PHONE_1]. "
        "Pour la presse : [EMAIL_2], [PHONE_2]. "
        "Encore une fois : [EMAIL_1]."
    )


def test_counts_say_how_many_of_each_kind_and_never_the_values() -> None:
    redaction = redact(TEXT)

    assert redaction.counts == {"email": 3, "phone": 2}
    assert "montreval" not in repr(redaction.counts)


def test_restore_puts_the_originals_back_wherever_the_output_uses_them() -> None:
    redaction = redact(TEXT)

    output = "Contact: [PHONE_2] or [EMAIL_1]; press only: [EMAIL_2]."

    assert redaction.restore(output) == (
        "Contact: 06 12 34 56 78 or claire.vasseur@montreval.fr; press only: presse@montreval.fr."
    )
    assert redaction.restore(redaction.text) == TEXT


def test_restore_leaves_placeholders_it_did_not_hand_out() -> None:
    redaction = redact("Write to ana@example.org.")

    assert redaction.restore("[EMAIL_1] and [EMAIL_7] and [PHONE_1]") == (
        "ana@example.org and [EMAIL_7] and [PHONE_1]"
    )


def test_more_text_keeps_the_same_placeholders_and_numbering() -> None:
    redaction = redact("Title: ana@example.org")

    comments = redaction.add("Reviewer: keep ANA@example.org, add bob@example.org")

    assert comments == "Reviewer: keep [EMAIL_1], add [EMAIL_2]"
    assert redaction.counts == {"email": 3}


def test_text_without_personal_data_is_unchanged() -> None:
    text = "Le programme coûte 1 250 000 euros sur trois ans, dont 40 % financés par la région."

    redaction = redact(text)

    assert redaction.text == text
    assert redaction.counts == {}


def test_another_detector_plugs_in_and_names_its_own_kinds() -> None:
    def people(text: str) -> list[Detection]:
        start = text.find("Claire Vasseur")
        return [Detection("person", start, start + len("Claire Vasseur"))] if start >= 0 else []

    redaction = Redaction("« Chacun peut vérifier », explique Claire Vasseur.", detector=people)

    assert redaction.text == "« Chacun peut vérifier », explique [PERSON_1]."
    assert redaction.counts == {"person": 1}
    assert redaction.restore("[PERSON_1] said so.") == "Claire Vasseur said so."


def test_overlapping_detections_replace_the_first_one_only() -> None:
    def overlapping(_text: str) -> list[Detection]:
        return [Detection("email", 0, 10), Detection("phone", 5, 12)]

    redaction = Redaction("abcdefghijklmnop", detector=overlapping)

    assert redaction.text == "[EMAIL_1]klmnop"
    assert redaction.counts == {"email": 1}
