"""The editorial chain: a brief → audience → strategy → plan → drafts → correction →
gate 1 (plan and script, before any media money) → media → per-format compliance and gate 2 →
publish. Each format has its own gate: the posts may be published while the video goes back for
changes, which redraws only the video. The body only composes tasks and gates: a suspended run
re-runs it from the top and finds every finished step in the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from pydantic import BaseModel

from flows.gates import Draft, GateOutcome, review_and_publish
from flows.url_to_social import posts_draft
from flows.video import make_video, video_plan
from flows.voiceover import make_voiceover
from pressroom.briefs import Brief, UrlSource, check_brief
from pressroom.editorial.models import Article, Newsletter
from pressroom.errors import ReviewError, SourceError
from pressroom.media.script import VideoScript
from pressroom.models import ComplianceReport, Generation, Revision, Source
from pressroom.settings import load_settings
from tasks.chain import (
    Quality,
    check_long_form,
    combine_sources,
    correct_drafts,
    gather_source,
    long_form_description,
    plan_description,
    plan_strategy,
    schedule_publication,
    stage_long_form,
    stage_plan,
    write_article,
    write_newsletter,
    write_video_script,
)
from tasks.costs import report_costs
from tasks.editorial import analyse_audience, plan_posts
from tasks.media import render_cards, sign_cards, signing_keys
from tasks.providers import choose_providers

#: The length a video script aims at, in seconds (a Short, a Reel, a TikTok).
VIDEO_SECONDS = 45
#: The length a voice-over script aims at, in seconds (a podcast segment; its own script, see
#: flows/voiceover.py).
VOICEOVER_SECONDS = 90


class ChainResult(BaseModel):
    brief_id: str
    gates: list[GateOutcome]
    unusable_sources: list[str] = []

    @property
    def published(self) -> list[str]:
        return [g.gate for g in self.gates if g.status == "published"]


def _joined(first: Revision, then: Revision) -> Revision:
    """Comments of the plan review, then of the format's own review."""
    return Revision(
        round=first.round + then.round,
        comments=[*first.comments, *then.comments],
        edits=then.edits,
    )


