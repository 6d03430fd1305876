"""Compliance rules: each fires with its id and severity on crafted content, and only then."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pressroom.compliance import BundleContent, PostContent, check_bundle
from pressroom.compliance.licences import check_licences
from pressroom.compliance.rules import FIRST_RULES
from pressroom.models import (
    CardImage,
    ChannelPost,
    ComplianceReport,
    Finding,
    Source,
    StagedBundle,
)
from pressroom.publishing import read_bundle_content
from pressroom.settings import Settings
from tasks.publish import stage_posts

WriteFn = Callable[..., list[ChannelPost]]
HASH = "ab" * 32
URL = "https://www.montreval-infos.example/environnement/capteurs-air"
SOURCE_TEXT = (
    "Depuis le 3 mars 2025, 200 foyers de Montreval mesurent la qualité de l’air. "
    "Pour participer, écrivez à capteurs@montreval.fr ou appelez le 03 88 12 34 56."
)
BODY = "Depuis le 3 mars 2025, 200 foyers de Montreval mesurent la qualité de l’air."
DISCLOSURE = {
    "linkedin": "This content was drafted with the help of AI and reviewed by our team.",
    "x": "AI-generated content",
    "instagram": "This content was drafted with the help of AI and reviewed by our team.",
    "facebook": "This content was drafted with the help of AI and reviewed by our team.",
    "tiktok": "AI-generated content",
}


def clean_text(channel: str, body: str = BODY) -> str:
    link = "Link in bio." if channel == "instagram" else f"Read the full story: {URL}"
    if channel == "tiktok":
        link = ""
    blocks = ["Qualité de l’air à Montreval", body, link, "#Pressroom", DISCLOSURE[channel]]
    return "\n\n".join(b for b in blocks if b)


def post(
    channel: str = "linkedin",
    text: str | None = None,
    disclosure: str | None = None,
    alt_text: str | None = "Card: Qualité de l’air à Montreval",
    platform_flags: dict[str, bool] | None = None,
) -> PostContent:
    """A post as the stager writes it: with its platform's AI flag set where it has one."""
    flag = {"instagram": "is_ai_generated", "tiktok": "is_aigc"}.get(channel)
    return PostContent(
        channel=channel,
        text=clean_text(channel) if text is None else text,
        disclosure=DISCLOSURE[channel] if disclosure is None else disclosure,
        image_alt_text=alt_text,
        platform_flags={flag: True} if flag and platform_flags is None else platform_flags or {},
    )


def stage(
    folder: Path,
    settings: Settings,
    source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
) -> StagedBundle:
    """Stage as the flow does (platform flags, licences), without a flow run."""
    return stage_posts.fn(
        str(folder),
        source,
        posts,
        cards,
        settings.channels,
        settings.licences,
        settings.pipeline.providers,
    )


def bundle(*posts: PostContent, digest: str | None = None) -> BundleContent:
    if digest is None:
        digest = "# Digest\n\n" + "\n\n".join(f"```text\n{p.text}\n```" for p in posts)
    return BundleContent(
        content_sha256=HASH, posts=list(posts), digest_markdown=digest, source_text=SOURCE_TEXT
    )


def check(settings: Settings, *posts: PostContent, digest: str | None = None) -> ComplianceReport:
    """The first rule family alone (the other families have their own test modules)."""
    report = check_bundle(
        bundle(*posts, digest=digest), settings.brand, settings.channels, rules=FIRST_RULES
    )
    assert report.content_sha256 == HASH
    return report


def only(report: ComplianceReport, rule_id: str) -> list[Finding]:
    """The findings of `rule_id`, asserting that no other rule fired."""
    assert {f.rule_id for f in report.findings} == {rule_id}, report.findings
    return report.findings


# ---------------------------------------------------------------- clean content


@pytest.mark.parametrize("channel", list(DISCLOSURE))
def test_crafted_clean_post_has_no_findings(settings: Settings, channel: str) -> None:
    report = check(settings, post(channel))
    assert report.findings == []
    assert report.passed


def test_bundle_from_the_writer_passes(
    tmp_path: Path,
    source: Source,
    write: WriteFn,
    settings: Settings,
    fake_card: Callable[..., CardImage],
) -> None:
    posts = write(source)
    cards = {p.channel: fake_card() for p in posts}
    staged = stage(tmp_path, settings, source, posts, cards)
    content = read_bundle_content(staged, source.text)
    assert [p.text for p in content.posts] == [p.text for p in posts]
    report = check_bundle(content, settings.brand, settings.channels)
    assert report.blockers == [], report.blockers
    # The embedded writer makes short key points of the source: no copied passage (C1, at the
    # rule's own severity) and no quotation (C2).
    assert not [w for w in report.warnings if w.rule_id in ("C1", "C2")], report.warnings
    assert report.passed
    assert report.content_sha256 == staged.content_sha256


