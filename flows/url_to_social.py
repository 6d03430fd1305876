"""URL → social posts: fetch → extract → audience → plan → drafts → cards → compliance →
review → publish. The body only composes tasks: a suspended run re-runs it from the top.
"""

from __future__ import annotations

from prefect import flow
from pydantic import BaseModel

from flows.publishing import describe_targets, publish_remotely
from pressroom.errors import ConfigError, ReviewError
from pressroom.models import Generation, Revision
from pressroom.review import review_description
from pressroom.reviewers import check_approval
from pressroom.settings import S3Target, load_settings
from tasks.compliance import check_compliance, judge_posts
from tasks.costs import report_costs
from tasks.editorial import analyse_audience, plan_posts, write_posts
from tasks.media import render_cards, sign_cards, signing_keys
from tasks.providers import choose_providers
from tasks.publish import (
    publish_bundle,
    record_decision,
    stage_posts,
    stage_previews,
)
from tasks.review import request_review
from tasks.sources import extract_article, fetch_source

GATE = "social"


class SocialResult(BaseModel):
    status: str  # "published" | "rejected"
    content_sha256: str
    reviewer: str
    bundle_uri: str | None = None
    targets: list[str] = []


class ReviewRejected(ReviewError):
    pass


@flow(name="url-to-social", persist_result=True)
def url_to_social(
    url: str,
    brand: str = "default",
    channels: list[str] | None = None,
    language: str = "auto",
    out_dir: str | None = None,
) -> SocialResult:
    """One post per channel from an article URL, published only once a named human approves."""
    settings = load_settings(brand)
    pipeline = settings.pipeline
    selected = {name: settings.channel(name) for name in settings.select_channels(channels)}
    destination = out_dir or pipeline.output_dir

    providers = pipeline.providers
    chosen = choose_providers(providers)
    page = fetch_source(url, pipeline.source.max_bytes)
    source = extract_article(page, pipeline.source.min_words)
    if language not in ("auto", source.language) and chosen["text"] == "offline":
        raise ConfigError(
            f"the source is in {source.language!r} and the offline writer does not translate; "
            f"use --lang auto or configure a text provider that writes {language!r}"
        )
    audience = analyse_audience(source, chosen["text"], providers)
    plan = plan_posts(source, audience, settings.brand, selected, chosen["text"], providers)
    cards = sign_cards(
        render_cards(source, settings.brand, selected, chosen["image"], providers),
        signing_keys(),
    )
    generations: dict[str, list[Generation]] = {
        "audience": [g for g in [audience.generation] if g],
        "plan": [g for g in [plan.generation] if g],
        "cards": [card.generation for card in cards.values()],
    }
    drafts: dict[int, list[Generation]] = {}  # per revision: a re-asked draft is not paid twice
    judged: dict[int, list[Generation]] = {}

    s3_targets = [t for t in pipeline.publish.targets if isinstance(t, S3Target)]
    revision = Revision()
    notice = ""
    for round_ in range(pipeline.review.max_revision_rounds + 1):
        posts = write_posts(
            source, plan, settings.brand, selected, revision, chosen["text"], providers
        )
        drafts[revision.round] = [post.generation for post in posts]
        staged = stage_posts(
            destination, source, posts, cards, selected, settings.licences, providers
        )
        judgement = judge_posts(staged, source, settings.brand, chosen["text"], providers)
        if judgement.generation:
            judged[revision.round] = [judgement.generation]
        report = check_compliance(
            staged, source, settings.brand, selected, destination, judgement.findings
        )
        image_urls = (
            stage_previews(s3_targets[0], staged, pipeline.review.timeout_seconds)
            if s3_targets
            else None
        )
        decision = request_review(
            gate=GATE,
            round_=round_,
            description=review_description(
                source=source,
                posts=posts,
                cards=cards,
                channels=selected,
                report=report,
                staged=staged,
                round_=round_,
                max_rounds=pipeline.review.max_revision_rounds,
                destination=describe_targets(pipeline.publish.targets, destination),
                image_urls=image_urls,
                notice=notice,
                may_waive=settings.reviewers.who_may_waive([f.rule_id for f in report.blockers]),
            ),
            channels=list(selected),
            timeout_seconds=pipeline.review.timeout_seconds,
            poll_interval_seconds=pipeline.review.poll_interval_seconds,
            blockers=bool(report.blockers),
            quarantined=report.quarantined,
        )
        approving = decision.decision == "approve" and not decision.edits
        check = check_approval(decision, report, settings.reviewers) if approving else None
        recorded = record_decision(decision, staged, destination, check)
        if check is not None and not check.stands:
            notice = (
                f"The approval by {decision.reviewer} in round {round_} was not applied: "
                + "; ".join(check.problems)
                + ". Nothing was published."
            )
            continue  # the same draft, asked again
        notice = ""
        if decision.decision == "reject" or approving:
            report_costs({**generations, "posts": _flatten(drafts), "judge": _flatten(judged)})
        if decision.decision == "reject":
            raise ReviewRejected(
                f"rejected by {decision.reviewer}"
                + (f": {decision.comments}" if decision.comments else "")
                + ". Nothing was published."
            )
        if approving:
            receipt = publish_bundle(
                staged,
                report,
                recorded,
                destination,
                upstream={
                    step: generation
                    for step, generation in (
                        ("audience", audience.generation),
                        ("plan", plan.generation),
                    )
                    if generation
                },
            )
            remote = publish_remotely(pipeline.publish.targets, receipt, destination)
            return SocialResult(
                status="published",
                content_sha256=receipt.content_sha256,
                reviewer=decision.reviewer,
                bundle_uri=receipt.uri,
                targets=[r.uri for r in remote],
            )
        revision = Revision(
            round=revision.round + 1,
            comments=[*revision.comments, decision.comments],
            edits={**revision.edits, **decision.edits},
        )
    report_costs({**generations, "posts": _flatten(drafts), "judge": _flatten(judged)})
    raise ReviewError(
        f"not approved after {pipeline.review.max_revision_rounds + 1} review round(s); "
        "nothing was published"
    )


def _flatten(drafts: dict[int, list[Generation]]) -> list[Generation]:
    return [generation for round_ in sorted(drafts) for generation in drafts[round_]]
