"""Bias (B1–B4) and brand-safety (S2, S3) rules: each fires with its id, severity and evidence on
crafted French and English posts, and stays silent on clean ones — including the posts the
embedded writer makes from the two sample articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.compliance import bias, hostile
from pressroom.compliance.base import PostContent, RuleContext
from pressroom.compliance.rules import check_banned_terms
from pressroom.models import FetchedPage, Finding, Revision
from pressroom.providers.offline_text import OfflineWriter
from pressroom.settings import BrandConfig, Settings
from pressroom.sources import extract_source

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "sample"
DISCLOSURE = "AI-generated content"
ARTICLE_URL = "https://news.example.org/2025/05/article"
NEUTRAL_SOURCE = "Montreval and Port Alder: a source that makes no claim and names nobody."


def run(
    settings: Settings,
    text: str,
    language: str,
    *,
    source_text: str = NEUTRAL_SOURCE,
    brand: BrandConfig | None = None,
    rules: tuple[bias.PostRule, ...] = bias.RULES,
) -> list[Finding]:
    ctx = RuleContext(
        brand=brand or settings.brand,
        channels=settings.channels,
        source_text=source_text,
        language=language,
        source_url=ARTICLE_URL,
    )
    post = PostContent(
        channel="linkedin",
        text=f"{text}\n\n{DISCLOSURE}",
        disclosure=DISCLOSURE,
        image_alt_text=None,
    )
    return [f for rule in rules for f in rule(post, settings.channels["linkedin"], ctx)]


def ids(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule_id, f.severity) for f in findings]


def brand_with(settings: Settings, **fields: list[str]) -> BrandConfig:
    return settings.brand.model_copy(update=fields)


# ---------------------------------------------------------------- recruitment content


@pytest.mark.parametrize(
    "text",
    [
        "We're hiring a data engineer in Leeds.",
        "Join our team as a reporter. Apply now!",
        "Nous recrutons un·e journaliste à Lyon.",
        "Journaliste (F/H) en CDI à Lyon.",
        "Postulez avant le 30 juin.",
        "The job pays a good salary; apply with your CV.",
    ],
)
def test_recruitment_content_is_recognised(text: str) -> None:
    assert bias.recruitment_cues(text)


@pytest.mark.parametrize(
    "text",
    [
        "Three candidates are running for mayor; the council plays a key role.",
        "Les candidatures se font en ligne, sur le site de la mairie.",
        "Le recrutement des enseignants reste difficile, selon le rectorat.",
    ],
)
def test_news_is_not_recruitment_content(text: str) -> None:
    assert bias.recruitment_cues(text) == []


# ---------------------------------------------------------------- B1 gender-coded wording

MASCULINE_AD = (
    "We're hiring! We want a competitive, assertive and ambitious leader who thrives in a "
    "dominant, fast-paced team. Apply now."
)


def test_b1_masculine_coded_job_ad_is_a_warning(settings: Settings) -> None:
    findings = run(settings, MASCULINE_AD, "en", rules=(bias.check_gender_coded_wording,))
    assert ids(findings) == [("B1", "warning")]
    message = findings[0].message
    assert "job ad" in message and "“We're hiring”" in message
    assert "masculine" in message and "per 100 words" in message
    assert "Gaucher, Friesen & Kay, 2011" in message
    for word in ("competitive", "assertive", "ambitious", "leader", "dominant"):
        assert word in findings[0].evidence
    assert "feminine-coded: none" in findings[0].evidence


def test_b1_feminine_coded_job_ad_is_a_warning(settings: Settings) -> None:
    text = (
        "Join our team: we need a supportive, collaborative and warm colleague who is committed "
        "to our readers and understanding with sources."
    )
    findings = run(settings, text, "en", rules=(bias.check_gender_coded_wording,))
    assert ids(findings) == [("B1", "warning")]
    assert "leans feminine" in findings[0].message
    assert "collaborative" in findings[0].evidence  # collab*, Gender Decoder's addition


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (MASCULINE_AD.replace("We're hiring! ", "").replace(" Apply now.", ""), "not a job ad"),
        (
            "We're hiring a competitive, ambitious reporter who is supportive and collaborative.",
            "balanced",
        ),
        ("We're hiring a competitive and ambitious reporter for our desk.", "only two words"),
    ],
)
def test_b1_quiet_when_not_one_sided_or_not_a_job_ad(
    settings: Settings, text: str, why: str
) -> None:
    assert run(settings, text, "en", rules=(bias.check_gender_coded_wording,)) == [], why


def test_b1_is_for_english_posts_only(settings: Settings) -> None:
    assert run(settings, MASCULINE_AD, "fr", rules=(bias.check_gender_coded_wording,)) == []


def test_b1_word_lists_follow_the_paper() -> None:
    words = bias.gender_coded_words()
    assert ("compet", True) in words.masculine
    assert ("domina", True) in words.masculine
    assert ("support", True) in words.feminine
    assert ("collab", True) in words.feminine
    assert ("decide", False) in words.masculine  # no asterisk in the paper: that word only
    masculine, feminine, total = bias.coded_words("A data-driven, self-confident team player.")
    assert masculine == ["driven", "self-confident"]
    assert feminine == []
    assert total == 5


# ---------------------------------------------------------------- B2 French hiring criteria

AD = "Nous recrutons un·e journaliste (H/F) en CDI. {criterion}"


@pytest.mark.parametrize(
    ("criterion", "span", "category"),
    [
        ("Candidat·e de moins de 30 ans.", "moins de 30 ans", "age"),
        ("Âgé de 25 à 35 ans.", "Âgé de 25 à 35 ans", "age"),
        ("Vous êtes jeune et dynamique.", "jeune et dynamique", "age"),
        ("Profil jeune recherché.", "Profil jeune", "age"),
        ("Vous êtes un homme de terrain.", "homme de terrain", "sex"),
        ("Poste réservé aux hommes.", "réservé aux hommes", "sex"),
        ("Nationalité française exigée.", "Nationalité française exigée", "origin"),
        ("Français langue maternelle.", "Français langue maternelle", "origin"),
        ("Célibataire et sans enfants de préférence.", "Célibataire", "family"),
        ("Bonne présentation exigée.", "Bonne présentation", "appearance"),
        ("Physique agréable.", "Physique agréable", "appearance"),
        ("Pas de femmes enceintes.", "femmes enceintes", "pregnancy"),
        ("Catholique pratiquante souhaitée.", "Catholique pratiquante", "religion"),
        ("Candidate non voilée.", "non voilée", "religion"),
        ("En bonne santé.", "En bonne santé", "health"),
        ("Non syndiqué de préférence.", "Non syndiqué", "opinions"),
    ],
)
def test_b2_discriminatory_criterion_is_a_blocker(
    settings: Settings, criterion: str, span: str, category: str
) -> None:
    findings = run(
        settings, AD.format(criterion=criterion), "fr", rules=(bias.check_hiring_criteria,)
    )
    assert ids(findings)[:1] == [("B2", "blocker")], findings
    assert f"[{span}]" in findings[0].evidence
    assert "L.1132-1" in findings[0].message
    assert "job ad" in findings[0].message


def test_b2_jeune_diplome_is_only_a_warning(settings: Settings) -> None:
    findings = run(
        settings,
        AD.format(criterion="Jeune diplômé accepté."),
        "fr",
        rules=(bias.check_hiring_criteria,),
    )
    assert ids(findings) == [("B2", "warning")]
    assert "[Jeune diplômé]" in findings[0].evidence
    assert "débutant" in findings[0].message


@pytest.mark.parametrize(
    "criterion",
    [
        "Au moins 3 ans d'expérience ; entre 2 et 5 ans d'expérience en rédaction.",
        "Nous étudions les candidatures sans distinction d'âge, de sexe, d'origine, de situation "
        "de famille, d'orientation sexuelle, de religion ni d'état de santé.",
        "Travail dans l'enceinte du stade, présentation des résultats chaque lundi.",
        "Permis B exigé, anglais courant.",
    ],
)
def test_b2_legitimate_requirements_are_not_reported(settings: Settings, criterion: str) -> None:
    text = AD.format(criterion=criterion)
    assert run(settings, text, "fr", rules=(bias.check_hiring_criteria,)) == []


def test_b2_only_in_recruitment_content(settings: Settings) -> None:
    news = "Les participants, âgés de 25 à 35 ans, sont tous célibataires, selon l'étude."
    assert run(settings, news, "fr", rules=(bias.check_hiring_criteria,)) == []


# ---------------------------------------------------------------- B3 French job titles


def test_b3_masculine_only_title_is_a_warning(settings: Settings) -> None:
    text = "Nous recrutons un développeur pour notre rédaction web, en CDI."
    findings = run(settings, text, "fr", rules=(bias.check_job_titles,))
    assert ids(findings) == [("B3", "warning")]
    assert "[développeur]" in findings[0].evidence
    assert "développeuse" in findings[0].message and "(H/F)" in findings[0].message


def test_b3_reports_a_title_once_and_the_longest_form(settings: Settings) -> None:
    text = "Nous recrutons un chef de projet. Le chef de projet encadre deux développeurs."
    findings = run(settings, text, "fr", rules=(bias.check_job_titles,))
    assert [f.evidence.split("[")[1].split("]")[0] for f in findings] == [
        "chef de projet",
        "développeurs",
    ]


@pytest.mark.parametrize(
    "title",
    [
        "un·e développeur·se",
        "un·e développeur.euse",
        "un·e développeur(se)",
        "un·e développeur/euse",
        "un développeur ou une développeuse",
        "une développeuse ou un développeur",
        "un développeur (H/F)",
        "un développeur F/H",
        "un·e ingénieur·e",
        "un·e chargé·e de communication",
        "un·e chef·fe de projet",
        "un·e aide-soignant·e",
    ],
)
def test_b3_feminine_or_inclusive_forms_are_fine(settings: Settings, title: str) -> None:
    text = f"Nous recrutons {title} pour notre équipe."
    assert run(settings, text, "fr", rules=(bias.check_job_titles,)) == []


def test_b3_adjective_is_not_a_title(settings: Settings) -> None:
    text = "Nous recrutons un·e journaliste ; le développement commercial est notre priorité."
    assert run(settings, text, "fr", rules=(bias.check_job_titles,)) == []
    text = "Nous recrutons un commercial pour le développement commercial."
    assert ids(run(settings, text, "fr", rules=(bias.check_job_titles,))) == [("B3", "warning")]


def test_b3_only_french_recruitment_content(settings: Settings) -> None:
    news = "Le directeur de l'école et les enseignants ont accueilli le ministre."
    assert run(settings, news, "fr", rules=(bias.check_job_titles,)) == []
    assert (
        run(settings, "Nous recrutons un développeur.", "en", rules=(bias.check_job_titles,)) == []
    )


# ---------------------------------------------------------------- B4 offensive language


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("The new timetable is bullshit, frankly.", "blocker"),
        ("Fuck the harbour authority.", "blocker"),
        ("What the hell is going on with the ferries?", "warning"),
    ],
)
def test_b4_english_offensive_sentence(settings: Settings, text: str, severity: str) -> None:
    post = f"Port Alder ferries will sail every 20 minutes from June. {text}"
    findings = run(settings, post, "en", rules=(bias.check_offensive_language,))
    assert ids(findings) == [("B4", severity)]
    assert f"[{text}]" in findings[0].evidence
    assert "offensive" in findings[0].message


def test_b4_thresholds_are_ordered() -> None:
    assert 0.5 < bias.PROFANITY_WARNING < bias.PROFANITY_BLOCKER < 1


def test_b4_english_model_ignores_other_languages(settings: Settings) -> None:
    # The English model scores German "die" as the verb: 0.94 for this sentence.
    text = "Die meisten Kollegen reagieren erschüttert auf die Nachricht."
    assert run(settings, text, "en", rules=(bias.check_offensive_language,)) == []


@pytest.mark.parametrize(
    ("text", "span", "severity"),
    [
        ("Quelle bande de connards, ces chauffards.", "connards", "blocker"),
        ("Le chantier ? Un bordel sans nom.", "bordel", "warning"),
        ("Putain, quelle journée !", "Putain", "warning"),
    ],
)
def test_b4_french_lexicon(settings: Settings, text: str, span: str, severity: str) -> None:
    findings = run(settings, text, "fr", rules=(bias.check_offensive_language,))
    assert ids(findings) == [("B4", severity)]
    assert f"[{span}]" in findings[0].evidence


@pytest.mark.parametrize(
    "text",
    [
        "La rue se termine en cul-de-sac près de l'école.",
        "Le programme coûte 48 000 euros, dont la moitié financée par la région.",
    ],
)
def test_b4_french_clean_text(settings: Settings, text: str) -> None:
    assert run(settings, text, "fr", rules=(bias.check_offensive_language,)) == []


# ---------------------------------------------------------------- S2 competitors


def test_s2_competitor_named_is_a_warning(settings: Settings) -> None:
    brand = brand_with(settings, competitors=["Gazette Plus"])
    text = "Unlike Gazette Plus, we publish the council's figures every week."
    findings = run(settings, text, "en", brand=brand, rules=(bias.check_competitors,))
    assert ids(findings) == [("S2", "warning")]
    assert "[Gazette Plus]" in findings[0].evidence
    assert "not in the source" in findings[0].evidence
    assert "does not name it" in findings[0].message

    source = "The figures were first published by gazette plus on Monday."
    findings = run(
        settings, text, "en", brand=brand, source_text=source, rules=(bias.check_competitors,)
    )
    assert "source: …The figures were first published by [gazette plus]" in findings[0].evidence


def test_s2_quiet_without_competitors_or_when_s1_reports(settings: Settings) -> None:
    text = "Unlike Gazette Plus, we publish the council's figures every week."
    assert run(settings, text, "en", rules=(bias.check_competitors,)) == []
    brand = brand_with(settings, competitors=["Gazette Plus"], banned_terms=["Gazette Plus"])
    findings = run(
        settings, text, "en", brand=brand, rules=(check_banned_terms, bias.check_competitors)
    )
    assert ids(findings) == [("S1", "blocker")]


# ---------------------------------------------------------------- S3 claims needing proof


@pytest.mark.parametrize(
    ("text", "span", "severity", "language"),
    [
        ("This seaweed tea cures cancer, its maker says.", "cures", "blocker", "en"),
        ("Eating seagrass prevents diabetes.", "prevents diabetes", "blocker", "en"),
        ("A clinically proven formula.", "clinically proven", "blocker", "en"),
        ("Ce thé guérit la grippe.", "guérit", "blocker", "fr"),
        ("Une tisane qui prévient le cancer.", "prévient le cancer", "blocker", "fr"),
        ("A risk-free investment for islanders.", "risk-free", "warning", "en"),
        ("Un rendement garanti de 8 % par an.", "rendement garanti", "warning", "fr"),
        ("Un placement sans risque.", "placement sans risque", "warning", "fr"),
        ("The best ferry service in Britain.", "The best", "warning", "en"),
        ("Le meilleur réseau de capteurs de France.", "Le meilleur", "warning", "fr"),
        ("Montreval, n° 1 de la qualité de l’air.", "n° 1", "warning", "fr"),
        ("Des capteurs 100 % fiables.", "100 %", "warning", "fr"),
        ("Une précision garantie par le laboratoire.", "garantie", "warning", "fr"),
    ],
)
def test_s3_claim_needing_proof(
    settings: Settings, text: str, span: str, severity: str, language: str
) -> None:
    findings = run(settings, text, language, rules=(bias.check_claims,))
    assert ids(findings) == [("S3", severity)], findings
    assert f"[{span}]" in findings[0].evidence
    assert "not in the source" in findings[0].evidence


def test_s3_health_claim_message_cites_the_law(settings: Settings) -> None:
    findings = run(settings, "Ce thé guérit la grippe.", "fr", rules=(bias.check_claims,))
    assert "health claim" in findings[0].message
    assert "2005/29/EC" in findings[0].message and "L.121-4" in findings[0].message


def test_s3_shows_the_source_passage_when_the_source_makes_the_claim(settings: Settings) -> None:
    source = "Selon le fabricant, c'est le meilleur capteur du marché à ce prix."
    findings = run(
        settings,
        "Le meilleur capteur du marché.",
        "fr",
        source_text=source,
        rules=(bias.check_claims,),
    )
    assert ids(findings) == [("S3", "warning")]
    assert "source: …Selon le fabricant, c'est [le meilleur] capteur" in findings[0].evidence
    assert "attribute it to the source" in findings[0].message


def test_s3_brand_terms_add_to_the_built_in_lists(settings: Settings) -> None:
    brand = brand_with(settings, claims_requiring_proof=["zéro émission", "carbon neutral"])
    text = "Nos ferries zéro émission. Our ferries are carbon neutral."
    findings = run(settings, text, "en", brand=brand, rules=(bias.check_claims,))
    assert ids(findings) == [("S3", "warning"), ("S3", "warning")]
    assert "[zéro émission]" in findings[0].evidence
    assert "brand's list" in findings[0].message


@pytest.mark.parametrize(
    "text",
    [
        "The best way to see the meadow is from the slipway.",
        "It is the best-preserved meadow on the coast, divers say.",
        "One of the divers did the count at best twice.",
        "Les capteurs ont une garantie de deux ans.",
        "Ce n'est pas sans risque, reconnaît la mairie.",
        "Il n'y a pas de solution miracle, mais la meilleure façon de mesurer reste la station.",
        "Cured ham and smoked fish at the market.",
        "There is no risk to the public, the harbour master said.",
    ],
)
def test_s3_ordinary_wording_is_not_a_claim(settings: Settings, text: str) -> None:
    brand = brand_with(settings, banned_terms=[])
    assert run(settings, text, "en", brand=brand, rules=(bias.check_claims,)) == []
    assert run(settings, text, "fr", brand=brand, rules=(bias.check_claims,)) == []


@pytest.mark.parametrize(
    ("text", "banned"),
    [
        ("Un air pur garanti à 100 % pour tous.", "garanti à 100 %"),
        ("Results guaranteed by the council.", "guaranteed"),
    ],
)
def test_s3_does_not_repeat_what_s1_reports(settings: Settings, text: str, banned: str) -> None:
    findings = run(settings, text, "fr", rules=(check_banned_terms, bias.check_claims))
    assert ids(findings) == [("S1", "blocker")]
    assert banned in findings[0].message


# ---------------------------------------------------------------- clean baselines


@pytest.mark.parametrize("language", ["fr", "en"])
def test_clean_posts_have_no_findings(settings: Settings, language: str) -> None:
    text = {
        "fr": "Depuis le 1er mars, deux cents foyers mesurent les particules fines depuis leur "
        "balcon. La ville espère cartographier la pollution rue par rue. #Pressroom",
        "en": "Volunteer divers counted the seagrass that a community project replanted in 2023. "
        "The meadow now covers 1.6 hectares. #Pressroom",
    }[language]
    assert run(settings, text, language, rules=(*bias.RULES, *hostile.RULES)) == []


@pytest.mark.parametrize("sample", ["article.html", "article-en.html"])
def test_sample_articles_through_the_writer_raise_nothing(settings: Settings, sample: str) -> None:
    page = FetchedPage(
        url=ARTICLE_URL,
        final_url=ARTICLE_URL,
        status=200,
        content_type="text/html; charset=utf-8",
        body=(SAMPLES / sample).read_bytes(),
    )
    source = extract_source(page)
    writer = OfflineWriter()
    plan = writer.plan_posts(
        source, writer.analyse_audience(source), settings.brand, settings.channels
    )
    posts = writer.write_posts(source, plan, settings.brand, settings.channels, Revision())
    assert len(posts) == len(settings.channels)
    ctx = RuleContext(
        brand=settings.brand,
        channels=settings.channels,
        source_text=source.text,
        language=source.language,
        source_url=source.url,
    )
    findings = [
        finding
        for post in posts
        for rule in (*bias.RULES, *hostile.RULES)
        for finding in rule(
            PostContent(post.channel, post.text, post.disclosure, "Card: " + source.title),
            settings.channels[post.channel],
            ctx,
        )
    ]
    assert findings == []
    assert any(source.url in post.text for post in posts)  # the link I3 must let through
