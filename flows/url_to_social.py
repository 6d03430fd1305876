"""URL → social posts: fetch → extract → audience → plan → drafts → cards → compliance →
review → publish. The body only composes tasks: a suspended run re-runs it from the top.
"""

from __future__ import annotations

from prefect import flow
from prefect.context import FlowRunContext
from pydantic import BaseModel

from pressroom.errors import ConfigError, ReviewError
from pressroom.models import Approval, Revision
from pressroom.review import review_description
from pressroom.settings import load_settings
from tasks.compliance import check_compliance
from tasks.editorial import analyse_audience, plan_posts, write_posts
from tasks.media import render_cards
from tasks.publish import publish_bundle, stage_posts
from tasks.review import request_review
from tasks.sources import extract_article, fetch_source

GATE = "social"


class SocialResult(BaseModel):
    status: str  # "published" | "rejected"
    content_sha256: str
    reviewer: str
    bundle_uri: str | None = None
    reason: str = ""


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
    labels = {name: cfg.label for name, cfg in selected.items()}
    destination = out_dir or pipeline.output_dir

    page = fetch_source(url, pipeline.source.max_bytes)
    source = extract_article(page, pipeline.source.min_words)
    if language not in ("auto", source.language) and pipeline.providers.text == "offline":
        raise ConfigError(
            f"the source is in {source.language!r} and the offline writer does not translate; "
            f"use --lang auto or configure a text provider that writes {language!r}"
        )
    audience = analyse_audience(source, pipeline.providers.text)
    plan = plan_posts(source, audience, settings.brand, selected, pipeline.providers.text)
    cards = render_cards(source, settings.brand, selected, pipeline.providers.image)

    revision = Revision()
    for round_ in range(pipeline.review.max_revision_rounds + 1):
        posts = write_posts(
            source, plan, settings.brand, selected, revision, pipeline.providers.text
        )
        staged = stage_posts(destination, source, posts, cards, labels)
        report = check_compliance(staged, source, settings.brand, selected)
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
                destination=f"the local folder `{destination}/`",
            ),
            channels=list(selected),
            timeout_seconds=pipeline.review.timeout_seconds,
            poll_interval_seconds=pipeline.review.poll_interval_seconds,
        )
        if decision.decision == "reject":
            raise ReviewRejected(
                f"rejected by {decision.reviewer}"
                + (f": {decision.comments}" if decision.comments else "")
                + ". Nothing was published."
            )
        if decision.decision == "approve" and not decision.edits:
            context = FlowRunContext.get()
            approval = Approval(
                content_sha256=staged.content_sha256,
                reviewer=decision.reviewer,
                decision="approve",
                comments=decision.comments,
                run_id=str(context.flow_run.id) if context and context.flow_run else None,
                gate=f"{GATE}-round-{round_}",
            )
            receipt = publish_bundle(staged, report, approval, destination)
            return SocialResult(
                status="published",
                content_sha256=receipt.content_sha256,
                reviewer=decision.reviewer,
                bundle_uri=receipt.uri,
            )
        revision = Revision(
            round=round_ + 1,
            comments=[*revision.comments, decision.comments],
            edits={**revision.edits, **decision.edits},
        )
    raise ReviewError(
        f"not approved after {pipeline.review.max_revision_rounds} revision round(s); "
        "nothing was published"
    )