# ---------------------------------------------------------------- one rule at a time


def test_l1_over_length_post_is_a_blocker(settings: Settings) -> None:
    long_body = "Montreval mesure la qualité de l’air. " * 12
    findings = only(check(settings, post("x", clean_text("x", long_body))), "L1")
    assert len(findings) == 1
    finding = findings[0]
    assert finding.severity == "blocker"
    assert finding.location == "x"
    assert "280" in finding.message
    assert finding.evidence and finding.evidence in clean_text("x", long_body)


def test_l1_counts_as_x_counts(settings: Settings) -> None:
    # 120 emoji: 120 code points, but 240 on X; with the frame, over 280 only on X.
    heavy = "🌍" * 120
    x_text = clean_text("x", heavy)
    assert len(x_text) < 280
    assert only(check(settings, post("x", x_text)), "L1")[0].severity == "blocker"
    assert check(settings, post("linkedin", clean_text("linkedin", heavy))).findings == []


def test_l1_long_url_counts_23_on_x(settings: Settings) -> None:
    long_url = "https://example.org/" + "segment/" * 40
    text = clean_text("x").replace(URL, long_url)
    assert len(text) > 280
    assert check(settings, post("x", text)).findings == []


def test_l2_too_many_hashtags_is_a_blocker(settings: Settings) -> None:
    text = clean_text("x").replace("#Pressroom", "#Pressroom #Montreval #QualitéDeLAir")
    findings = only(check(settings, post("x", text)), "L2")
    assert findings[0].severity == "blocker"
    assert findings[0].location == "x"
    assert findings[0].evidence == "#Pressroom #Montreval #QualitéDeLAir"


def test_l2_counts_hashtags_anywhere_in_the_text(settings: Settings) -> None:
    body = BODY + " Le mot-clé #AirMontreval circule."
    text = clean_text("x", body).replace("#Pressroom", "#Pressroom #Montreval")
    assert only(check(settings, post("x", text)), "L2")[0].evidence.split() == [
        "#AirMontreval",
        "#Pressroom",
        "#Montreval",
    ]


@pytest.mark.parametrize("channel", ["instagram", "tiktok"])
def test_l3_url_where_links_are_not_clickable_is_a_warning(
    settings: Settings, channel: str
) -> None:
    text = clean_text(channel, f"{BODY} Plus d’infos : {URL}")
    findings = only(check(settings, post(channel, text)), "L3")
    assert [(f.severity, f.location, f.evidence) for f in findings] == [("warning", channel, URL)]


def test_l3_url_is_fine_on_an_inline_channel(settings: Settings) -> None:
    assert check(settings, post("facebook", clean_text("facebook", f"{BODY} {URL}"))).findings == []


def test_d1_missing_disclosure_is_a_blocker(settings: Settings) -> None:
    text = clean_text("linkedin").replace(DISCLOSURE["linkedin"], "")
    findings = only(check(settings, post("linkedin", text)), "R1")
    assert findings[0].severity == "blocker"
    assert findings[0].location == "linkedin"
    assert DISCLOSURE["linkedin"] in findings[0].evidence


def test_d1_empty_disclosure_label_is_a_blocker(settings: Settings) -> None:
    findings = only(check(settings, post("linkedin", disclosure="")), "R1")
    assert findings[0].severity == "blocker"
    assert findings[0].evidence == "no label set"


@pytest.mark.parametrize("alt_text", ["", "   \n"])
def test_d2_empty_alt_text_is_a_warning(settings: Settings, alt_text: str) -> None:
    findings = only(check(settings, post("instagram", alt_text=alt_text)), "A1")
    assert findings[0].severity == "warning"
    assert findings[0].location == "instagram image"


def test_d2_no_image_is_not_a_finding(settings: Settings) -> None:
    assert check(settings, post("instagram", alt_text=None)).findings == []


