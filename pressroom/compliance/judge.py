"""The optional LLM judge: claims of the posts that the source does not support.

    judgement = judge_posts(posts, source, brand=brand, provider="openai",
                            settings=providers.openai, api_key=key)
    judgement.findings     # J1 claims, J0 notes on the judge itself
    judgement.generation   # the call's record (model, tokens, attempts, redactions), or None

* J1 judge-claim   a claim the judge finds unsupported or contradicted by the source     warning
* J0 judge-status  the judge did not run: the text provider is offline (info) or the call
                   failed (warning); or some of its claims were dropped (info)

The judge's verdict counts only on evidence we can check ourselves: a claim is kept when its
span is in the post and the source passage it quotes is in the source, both word for word
(spacing, quotation marks, apostrophes and case aside). A claim "contradicted" with nothing
quoted, or quoting fewer than three words, is dropped too. An "unsupported" claim may quote
nothing: the source's silence is its evidence. Dropped claims are counted in a J0 note, never
shown as findings. A brand's `rule_severity` may raise J1 (`check_bundle(..., extra=...)`
applies it); J0 has its own id so that doing so never turns "the judge did not run" into a
blocker.

The call is the OpenAI text provider's (`OpenAIWriter`): chat completions with a strict JSON
schema, structured personal data replaced by placeholders in the source and the posts and every
message re-scanned before it leaves (`assert_minimised`), the source wrapped as untrusted data
between per-call markers, transient failures retried. Posts are sent without their frame (the
disclosure label, call to action, hashtags, links), which claims nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from pressroom.compliance.base import PostContent, RuleContext
from pressroom.compliance.grounding import claim_text
from pressroom.compliance.pii import presidio_detector
from pressroom.errors import PressroomError
from pressroom.models import Finding, Generation, Severity, Source
from pressroom.privacy import Redaction
from pressroom.prompts import load_template
from pressroom.providers.openai_text import (
    PROVIDER,
    OpenAIWriter,
    _comparable,
    _Request,
    _source_block,
)
from pressroom.settings import BrandConfig, OpenAISettings
from pressroom.text import normalize_space, truncate_words

CLAIM_RULE = "J1"
STATUS_RULE = "J0"
TEMPLATE_ID = "judge"
MIN_EVIDENCE_WORDS = 3
SHOWN_CHARS = 300  # a claim's span, evidence or reason, as shown to the reviewer


# ---------------------------------------------------------------- what the model returns


class JudgedClaim(BaseModel):
    channel: str = Field(description="The channel id: the word in brackets")
    span: str = Field(description="The post's words that make the claim, copied exactly")
    verdict: Literal["unsupported", "contradicted"]
    evidence: str = Field(
        description="The source passage, copied word for word; empty when the source says "
        "nothing on the claim"
    )
    reason: str = Field(description="Why, in one sentence")


class Verdict(BaseModel):
    claims: list[JudgedClaim]


class Judgement(BaseModel):
    """What the judge adds to a compliance report, and the record of its call."""

    findings: list[Finding] = Field(default_factory=list)
    generation: Generation | None = None
    error: str | None = Field(default=None, description="Why the judge could not run, if so")


# ---------------------------------------------------------------- the evidence filter


@dataclass(frozen=True)
class Admission:
    findings: list[Finding]  # J1, one per claim kept
    dropped: list[str]  # each claim dropped, with why


def admit(
    claims: Sequence[JudgedClaim], posts: Sequence[PostContent], source_text: str, model: str
) -> Admission:
    """The claims whose span is in their post and whose evidence is in the source, as J1."""
    posts_by_channel = {post.channel: _comparable(post.text) for post in posts}
    source = _comparable(source_text)
    findings: list[Finding] = []
    dropped: list[str] = []
    seen: set[tuple[str, str]] = set()
    for claim in claims:
        key = (claim.channel, _comparable(claim.span))
        problem = _problem(claim, posts_by_channel, source)
        if problem:
            dropped.append(f"“{_shown(claim.span)}” ({claim.channel}): {problem}")
        elif key not in seen:  # the same claim twice is reported once
            findings.append(_claim_finding(claim, model))
            seen.add(key)
    return Admission(findings, dropped)


def _problem(claim: JudgedClaim, posts: dict[str, str], source: str) -> str:
    """Why the claim cannot count, or "" when it can."""
    post = posts.get(claim.channel)
    if post is None:
        return "no post on this channel"
    span = _comparable(claim.span)
    if not span or span not in post:
        return "the span is not in the post"
    evidence = _comparable(claim.evidence)
    if not evidence:
        return "contradicted, but nothing quoted" if claim.verdict == "contradicted" else ""
    if len(evidence.split()) < MIN_EVIDENCE_WORDS:
        return f"the evidence quotes fewer than {MIN_EVIDENCE_WORDS} words"
    return "" if evidence in source else "the evidence is not in the source"


def _claim_finding(claim: JudgedClaim, model: str) -> Finding:
    said = "contradicted by" if claim.verdict == "contradicted" else "not supported by"
    quoted = normalize_space(claim.evidence)
    evidence = f"the source says: “{_shown(quoted)}”" if quoted else "no support in the source"
    return Finding(
        rule_id=CLAIM_RULE,
        severity="warning",
        message=f"A fact-checking model ({model}) finds this claim {said} the source: "
        f"{_shown(claim.reason)} Check it against the source.",
        evidence=f"“{_shown(claim.span)}” — {evidence}",
        location=claim.channel,
    )


def _shown(text: str) -> str:
    return truncate_words(normalize_space(text), SHOWN_CHARS)


def _status(severity: Severity, message: str, evidence: str = "") -> Finding:
    return Finding(rule_id=STATUS_RULE, severity=severity, message=message, evidence=evidence)


# ---------------------------------------------------------------- the call


class OpenAIJudge(OpenAIWriter):
    """The OpenAI text provider's client, retries, minimisation and form checks, asked for a
    verdict instead of content."""

    def judge(
        self, posts: Sequence[PostContent], source: Source, brand: BrandConfig
    ) -> tuple[Verdict, Generation]:
        template = load_template(TEMPLATE_ID, source.language)
        redaction = Redaction(detector=presidio_detector(source.language))
        request = _Request(template, source, redaction)
        ctx = RuleContext(brand, {}, source.text, source.language)
        inputs = {
            "source": _source_block(source, redaction),
            "language": source.language,
            "posts": "\n\n".join(
                template.fragment(
                    "post", channel=post.channel, text=redaction.add(_claims_only(post, ctx))
                )
                for post in posts
            ),
        }
        answer = self._ask(request, Verdict, "a verdict that does not fit", inputs)
        restore = redaction.restore
        claims = [
            claim.model_copy(
                update={
                    "span": restore(claim.span),
                    "evidence": restore(claim.evidence),
                    "reason": restore(claim.reason),
                }
            )
            for claim in answer.output.claims
        ]
        generation = Generation(
            provider=PROVIDER,
            model=answer.model,
            template_id=template.id,
            template_version=template.version,
            parameters={
                "language": source.language,
                "prompt_language": template.language,
                "posts": len(posts),
                "claims": len(claims),
            },
            seconds=answer.seconds,
            input_tokens=answer.input_tokens,
            output_tokens=answer.output_tokens,
            attempts=answer.attempts,
            redacted=redaction.counts,
        )
        return Verdict(claims=claims), generation


def _claims_only(post: PostContent, ctx: RuleContext) -> str:
    """The post without its frame, one line per non-empty line."""
    lines = (normalize_space(line) for line in claim_text(post, ctx).splitlines())
    return "\n".join(line for line in lines if line)


def judge_posts(
    posts: Sequence[PostContent],
    source: Source,
    *,
    brand: BrandConfig,
    provider: str,
    settings: OpenAISettings,
    api_key: str | None,
    sleep: Callable[[float], None] = time.sleep,
) -> Judgement:
    """The judge's findings on `posts`, checked against `source` (its title and text).

    `provider` is the run's text provider: with "offline" nothing is sent and a J0 note says
    so. A failure (HTTP error, timeout, no key, an answer of the wrong form) is a J0 warning,
    never an exception: the review goes on, and the reviewer is told the judge did not run."""
    if provider != PROVIDER:
        why = (
            "the text provider is offline"
            if provider == "offline"
            else f"the text provider is {provider!r}, and the judge speaks the OpenAI API only"
        )
        return Judgement(findings=[_status("info", f"The fact-checking model did not run: {why}.")])
    if not posts:
        return Judgement()
    try:
        verdict, generation = OpenAIJudge(settings, api_key, sleep=sleep).judge(
            posts, source, brand
        )
    except PressroomError as error:
        return Judgement(
            findings=[
                _status(
                    "warning",
                    f"The judge could not run: {error}. No model checked the posts' claims "
                    "against the source: read them against it yourself.",
                )
            ],
            error=str(error),
        )
    admission = admit(verdict.claims, posts, f"{source.title}\n\n{source.text}", generation.model)
    findings = list(admission.findings)
    if admission.dropped:
        count = len(admission.dropped)
        findings.append(
            _status(
                "info",
                f"Judge evidence not found in source: {count} dropped. The fact-checking model "
                "made claims whose span or quoted evidence we could not find word for word; "
                "they do not count.",
                "; ".join(admission.dropped),
            )
        )
    kept = {"kept": len(admission.findings), "dropped": len(admission.dropped)}
    generation = generation.model_copy(update={"parameters": {**generation.parameters, **kept}})
    return Judgement(findings=findings, generation=generation)
