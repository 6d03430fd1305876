"""What the video and the voice-over bundles share: a narration through the text rules (and the
grounding and copying rules when there is a source to check it against), and the AI label their
machine-readable description must carry.

* R1 ai-disclosure   the bundle records no AI label, or not the brand's; the text people   blocker
                     read does not show it; a narration that must say it does not
* H0 no-source       no source given: grounding and copying were not checked              info
"""

from __future__ import annotations

from typing import Any

from pressroom.compliance import rules
from pressroom.compliance.base import BundleContent, PostContent
from pressroom.compliance.suite import GROUNDED_RULES, TEXT_RULES, check_bundle, unposted
from pressroom.models import ComplianceReport, Finding, Source, StagedBundle
from pressroom.settings import BrandConfig, ChannelConfig

NARRATION = "narration"


def check_narration(
    staged: StagedBundle,
    *,
    narration: str,
    description: dict[str, Any],
    digest: str,
    source: Source | None,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    extra: list[Finding],
    said_disclosure: str | None = None,
) -> ComplianceReport:
    """The report on a staged bundle's `narration` (as its readable `digest` must show it).

    `description` is the bundle's JSON description (language, disclosure, source_url);
    `said_disclosure`, when given, is a sentence the narration itself must say (R1): it frames
    the narration, so the grounding rules leave it out. `extra` holds the source's and the
    assets' findings, and the format's own (its `label_findings` among them)."""
    content = BundleContent(
        content_sha256=staged.content_sha256,
        posts=[
            PostContent(NARRATION, narration, said_disclosure or description["disclosure"], None)
        ],
        digest_markdown=digest,
        source_text=source.text if source else "",
        language=description["language"],
        source_url=description.get("source_url") or "",
        protected_text=source.protected_text if source else None,
    )
    findings = list(extra)
    if source is None:
        findings.append(
            Finding(
                rule_id="H0",
                severity="info",
                message="The script names no source: numbers, quotations and names in the "
                "narration were not checked against one, nor was copying. Check them yourself.",
                location=NARRATION,
            )
        )
    checked = (*TEXT_RULES, *GROUNDED_RULES) if source is not None else TEXT_RULES
    return check_bundle(
        content,
        brand,
        {NARRATION: unposted("Narration"), **channels},
        rules=(rules.check_disclosure, *checked) if said_disclosure else checked,
        extra=findings,
    )


def label_findings(
    description: dict[str, Any], brand: BrandConfig, *, shown_in: str | None = None
) -> list[Finding]:
    """R1: the description records the brand's label (short or long) for its language; and
    `shown_in`, a text people read (a transcript), carries it too."""
    expected = brand.disclosure_for(description["language"])
    labels = (expected.short, expected.long)
    findings = []
    if description.get("disclosure") not in labels:
        findings.append(
            Finding(
                rule_id="R1",
                severity="blocker",
                message="The bundle does not carry the brand's AI-disclosure label "
                "(EU AI Act, Art. 50).",
                evidence=f"expected {expected.short!r}, found {description.get('disclosure')!r}",
                location="label",
            )
        )
    if shown_in is not None and not any(label in shown_in for label in labels):
        findings.append(
            Finding(
                rule_id="R1",
                severity="blocker",
                message="The text people read does not show the brand's AI-disclosure label "
                "(EU AI Act, Art. 50).",
                evidence=f"expected {expected.short!r} or {expected.long!r}",
                location="transcript",
            )
        )
    return findings