@flow(name="editorial-chain", persist_result=True)
def editorial_chain(brief: Brief, out_dir: str | None = None) -> ChainResult:
    """Everything a brief asks for, each format published once a named human approves it."""
    check_brief(brief)
    settings = load_settings(brief.brand)
    pipeline, providers, brand = settings.pipeline, settings.pipeline.providers, settings.brand
    destination = out_dir or pipeline.output_dir
    selected = {n: settings.channel(n) for n in settings.select_channels(brief.channels or None)}
    wants = set(brief.formats)
    chosen = choose_providers(providers)
    text = chosen["text"]

    gathered = [
        gather_source(
            ref,
            brief.language,
            pipeline.source.min_words,
            pipeline.source.max_bytes,
            return_state=True,
        )
        for ref in brief.sources
    ]
    sources: list[Source] = []
    unusable: list[str] = []
    for ref, state in zip(brief.sources, gathered, strict=True):
        outcome = state.result(raise_on_failure=False)
        if isinstance(outcome, Source):
            sources.append(outcome)
        else:
            where = ref.url if isinstance(ref, UrlSource) else getattr(ref, "file", "notes")
            unusable.append(f"{where}: {outcome}")
    if unusable:
        get_run_logger().warning("Unusable source(s), going on without them: %s", unusable)
    if not sources:
        raise SourceError(f"brief {brief.key()}: no usable source: " + "; ".join(unusable))
    source = combine_sources(sources, brief.language)

    audience = analyse_audience(source, text, providers, brief.audience)
    strategy = plan_strategy(source, audience, brand, selected, brief.goal, text, providers)
    plan = plan_posts(source, audience, brand, selected, text, providers)
    plan_video = video_plan(settings, chosen, destination) if "video" in wants else None
    schedule = schedule_publication(
        plan,
        brief.slot,
        list(brief.formats),
        selected,
        plan_video.channels if plan_video else {},
    )
    upstream = {
        step: generation
        for step, generation in (
            ("audience", audience.generation),
            ("strategy", strategy.generation),
            ("plan", plan.generation),
        )
        if generation
    }

    def long_form_drafts(revision: Revision) -> tuple[Article | None, Newsletter | None, Quality]:
        article = (
            write_article(source, strategy, brand, revision, text, providers)
            if "article" in wants
            else None
        )
        newsletter = (
            write_newsletter(source, strategy, brand, revision, text, providers)
            if "newsletter" in wants
            else None
        )
        return correct_drafts(article, newsletter, strategy, brief.language)

    # Each format's drafts are written for its own comments only: a later gate's request for
    # changes rewrites its format alone (the others come from the cache).
    def video_script(revision: Revision) -> VideoScript:
        return write_video_script(
            source, strategy, brand, VIDEO_SECONDS, revision, text, providers, "video"
        )

    def voiceover_script(revision: Revision) -> VideoScript:
        return write_video_script(
            source, strategy, brand, VOICEOVER_SECONDS, revision, text, providers, "voiceover"
        )

    # Gate 1: the plan and the drafts, before the media money is spent.
    def plan_draft(revision: Revision) -> Draft:
        article, newsletter, quality = long_form_drafts(revision)
        script = video_script(revision) if "video" in wants else None
        voiceover = voiceover_script(revision) if "voiceover" in wants else None
        staged = stage_plan(
            destination,
            brief.goal[:80],
            strategy,
            plan,
            schedule,
            article,
            newsletter,
            script,
            voiceover,
        )
        report = ComplianceReport(content_sha256=staged.content_sha256)
        return Draft(
            staged,
            report,
            lambda notice, _round, _waive, _where: plan_description(
                strategy, plan, schedule, script, quality, staged, notice, voiceover
            ),
            _paid_for(article, newsletter, script, voiceover),
        )

    gates: list[GateOutcome] = []

    def review(gate: str, draft: Callable[[Revision], Draft], **options: Any) -> GateOutcome:
        outcome = review_and_publish(
            gate=gate, settings=settings, destination=destination, draft=draft, **options
        )
        gates.append(outcome)
        return outcome

    if wants & {"video", "voiceover", "article", "newsletter"}:
        first = review("plan", plan_draft, publish=False)
        if first.status != "approved":
            return _finish(brief, gates, unusable, upstream)
        approved = first.revision
    else:
        approved = Revision()

    if "posts" in wants:
        cards = sign_cards(
            render_cards(source, brand, selected, chosen["image"], providers), signing_keys()
        )
        review(
            "posts",
            posts_draft(
                settings, selected, source, plan, cards, text, destination, schedule.times("post")
            ),
            rewrite_channels=list(selected),
            upstream=upstream,
        )

    if wants & {"article", "newsletter"}:

        def long_form(revision: Revision) -> Draft:
            article, newsletter, quality = long_form_drafts(_joined(approved, revision))
            staged = stage_long_form(
                destination,
                source,
                article,
                newsletter,
                schedule.times("article") | schedule.times("newsletter"),
            )
            report = check_long_form(staged, source, brand, destination)
            return Draft(
                staged,
                report,
                lambda notice, _round, waive, where: long_form_description(
                    staged, report, quality, notice, waive, where
                ),
                _paid_for(article, newsletter) if revision.round else [],
            )

        review("article", long_form, upstream=upstream)

    if plan_video is not None:

        def video(revision: Revision) -> Draft:
            script = video_script(_joined(approved, revision))
            draft = make_video(
                replace(plan_video, publish_at=schedule.times("video")), script, source, True
            )
            return _with_rewrite(draft, script, revision)

        review("video", video, upstream=upstream)

    if "voiceover" in wants:

        def voiceover_draft(revision: Revision) -> Draft:
            script = voiceover_script(_joined(approved, revision))
            draft = make_voiceover(
                settings,
                chosen["voice"],
                destination,
                script,
                source,
                schedule.times("voiceover").get("voiceover"),
            )
            return _with_rewrite(draft, script, revision)

        review("voiceover", voiceover_draft, upstream=upstream)
    return _finish(brief, gates, unusable, upstream)


def _paid_for(*texts: Article | Newsletter | VideoScript | None) -> list[Generation]:
    """What writing these texts cost: the records of those a provider wrote."""
    return [g for text in texts if (g := getattr(text, "generation", None)) is not None]


def _with_rewrite(draft: Draft, script: VideoScript, revision: Revision) -> Draft:
    """A format's draft with what its script cost when the format's own review had it written
    again; round 0 is the script approved at gate 1, paid for there."""
    if not revision.round:
        return draft
    return replace(draft, paid=[*_paid_for(script), *draft.paid])


def _finish(
    brief: Brief,
    gates: list[GateOutcome],
    unusable: list[str],
    upstream: dict[str, Generation],
) -> ChainResult:
    # Each analysis step on its line, then what each gate's drafts cost ("drafts": gate 1's).
    report_costs(
        {step: [generation] for step, generation in upstream.items()}
        | {("drafts" if g.gate == "plan" else g.gate): g.paid for g in gates}
    )
    create_table_artifact(
        key="chain-summary",
        table=[{"gate": g.gate, "status": g.status, "summary": g.summary()} for g in gates]
        + [{"gate": "source", "status": "unusable", "summary": u} for u in unusable],
        description=f"Brief {brief.key()}",
    )
    if not any(g.receipt for g in gates):
        raise ReviewError(
            f"brief {brief.key()}: nothing was published: " + "; ".join(g.summary() for g in gates)
        )
    return ChainResult(brief_id=brief.key(), gates=gates, unusable_sources=unusable)
