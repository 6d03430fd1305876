"""The first compliance rules (ids and severities are listed in the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pressroom.channels import post_length
from pressroom.compliance.base import PostContent, PostRule, RuleContext, excerpt
from pressroom.compliance.contact import find_contact_data, same_contact
from pressroom.models import Finding
from pressroom.settings import ChannelConfig
from pressroom.text import HASHTAG, URL, count_words

MIN_BODY_WORDS = 8


def check_length(post: PostContent, cfg: ChannelConfig, _: RuleContext) -> Iterator[Finding]:
    length = post_length(post.text, cfg)
    if length > cfg.max_chars:
        yield Finding(
            rule_id="L1",
            severity="blocker",
            message=f"{cfg.label} allows {cfg.max_chars} characters; this post counts {length}.",
            evidence=post.text[cfg.max_chars - 20 : cfg.max_chars + 20],
            location=post.channel,
        )


def check_hashtags(post: PostContent, cfg: ChannelConfig, _: RuleContext) -> Iterator[Finding]:
    tags = HASHTAG.findall(post.text)
    if len(tags) > cfg.max_hashtags:
        yield Finding(
            rule_id="L2",
            severity="blocker",
            message=f"{cfg.label} posts may carry {cfg.max_hashtags} hashtags; this one has "
            f"{len(tags)}.",
            evidence=" ".join(tags),
            location=post.channel,
        )


def check_link_policy(post: PostContent, cfg: ChannelConfig, _: RuleContext) -> Iterator[Finding]:
    if cfg.link_policy == "inline":
        return
    for match in URL.finditer(post.text):
        yield Finding(
            rule_id="L3",
            severity="warning",
            message=f"Links are not clickable in {cfg.label} posts; readers will not be able "
            "to follow this one.",
            evidence=match.group(),
            location=post.channel,
        )


def check_disclosure(post: PostContent, cfg: ChannelConfig, _: RuleContext) -> Iterator[Finding]:
    if not post.disclosure or post.disclosure not in post.text:
        yield Finding(
            rule_id="R1",
            severity="blocker",
            message="The AI-disclosure label is missing: AI-generated content must say so "
            "(EU AI Act, Art. 50).",
            evidence=f"expected: {post.disclosure!r}" if post.disclosure else "no label set",
            location=post.channel,
        )


def check_platform_flag(post: PostContent, cfg: ChannelConfig, _: RuleContext) -> Iterator[Finding]:
    """R2: where a platform's API has a flag for AI-generated content, the payload sets it."""
    if cfg.ai_flag and post.platform_flags.get(cfg.ai_flag) is not True:
        yield Finding(
            rule_id="R2",
            severity="blocker",
            message=f"{cfg.label} marks AI-generated posts with the API flag {cfg.ai_flag}; "
            "this post does not set it, so the platform would show it unlabelled.",
            evidence=f"platform_flags: {post.platform_flags or {}}",
            location=post.channel,
        )


def check_alt_text(post: PostContent, cfg: ChannelConfig, _: RuleContext) -> Iterator[Finding]:
    if post.image_alt_text is not None and not post.image_alt_text.strip():
        yield Finding(
            rule_id="A1",
            severity="warning",
            message="The card image has no alt text: screen-reader users will miss it.",
            location=f"{post.channel} image",
        )


def check_banned_terms(
    post: PostContent, cfg: ChannelConfig, ctx: RuleContext
) -> Iterator[Finding]:
    for term in ctx.brand.banned_terms:
        pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(post.text):
            yield Finding(
                rule_id="S1",
                severity="blocker",
                message=f"“{term}” is on the brand's list of banned terms.",
                evidence=excerpt(post.text, match.start(), match.end()),
                location=post.channel,
            )


def check_contact_data(
    post: PostContent, cfg: ChannelConfig, ctx: RuleContext
) -> Iterator[Finding]:
    in_source = find_contact_data(ctx.source_text)
    for found in find_contact_data(post.text):
        copied = any(same_contact(found.value, s.value) for s in in_source)
        kind = "e-mail address" if found.kind == "email" else "phone number"
        yield Finding(
            rule_id="G3",
            severity="warning" if copied else "blocker",
            message=(
                f"A {kind} is published. It appears in the source; make sure publishing it "
                "is intended (GDPR: minimise personal data)."
                if copied
                else f"A {kind} that is not in the source appears in the post (GDPR; possibly "
                "invented)."
            ),
            evidence=excerpt(post.text, found.start, found.end),
            location=post.channel,
        )


def check_substance(post: PostContent, cfg: ChannelConfig, ctx: RuleContext) -> Iterator[Finding]:
    if not post.text.strip():
        yield Finding(
            rule_id="E1",
            severity="blocker",
            message="The post is empty.",
            location=post.channel,
        )
        return
    body = HASHTAG.sub("", URL.sub("", post.text.replace(post.disclosure, "")))
    words = count_words(body)
    if words < MIN_BODY_WORDS:
        yield Finding(
            rule_id="E2",
            severity="warning",
            message=f"The post says almost nothing besides its frame ({words} words).",
            evidence=post.text[:120],
            location=post.channel,
        )


FIRST_RULES: tuple[PostRule, ...] = (
    check_substance,
    check_length,
    check_hashtags,
    check_link_policy,
    check_disclosure,
    check_platform_flag,
    check_alt_text,
    check_banned_terms,
    check_contact_data,
)
