"""Copyright rules (C1 copied passages, C2 quotations): run lengths, containment, near-identical
sentences, quotation length and attribution, on the labelled corpus and on crafted posts."""

from __future__ import annotations

import pytest

from pressroom.compliance import copyright
from pressroom.compliance.base import RuleContext
from pressroom.compliance.copyright import attributed, containment, copied_runs, tokens
from pressroom.models import Finding
from pressroom.settings import Settings
from tests.fixtures.compliance.corpus import Case, frame, load_cases

CASES = load_cases()
FAULTY = [c for c in CASES if not c.faithful and c.rule and c.rule.startswith("C")]
FAITHFUL = [c for c in CASES if c.faithful]

SOURCE = (
    "Les habitants volontaires reçoivent une formation de deux heures et un guide d’entretien du "
    "capteur avant de l’installer chez eux, sur un balcon ou une fenêtre bien exposée, loin de "
    "toute source de chaleur, comme une cheminée ou un barbecue."
)
WORDS = SOURCE.replace("’", " ").replace(",", "").replace(".", "").split()


def run(case: Case) -> list[Finding]:
    cfg = case.ctx.channels[case.post.channel]
    return [f for rule in copyright.RULES for f in rule(case.post, cfg, case.ctx)]


def check(
    body: str, settings: Settings, source: str = SOURCE, channel: str = "linkedin"
) -> list[Finding]:
    post = frame(body, "fr", channel, settings)
    ctx = RuleContext(settings.brand, settings.channels, source, "fr")
    cfg = settings.channels[channel]
    return [f for rule in copyright.RULES for f in rule(post, cfg, ctx)]


# ---------------------------------------------------------------- the corpus


@pytest.mark.parametrize("case", FAULTY, ids=[c.id for c in FAULTY])
def test_faulty_output_is_caught_by_its_rule_with_evidence(case: Case) -> None:
    findings = [f for f in run(case) if f.rule_id == case.rule and f.severity == case.severity]
    assert findings, f"{case.rule} ({case.severity}) did not fire: {run(case)}"
    assert any(case.evidence and case.evidence in f.evidence for f in findings), findings
    if case.message:
        assert any(case.message in f.message for f in findings), findings


@pytest.mark.parametrize("case", FAITHFUL, ids=[c.id for c in FAITHFUL])
def test_faithful_output_has_no_copyright_blocker(case: Case) -> None:
    assert [f for f in run(case) if f.severity == "blocker"] == []


def test_every_copyright_rule_has_faulty_cases_in_both_languages() -> None:
    by_rule: dict[tuple[str, str], set[str]] = {}
    for case in FAULTY:
        by_rule.setdefault((case.rule or "", case.severity or ""), set()).add(case.ctx.language)
    assert set(by_rule) == {
        ("C1", "blocker"),
        ("C1", "warning"),
        ("C2", "blocker"),
        ("C2", "warning"),
    }
    assert set().union(*by_rule.values()) == {"fr", "en"}


# ---------------------------------------------------------------- C1 copied passages


def sentence(n: int) -> str:
    """The source's first n words, as a sentence of the post."""
    return " ".join(WORDS[:n]) + "."


@pytest.mark.parametrize(
    ("copied", "severity"), [(11, None), (12, "warning"), (24, "warning"), (25, "blocker")]
)
def test_c1_severity_follows_the_length_of_the_copied_run(
    copied: int, severity: str | None, settings: Settings
) -> None:
    own = "Bonne nouvelle à Montreval, où la mairie confie des appareils de mesure aux familles"
    body = (
        f"{own} qui le souhaitent, dans tous les quartiers de la ville. {sentence(copied)} Voilà."
    )
    findings = [f for f in check(body, settings) if f.rule_id == "C1"]
    if severity is None:
        assert findings == []
        return
    assert [f.severity for f in findings] == [severity]
    assert f"{copied} words in a row" in findings[0].message
    assert findings[0].evidence.endswith("copied from the source")


def test_c1_quoted_words_are_c2_business(settings: Settings) -> None:
    body = f"« {' '.join(WORDS[:30])} », explique la mairie de Montreval dans un communiqué."
    assert [f for f in check(body, settings) if f.rule_id == "C1"] == []


def test_c1_runs_do_not_cross_the_frame_or_paragraphs(settings: Settings) -> None:
    found = tokens(f"{' '.join(WORDS[:10])}\n\n{' '.join(WORDS[10:20])}")
    assert [r.words for r in copied_runs(found, SOURCE)] == [20]  # raw tokens: one run
    body = f"{' '.join(WORDS[:10])}.\n\n{' '.join(WORDS[10:20])}."
    assert [f for f in check(body, settings) if f.rule_id == "C1"] == []


def test_c1_title_used_as_hook_is_not_counted(settings: Settings) -> None:
    title = "Qualité de l’air : Montreval confie deux cents capteurs à ses habitants volontaires"
    source = f"{title}\n\n{SOURCE}"
    post = frame("Montreval mesure l’air.", "fr", "linkedin", settings, hook=title)
    ctx = RuleContext(settings.brand, settings.channels, source, "fr")
    assert list(copyright.check_copying(post, settings.channels["linkedin"], ctx)) == []


