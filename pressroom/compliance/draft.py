"""Checking a single draft — written by Pressroom or by a person — against its source."""

from __future__ import annotations

from pressroom.compliance.base import BundleContent, PostContent
from pressroom.compliance.suite import check_bundle
from pressroom.models import ComplianceReport, Source, sha256_hex
from pressroom.settings import BrandConfig, ChannelConfig


def check_draft(
    text: str,
    source: Source,
    *,
    brand: BrandConfig,
    channel: str,
    channels: dict[str, ChannelConfig],
    language: str,
) -> ComplianceReport:
    """Every text rule on `text` as a post for `channel`; the brand's label for that channel and
    language is the disclosure the draft must carry."""
    disclosure = getattr(brand.disclosure_for(language), channels[channel].disclosure)
    post = PostContent(channel=channel, text=text, disclosure=disclosure, image_alt_text=None)
    content = BundleContent(
        content_sha256=sha256_hex(text),
        posts=[post],
        digest_markdown=text,
        source_text=source.text,
        language=language,
        source_url=source.url,
        protected_text=source.protected_text,
    )
    return check_bundle(content, brand, {channel: channels[channel]})


def format_report(report: ComplianceReport) -> str:
    """The report for a terminal: one finding per line, blockers first, evidence below."""
    if not report.findings:
        return "✓ no findings: every check passed"
    marks = {"blocker": "✗ blocker", "warning": "! warning", "info": "i info   "}
    lines = []
    for finding in report.findings:
        lines.append(f"{marks[finding.severity]}  {finding.rule_id:<3} {finding.message}")
        if finding.evidence:
            lines.append(f"               evidence: {finding.evidence}")
    verdict = (
        f"{len(report.blockers)} blocker(s): this draft cannot be published as it is"
        if report.blockers
        else "no blocker"
    )
    return "\n".join([*lines, "", f"{verdict}; {len(report.warnings)} warning(s)"])