@pytest.mark.parametrize(
    ("sentence", "term", "hit"),
    [
        ("Un capteur Miracle pour Montreval.", "Miracle", "Miracle"),
        ("Un capteur MIRACLE pour Montreval.", "miracle", "MIRACLE"),
        ("Une mesure révolutionnaire, disent-ils.", "révolutionnaire", "révolutionnaire"),
        ("Un air pur garanti à 100 % pour tous.", "garanti à 100 %", "garanti à 100 %"),
        ("Results guaranteed by the council.", "guaranteed", "guaranteed"),
    ],
)
def test_b1_banned_term_is_a_blocker(
    settings: Settings, sentence: str, term: str, hit: str
) -> None:
    text = clean_text("linkedin", f"{BODY} {sentence}")
    findings = only(check(settings, post("linkedin", text)), "S1")
    assert len(findings) == 1
    assert findings[0].severity == "blocker"
    assert findings[0].location == "linkedin"
    assert f"[{hit}]" in findings[0].evidence
    assert term.lower() in findings[0].message.lower()


@pytest.mark.parametrize(
    "sentence",
    [
        "Les miracles n’existent pas, dit-elle.",  # plural: another word
        "Un programme antimiracle, selon la mairie.",
        "Des résultats révolutionnaires, selon la mairie.",
        "Results are not guaranteedly better.",
    ],
)
def test_b1_matches_whole_words_only(settings: Settings, sentence: str) -> None:
    text = clean_text("linkedin", f"{BODY} {sentence}")
    assert check(settings, post("linkedin", text)).findings == []


def test_b1_reports_every_occurrence(settings: Settings) -> None:
    text = clean_text("linkedin", f"{BODY} Miracle ! Un vrai miracle.")
    findings = only(check(settings, post("linkedin", text)), "S1")
    assert [f.evidence.count("[") for f in findings] == [1, 1]
    assert "[Miracle]" in findings[0].evidence
    assert "[miracle]" in findings[1].evidence


@pytest.mark.parametrize("contact", ["info@montreval.fr", "01 23 45 67 89", "+33 6 12 34 56 78"])
def test_g3_contact_absent_from_the_source_is_a_blocker(settings: Settings, contact: str) -> None:
    text = clean_text("linkedin", f"{BODY} Contact : {contact}.")
    findings = only(check(settings, post("linkedin", text)), "G3")
    assert len(findings) == 1
    assert findings[0].severity == "blocker"
    assert f"[{contact}]" in findings[0].evidence


@pytest.mark.parametrize(
    "contact", ["capteurs@montreval.fr", "Capteurs@Montreval.FR", "03.88.12.34.56", "0388123456"]
)
def test_g3_contact_copied_from_the_source_is_a_warning(settings: Settings, contact: str) -> None:
    text = clean_text("linkedin", f"{BODY} Contact : {contact}.")
    findings = only(check(settings, post("linkedin", text)), "G3")
    assert len(findings) == 1
    assert findings[0].severity == "warning"
    assert contact in findings[0].evidence


@pytest.mark.parametrize("text", ["", "  \n\n "])
def test_e1_empty_post_is_a_blocker(settings: Settings, text: str) -> None:
    report = check(settings, post("linkedin", text))
    e1 = [f for f in report.findings if f.rule_id == "E1"]
    assert [(f.severity, f.location) for f in e1] == [("blocker", "linkedin")]
    assert "E2" not in {f.rule_id for f in report.findings}
    assert not report.passed


def test_e2_post_with_almost_nothing_but_its_frame_is_a_warning(settings: Settings) -> None:
    text = f"Montreval !\n\nRead the full story: {URL}\n\n#Pressroom\n\n{DISCLOSURE['linkedin']}"
    findings = only(check(settings, post("linkedin", text)), "E2")
    assert findings[0].severity == "warning"
    assert findings[0].evidence == text[:120]


def test_i1_digest_that_does_not_show_the_post_is_a_blocker(settings: Settings) -> None:
    shown = post("linkedin")
    published = post("linkedin", clean_text("linkedin", BODY + " Une phrase ajoutée après coup."))
    report = check(settings, published, digest=f"```text\n{shown.text}\n```")
    findings = only(report, "X1")
    assert [(f.severity, f.location) for f in findings] == [("blocker", "linkedin")]


def test_i1_unknown_channel_is_a_blocker(settings: Settings) -> None:
    unknown = PostContent(
        channel="myspace", text=clean_text("x"), disclosure=DISCLOSURE["x"], image_alt_text=None
    )
    findings = only(check(settings, unknown), "X1")
    assert findings[0].severity == "blocker"
    assert "myspace" in findings[0].message


# ---------------------------------------------------------------- the report