def test_c1_words_of_a_legal_reference_are_not_counted(settings: Settings) -> None:
    source = "La CNIL relève un manquement à l’article 82 de la loi n° 78-17 du 6 janvier 1978."
    body = "La CNIL relève un manquement à l’article 82 de la loi n° 78-17 du 6 janvier 1978."
    assert check(body, settings, source) == []


def test_c1_a_post_stitched_from_copied_pieces_is_a_blocker(settings: Settings) -> None:
    pieces = [" ".join(WORDS[:14]), " ".join(WORDS[16:30])]  # two runs of 14: warnings
    body = f"Bonne nouvelle : {pieces[0]}, puis {pieces[1]}."
    findings = [f for f in check(body, settings) if f.rule_id == "C1"]
    assert [f.severity for f in findings] == ["warning", "warning", "blocker"]
    assert "Most of this post is the source's own wording" in findings[2].message
    assert "28 words in all" in findings[2].message


def test_c1_containment_counts_eight_word_sequences() -> None:
    found = containment(tokens(" ".join(WORDS[:20])), SOURCE)
    assert (found.share, found.grams, found.copied_words) == (1.0, 13, 20)
    found = containment(tokens("Rien à voir avec la source, vraiment rien du tout ici."), SOURCE)
    assert (found.share, found.copied_words) == (0.0, 0)


def test_c1_a_short_post_with_one_copied_sentence_is_only_warned(settings: Settings) -> None:
    body = f"Bonne nouvelle. {sentence(20)} Voilà."  # 90 % copied, but 20 words: a warning
    findings = [f for f in check(body, settings) if f.rule_id == "C1"]
    assert [f.severity for f in findings] == ["warning"]


def test_c1_lightly_edited_sentence_is_a_warning(settings: Settings) -> None:
    body = (
        "Les habitants volontaires reçoivent une formation de trois heures et un guide "
        "d’utilisation du capteur."
    )
    source = (
        "Les habitants volontaires reçoivent une formation de deux heures et un guide d’entretien "
        "du capteur."
    )
    (finding,) = check(body, settings, source)
    assert (finding.rule_id, finding.severity) == ("C1", "warning")
    assert "lightly edited" in finding.message
    assert f"the source says: “{source}”" in finding.evidence


# ---------------------------------------------------------------- C2 quotations


LONG_QUOTE = " ".join(WORDS[:41])


def test_c2_quotation_over_40_words_is_a_blocker(settings: Settings) -> None:
    body = f"{'Montreval avance. ' * 40}« {LONG_QUOTE} », explique Claire Vasseur."
    (finding,) = [f for f in check(body, settings) if f.rule_id == "C2"]
    assert finding.severity == "blocker"
    assert "41 words long" in finding.message


@pytest.mark.parametrize(
    "attribution",
    [
        "« {q} », explique Claire Vasseur.",
        "Selon la mairie, « {q} ».",
        "D’après la mairie : « {q} ».",
        "Claire Vasseur : « {q} »",
        "“{q}”, said the mayor.",
        "According to the council, “{q}”.",
        "« {q} », a déclaré l’adjointe.",
    ],
)
def test_c2_attribution_is_recognised(attribution: str) -> None:
    text = attribution.format(q="un guide d’entretien du capteur")
    start = text.index("un guide") - 2
    end = text.index("capteur") + len("capteur") + 2
    assert attributed(text, start, end)


def test_c2_unattributed_quotation_is_a_warning(settings: Settings) -> None:
    body = f"{'Montreval avance vite. ' * 20}\n\n« un guide d’entretien du capteur »"
    (finding,) = [f for f in check(body, settings) if f.rule_id == "C2"]
    assert finding.severity == "warning"
    assert "no author is named" in finding.message
    assert "[« un guide d’entretien du capteur »]" in finding.evidence


def test_c2_quotation_over_a_tenth_of_the_post_is_a_warning(settings: Settings) -> None:
    body = "« un guide d’entretien du capteur », explique Claire Vasseur."
    (finding,) = [f for f in check(body, settings) if f.rule_id == "C2"]
    assert finding.severity == "warning"
    assert "of the post" in finding.message


def test_c2_leaves_invented_quotations_to_h2(settings: Settings) -> None:
    body = "« rien de tout cela ne figure dans la source », explique Claire Vasseur."
    assert [f for f in check(body, settings) if f.rule_id == "C2"] == []


# ---------------------------------------------------------------- whose words


NOTES = (
    "Notre association prête gratuitement des capteurs aux familles volontaires de Montreval "
    "et publie chaque semaine une carte des mesures relevées dans chaque quartier de la ville."
)


def test_copying_the_users_own_notes_is_no_infringement(settings: Settings) -> None:
    """The brief's notes are the user's words: C1 and C2 compare with the others' text only,
    while a copied run of the article in the same combined source is still caught."""
    combined = f"{SOURCE}\n\n{NOTES}"
    post = frame(f"{NOTES}\n\n{sentence(25)}", "fr", "linkedin", settings)
    cfg = settings.channels["linkedin"]
    own = RuleContext(settings.brand, settings.channels, combined, "fr", protected_text=SOURCE)
    findings = [f for rule in copyright.RULES for f in rule(post, cfg, own)]
    assert [(f.rule_id, f.severity) for f in findings] == [("C1", "blocker")]
    assert "25 words in a row" in findings[0].message

    everyone = RuleContext(settings.brand, settings.channels, combined, "fr")
    assert len([f for rule in copyright.RULES for f in rule(post, cfg, everyone)]) == 2
