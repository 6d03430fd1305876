"""The whole suite: every rule family, run on every post of a bundle."""

from __future__ import annotations

from collections.abc import Sequence

from pressroom.compliance import bias, copyright, gdpr, grounding, hostile, rules
from pressroom.compliance.base import BundleContent, PostRule, RuleContext
from pressroom.models import SEVERITY_ORDER, ComplianceReport, Finding
from pressroom.settings import BrandConfig, ChannelConfig, ImageSize

POST_RULES: tuple[PostRule, ...] = (
    *rules.FIRST_RULES,
    *grounding.RULES,
    *copyright.RULES,
    *bias.RULES,
    *hostile.RULES,
    *gdpr.RULES,
)


#: The rules for any text, posted or not: brand safety, contact data, bias, hostile content,
#: personal data; and those that need a source to check against.
TEXT_RULES: tuple[PostRule, ...] = (
    rules.check_banned_terms,
    rules.check_contact_data,
    *bias.RULES,
    *hostile.RULES,
    *gdpr.RULES,
)
GROUNDED_RULES: tuple[PostRule, ...] = (*grounding.RULES, *copyright.RULES)


def unposted(label: str) -> ChannelConfig:
    """The "channel" of a text that is read, not posted (a narration, an article): no length,
    hashtag or link-policy limits apply to it."""
    return ChannelConfig(
        label=label,
        max_chars=1_000_000,
        target_chars=1_000_000,
        max_hashtags=1_000,
        link_policy="inline",
        image=ImageSize(width=1200, height=630),
    )


def configured_severity(
    finding: Finding, brand: BrandConfig, channels: dict[str, ChannelConfig]
) -> Finding:
    """The finding at the severity configured for its rule: the channel's (for a post on that
    channel) wins over the brand's, which wins over the rule's own. The message says so."""
    channel = channels.get(finding.location)
    severity, whose = brand.rule_severity.get(finding.rule_id), "the brand"
    if channel is not None and finding.rule_id in channel.rule_severity:
        severity, whose = channel.rule_severity[finding.rule_id], f"the {channel.label} channel"
    if severity is None or severity == finding.severity:
        return finding
    note = f" (severity set by {whose}: {severity}, rule default {finding.severity})"
    return finding.model_copy(update={"severity": severity, "message": finding.message + note})


def check_bundle(
    content: BundleContent,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    rules: Sequence[PostRule] = POST_RULES,
    extra: Sequence[Finding] = (),
) -> ComplianceReport:
    """Run every rule (the whole suite unless told otherwise) on every post, add the `extra`
    findings (the source's, the assets'), apply configured severities; blockers first."""
    ctx = RuleContext(
        brand=brand,
        channels=channels,
        source_text=content.source_text,
        language=content.language,
        source_url=content.source_url,
        protected_text=content.protected_text,
    )
    findings: list[Finding] = list(extra)
    for post in content.posts:
        if post.text not in content.digest_markdown:
            findings.append(
                Finding(
                    rule_id="X1",
                    severity="blocker",
                    message="The readable digest (posts.md) does not show this post as it will "
                    "be published.",
                    location=post.channel,
                )
            )
        cfg = channels.get(post.channel)
        if cfg is None:
            findings.append(
                Finding(
                    rule_id="X1",
                    severity="blocker",
                    message=f"No channel named {post.channel!r} is configured.",
                    location=post.channel,
                )
            )
            continue
        for rule in rules:
            findings.extend(rule(post, cfg, ctx))
    findings = [configured_severity(f, brand, channels) for f in findings]
    findings.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return ComplianceReport(content_sha256=content.content_sha256, findings=findings)
