"""URL → social posts: fetch → extract → audience → plan → drafts → cards → compliance →
review → publish. The body only composes tasks: a suspended run re-runs it from the top.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from prefect import flow
from pydantic import BaseModel

from flows.gates import Draft, review_and_publish
from pressroom.errors import ConfigError, ReviewError
from pressroom.models import CardImage, EditorialPlan, Generation, Revision, Source
from pressroom.review import review_description
from pressroom.settings import ChannelConfig, S3Target, Settings, load_settings
from tasks.compliance import check_compliance, judge_posts
from tasks.costs import report_costs
from tasks.editorial import analyse_audience, plan_posts, write_posts
from tasks.media import render_cards, sign_cards, signing_keys
from tasks.providers import choose_providers
from tasks.publish import stage_posts, stage_previews
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
    draft = posts_draft(settings, selected, source, plan, cards, chosen["text"], destination)
    outcome = review_and_publish(
        gate=GATE,
        settings=settings,
        destination=destination,
        draft=draft,
        rewrite_channels=list(selected),
        upstream={
            step: generation
            for step, generation in (("audience", audience.generation), ("plan", plan.generation))
            if generation
        },
    )
    report_costs({**generations, "posts": outcome.paid})
    if outcome.status == "rejected":
        raise ReviewRejected(
            f"rejected by {outcome.reviewer}"
            + (f": {outcome.comments}" if outcome.comments else "")
            + ". Nothing was published."
        )
    if outcome.receipt is None:
        raise ReviewError(
            f"not approved after {pipeline.review.max_revision_rounds + 1} review round(s); "
            "nothing was published"
        )
    return SocialResult(
        status="published",
        content_sha256=outcome.receipt.content_sha256,
        reviewer=outcome.reviewer,
        bundle_uri=outcome.receipt.uri,
        targets=[r.uri for r in outcome.remote],
    )


def posts_draft(
    settings: Settings,
    selected: dict[str, ChannelConfig],
    source: Source,
    plan: EditorialPlan,
    cards: dict[str, CardImage],
    writer: str,
    destination: str,
    publish_at: dict[str, datetime] | None = None,
) -> Callable[[Revision], Draft]:
    """The posts gate's drafts: for a revision, the posts written, staged, judged and checked;
    `publish_at`: when each channel's post goes out (none: as soon as it is published)."""
    pipeline, providers = settings.pipeline, settings.pipeline.providers
    s3_targets = [t for t in pipeline.publish.targets if isinstance(t, S3Target)]

    def draft(revision: Revision) -> Draft:
        posts = write_posts(source, plan, settings.brand, selected, revision, writer, providers)
        staged = stage_posts(
            destination, source, posts, cards, selected, settings.licences, providers, publish_at
        )
        judgement = judge_posts(staged, source, settings.brand, writer, providers)
        report = check_compliance(
            staged, source, settings.brand, selected, destination, judgement.findings
        )
        image_urls = (
            stage_previews(s3_targets[0], staged, pipeline.review.timeout_seconds)
            if s3_targets
            else None
        )

        def describe(notice: str, round_: int, may_waive: list[str], where: str) -> str:
            return review_description(
                source=source,
                posts=posts,
                cards=cards,
                channels=selected,
                report=report,
                staged=staged,
                round_=round_,
                max_rounds=pipeline.review.max_revision_rounds,
                destination=where,
                image_urls=image_urls,
                notice=notice,
                may_waive=may_waive,
                publish_at=publish_at,
            )

        paid = [post.generation for post in posts]
        return Draft(staged, report, describe, paid + [g for g in [judgement.generation] if g])

    return draft