def test_blockers_come_first(settings: Settings) -> None:
    report = check(
        settings,
        post("instagram", clean_text("instagram", f"{BODY} {URL}"), alt_text=""),  # L3, A1
        post("tiktok", clean_text("tiktok", f"{BODY} {URL} Un miracle.")),  # L3, S1
        post("x", clean_text("x").replace(DISCLOSURE["x"], "")),  # R1
    )
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=["blocker", "warning", "info"].index)
    assert {f.rule_id for f in report.blockers} == {"S1", "R1"}
    assert {f.rule_id for f in report.warnings} == {"L3", "A1"}
    assert len(report.findings) == 5
    assert not report.passed


def test_findings_of_several_posts_name_their_channel(settings: Settings) -> None:
    report = check(
        settings,
        post("linkedin", clean_text("linkedin", f"{BODY} Un miracle.")),
        post("facebook", clean_text("facebook", f"{BODY} Un miracle.")),
    )
    assert [(f.rule_id, f.location) for f in report.findings] == [
        ("S1", "linkedin"),
        ("S1", "facebook"),
    ]


@pytest.mark.parametrize(
    ("channel", "flags"),
    [("tiktok", {}), ("tiktok", {"is_aigc": False}), ("instagram", {"is_aigc": True})],
)
def test_r2_a_post_without_its_platforms_ai_flag_is_a_blocker(
    settings: Settings, channel: str, flags: dict[str, bool]
) -> None:
    [finding] = only(check(settings, post(channel, platform_flags=flags)), "R2")
    assert finding.severity == "blocker" and finding.location == channel
    assert settings.channels[channel].ai_flag in finding.message


def test_the_stager_sets_each_platforms_ai_flag(
    tmp_path: Path, settings: Settings, fr_source: Source, write, fake_card
) -> None:  # type: ignore[no-untyped-def]
    posts = write(fr_source)
    card = fake_card()
    offline = card.model_copy(
        update={"generation": card.generation.model_copy(update={"provider": "offline"})}
    )
    cards = {p.channel: offline for p in posts} | {"x": card}  # "test": a provider of no terms
    staged = stage(tmp_path, settings, fr_source, posts, cards)
    content = read_bundle_content(staged, fr_source.text)
    flags = {p.channel: p.platform_flags for p in content.posts}
    assert flags["tiktok"] == {"is_aigc": True}
    assert flags["instagram"] == {"is_ai_generated": True}
    assert flags["linkedin"] == {}
    assert not [
        f
        for f in check_bundle(content, settings.brand, settings.channels).findings
        if f.rule_id == "R2"
    ]
    licences = {f.path: f.licence for f in staged.files if f.path.startswith("images/")}
    assert licences.pop("images/x.png") is None
    assert licences and all(
        licence is not None and licence.provider == "offline" and licence.commercial_use
        for licence in licences.values()
    )
    [c3] = check_licences(staged.files, settings.channels)
    assert (c3.rule_id, c3.severity, c3.location) == ("C3", "blocker", "images/x.png")


def test_a_channel_severity_wins_over_the_brands_for_posts_on_that_channel(
    settings: Settings,
) -> None:
    brand = settings.brand.model_copy(update={"rule_severity": {"S1": "warning"}})
    channels = dict(settings.channels)
    channels["linkedin"] = channels["linkedin"].model_copy(update={"rule_severity": {"S1": "info"}})
    report = check_bundle(
        bundle(
            post("linkedin", clean_text("linkedin", f"{BODY} Un miracle.")),
            post("facebook", clean_text("facebook", f"{BODY} Un miracle.")),
        ),
        brand,
        channels,
        rules=FIRST_RULES,
    )
    by_channel = {f.location: f for f in report.findings}
    assert by_channel["linkedin"].severity == "info"
    assert "set by the LinkedIn channel" in by_channel["linkedin"].message
    assert by_channel["facebook"].severity == "warning"
    assert "set by the brand" in by_channel["facebook"].message


def test_extra_findings_join_the_report_at_their_configured_severity(settings: Settings) -> None:
    brand = settings.brand.model_copy(update={"rule_severity": {"I2": "blocker"}})
    signal = Finding(
        rule_id="I2", severity="warning", message="speaks to a model", location="source"
    )
    report = check_bundle(
        bundle(post("x", clean_text("x"))), brand, settings.channels, rules=(), extra=[signal]
    )
    assert [(f.rule_id, f.severity) for f in report.findings] == [("I2", "blocker")]
    assert report.quarantined and not report.passed
