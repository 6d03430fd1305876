"""The editorial chain's own steps: sources of a brief, strategy, article, newsletter, video
script (paid steps, cached on their inputs), the quality pass, and the article's bundle."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from prefect import task
from prefect.artifacts import create_markdown_artifact
from pydantic import BaseModel

from pressroom.briefs import FileSource, NotesSource, SourceRef, UrlSource
from pressroom.compliance import rules
from pressroom.compliance.base import BundleContent, PostContent
from pressroom.compliance.hostile import screen_source
from pressroom.compliance.suite import GROUNDED_RULES, TEXT_RULES, check_bundle, unposted
from pressroom.editorial.models import (
    Article,
    Newsletter,
    Readability,
    ScriptPiece,
    SeoCheck,
    Strategy,
)
from pressroom.editorial.quality import polish, readability, seo_checks
from pressroom.media.script import VideoScript
from pressroom.models import (
    AudienceProfile,
    ComplianceReport,
    EditorialPlan,
    Revision,
    Source,
    StagedBundle,
    sha256_hex,
    utc_now,
)
from pressroom.publishing.bundle import slugify, stage_files
from pressroom.review import compliance_table, notice_lines, quarantine_notice, waiver_help
from pressroom.schedule import PublicationSchedule, publication_schedule
from pressroom.settings import BrandConfig, ChannelConfig, ProviderSettings
from pressroom.sources import read_article
from pressroom.text import code_block
from tasks.compliance import record_report
from tasks.costs import priced
from tasks.editorial import PAID_STEP, writer
from tasks.providers import provider_slot
from tasks.publish import audit_log, current_run

#: Long-form text has no platform limits: the text rules, grounding, and the AI label.
LONG_FORM_RULES = (rules.check_disclosure, *TEXT_RULES, *GROUNDED_RULES)


@task(persist_result=True)
def gather_source(ref: SourceRef, language: str, min_words: int, max_bytes: int) -> Source:
    """One source of a brief: a page fetched safely, a local file, or the user's own notes."""
    if isinstance(ref, NotesSource):
        text = "\n\n".join(p.strip() for p in ref.notes.split("\n\n") if p.strip())
        return Source(
            url=f"notes:{sha256_hex(text)[:12]}",
            title=text.split("\n", 1)[0][:120],
            text=text,
            language=language,
            sha256=sha256_hex(text),
            fetched_at=utc_now(),
            third_party_text="",  # the user's own words
        )
    reference = ref.url if isinstance(ref, UrlSource) else ref.file
    assert isinstance(ref, UrlSource | FileSource)
    return read_article(reference, min_words=min_words, max_bytes=max_bytes)


def combine_sources(sources: list[Source], language: str) -> Source:
    """Several sources as one for the writers and the grounding checks: their texts one after
    the other, the first one's address, what was removed from each, which part others wrote.
    The title (what a hook or an SEO title starts from) is the first page's or file's, else the
    first notes' first line — never the brief's goal, which is an instruction, not content."""
    if len(sources) == 1:
        return sources[0]
    text = "\n\n".join(source.text for source in sources)
    own_words = any(source.third_party_text is not None for source in sources)
    titled = next((s for s in sources if s.third_party_text is None), sources[0])
    return Source(
        url=sources[0].url,
        title=titled.title,
        text=text,
        language=language,
        sha256=sha256_hex(text),
        fetched_at=max(source.fetched_at for source in sources),
        removed=[removed for source in sources for removed in source.removed],
        third_party_text="\n\n".join(
            source.protected_text for source in sources if source.protected_text
        )
        if own_words
        else None,
    )


@task(persist_result=True, cache_policy=PAID_STEP)
def plan_strategy(
    source: Source,
    audience: AudienceProfile,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    goal: str | None,
    provider: str,
    providers: ProviderSettings,
) -> Strategy:
    with provider_slot(provider):
        strategy = writer(provider, providers).plan_strategy(
            source, audience, brand, channels, goal
        )
    if strategy.generation is not None:
        strategy = strategy.model_copy(update={"generation": priced(strategy.generation)})
    create_markdown_artifact(
        key="strategy",
        markdown="\n".join(
            [
                f"**Angle:** {strategy.angle}",
                "",
                *[f"* {message}" for message in strategy.key_messages],
                "",
                *[f"* *{channel}*: {tone}" for channel, tone in strategy.tone.items()],
                "",
                f"**SEO:** {strategy.seo.title} — {strategy.seo.meta_description} "
                f"({', '.join(strategy.seo.keywords)}; {strategy.seo.search_intent})",
            ]
        ),
        description="Editorial strategy",
    )
    return strategy


@task(persist_result=True)
def schedule_publication(
    plan: EditorialPlan,
    slot: datetime | None,
    formats: list[str],
    post_channels: dict[str, ChannelConfig],
    video_channels: dict[str, ChannelConfig],
) -> PublicationSchedule:
    """The plan's publication calendar: when each piece goes out on each channel. The "plan"
    artifact shows it with each channel's goal."""
    schedule = publication_schedule(slot, formats, post_channels, video_channels)
    goals = {strategy.channel: strategy.goal for strategy in plan.channels}
    create_markdown_artifact(
        key="plan",
        markdown="\n".join(
            [
                f"**Angle:** {plan.angle}",
                "",
                *[f"* {message}" for message in plan.key_messages],
                "",
                f"**Keywords:** {', '.join(plan.keywords)} · **Hashtags:** "
                + " ".join(plan.hashtags),
                "",
                *[f"* *{channel}*: {goal}" for channel, goal in goals.items()],
                "",
                "**Publication calendar**",
                "",
                schedule.markdown(),
            ]
        ),
        description="Editorial plan and publication calendar",
    )
    return schedule


LongText = TypeVar("LongText", Article, Newsletter)


def _shown_and_priced(draft: LongText, kind: str, revision: Revision) -> LongText:
    """A long-form draft as the run's artifact, with its generation priced."""
    create_markdown_artifact(
        key=f"{kind}-draft",
        markdown=draft.markdown(),
        description=f"{kind.title()}, revision round {revision.round}",
    )
    return draft.model_copy(update={"generation": priced(draft.generation)})


@task(persist_result=True, cache_policy=PAID_STEP)
def write_article(
    source: Source,
    strategy: Strategy,
    brand: BrandConfig,
    revision: Revision,
    provider: str,
    providers: ProviderSettings,
) -> Article:
    with provider_slot(provider):
        article = writer(provider, providers).write_article(source, strategy, brand, revision)
    return _shown_and_priced(article, "article", revision)


@task(persist_result=True, cache_policy=PAID_STEP)
def write_newsletter(
    source: Source,
    strategy: Strategy,
    brand: BrandConfig,
    revision: Revision,
    provider: str,
    providers: ProviderSettings,
) -> Newsletter:
    with provider_slot(provider):
        letter = writer(provider, providers).write_newsletter(source, strategy, brand, revision)
    return _shown_and_priced(letter, "newsletter", revision)


@task(persist_result=True, cache_policy=PAID_STEP)
def write_video_script(
    source: Source,
    strategy: Strategy,
    brand: BrandConfig,
    target_seconds: int,
    revision: Revision,
    provider: str,
    providers: ProviderSettings,
    piece: ScriptPiece = "video",
) -> VideoScript:
    """A narration script for the video or the voice-over (whose visuals go unused), aimed at
    `target_seconds`; its artifact is the piece's."""
    with provider_slot(provider):
        script = writer(provider, providers).write_video_script(
            source, strategy, brand, target_seconds, revision, piece
        )
    script = script.model_copy(update={"generation": priced(script.generation)})
    create_markdown_artifact(
        key=f"{piece}-script",
        markdown=script_markdown(script, visuals=piece == "video"),
        description=f"{SCRIPT_TITLES[piece]}, revision round {revision.round}",
    )
    return script


SCRIPT_TITLES = {"video": "Video script", "voiceover": "Voice-over script"}


def script_markdown(script: VideoScript, *, visuals: bool) -> str:
    """The scenes numbered, each with its visual when it has a use."""
    return "\n".join(
        f"{number}. {scene.narration}" + (f"  \n   *Visual:* {scene.visual}" if visuals else "")
        for number, scene in enumerate(script.scenes, start=1)
    )


class Quality(BaseModel):
    """The correction pass: readability of each text, the article's SEO, typographic notes."""

    readability: dict[str, Readability]
    seo: list[SeoCheck]
    notes: dict[str, list[str]]

    def markdown(self) -> str:
        lines = ["| Text | Readability | Level | Words |", "|---|---|---|---|"]
        lines += [
            f"| {name} | {r.score:.0f} ({r.formula}) | {r.level} | {r.words} |"
            for name, r in self.readability.items()
        ]
        lines += ["", "| SEO check | | Detail |", "|---|---|---|"]
        lines += [f"| {c.name} | {'✅' if c.passed else '⚠️'} | {c.detail} |" for c in self.seo]
        for name, notes in self.notes.items():
            lines += ["", f"*{name}*: " + "; ".join(notes)] if notes else []
        return "\n".join(lines)


@task(persist_result=True)
def correct_drafts(
    article: Article | None, newsletter: Newsletter | None, strategy: Strategy, language: str
) -> tuple[Article | None, Newsletter | None, Quality]:
    """Safe typographic fixes applied, then readability and SEO measured on the result."""
    texts: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    if article is not None:
        polished = [
            [polish(p, language).text for p in section.paragraphs] for section in article.sections
        ]
        notes["article"] = sorted(
            {n for s in article.sections for p in s.paragraphs for n in polish(p, language).notes}
        )
        article = article.model_copy(
            update={
                "sections": [
                    section.model_copy(update={"paragraphs": paragraphs})
                    for section, paragraphs in zip(article.sections, polished, strict=True)
                ]
            }
        )
        texts["article"] = "\n\n".join(p for s in article.sections for p in s.paragraphs)
    if newsletter is not None:
        fixed = polish(newsletter.body, language)
        notes["newsletter"] = fixed.notes
        newsletter = newsletter.model_copy(update={"body": fixed.text})
        texts["newsletter"] = newsletter.body
    quality = Quality(
        readability={name: readability(text, language) for name, text in texts.items()},
        seo=seo_checks(article, strategy) if article is not None else [],
        notes=notes,
    )
    create_markdown_artifact(key="quality", markdown=quality.markdown())
    return article, newsletter, quality


@task(persist_result=True)
def stage_plan(
    out_dir: str,
    title: str,
    strategy: Strategy,
    plan: EditorialPlan,
    schedule: PublicationSchedule,
    article: Article | None,
    newsletter: Newsletter | None,
    script: VideoScript | None,
    voiceover: VideoScript | None = None,
) -> StagedBundle:
    """What gate 1 approves, before any media money is spent: strategy, plan and its
    publication calendar, drafts (`voiceover`: the voice-over's script)."""
    payload = {
        "strategy.json": strategy.model_dump_json(indent=2).encode(),
        "plan.json": plan.model_dump_json(indent=2).encode(),
        "schedule.json": schedule.model_dump_json(indent=2).encode(),
    }
    if article is not None:
        payload["article.md"] = article.markdown().encode()
    if newsletter is not None:
        payload["newsletter.md"] = newsletter.markdown().encode()
    if script is not None:
        payload["script.json"] = script.model_dump_json(indent=2).encode()
    if voiceover is not None:
        payload["voiceover-script.json"] = voiceover.model_dump_json(indent=2).encode()
    return stage_files(Path(out_dir) / ".staging", f"plan-{slugify(title)}", payload)


@task(persist_result=True)
def stage_long_form(
    out_dir: str,
    source: Source,
    article: Article | None,
    newsletter: Newsletter | None,
    publish_at: dict[str, datetime] | None = None,
) -> StagedBundle:
    """The article and newsletter bundle: Markdown as published, JSON for machines, and
    `schedule.json` (piece → when it goes out) when the brief has a slot."""
    payload: dict[str, bytes] = {
        "source.json": source.model_dump_json(
            include={"url", "title", "language", "sha256", "fetched_at", "removed"}, indent=2
        ).encode()
    }
    title = source.title
    if article is not None:
        title = article.title
        payload["article.md"] = article.markdown().encode()
        payload["article.json"] = article.model_dump_json(indent=2).encode()
    if newsletter is not None:
        payload["newsletter.md"] = newsletter.markdown().encode()
        payload["newsletter.json"] = newsletter.model_dump_json(indent=2).encode()
    if publish_at:
        times = {piece: at.isoformat() for piece, at in sorted(publish_at.items())}
        payload["schedule.json"] = json.dumps(times, indent=2).encode()
    generations = {
        "article": article.generation if article else None,
        "newsletter": newsletter.generation if newsletter else None,
    }
    staged = stage_files(
        Path(out_dir) / ".staging",
        slugify(title),
        payload,
        post_generations={k: g for k, g in generations.items() if g is not None},
    )
    run = current_run()
    audit_log(out_dir).append(
        "generation",
        {
            "run_name": run["run_name"],
            "source": {"url": source.url, "sha256": source.sha256},
            "texts": {k: g.model_dump(mode="json") for k, g in generations.items() if g},
        },
        run_id=run["run_id"],
        content_sha256=staged.content_sha256,
    )
    return staged


@task(persist_result=True)
def check_long_form(
    staged: StagedBundle, source: Source, brand: BrandConfig, out_dir: str
) -> ComplianceReport:
    """The text rules and the AI label on the article and the newsletter, read back from the
    staged bytes, against the brief's sources."""
    folder = Path(staged.path)
    labels = brand.disclosure_for(source.language)
    texts = {
        name: (folder / f"{name}.md").read_text(encoding="utf-8")
        for name in ("article", "newsletter")
        if (folder / f"{name}.md").is_file()
    }
    content = BundleContent(
        content_sha256=staged.content_sha256,
        posts=[
            PostContent(name, text, labels.short if labels.short in text else labels.long, None)
            for name, text in texts.items()
        ],
        digest_markdown="\n\n".join(texts.values()),
        source_text=source.text,
        language=source.language,
        source_url=source.url,
        protected_text=source.protected_text,
    )
    report = check_bundle(
        content,
        brand,
        {name: unposted(name.title()) for name in texts},
        rules=LONG_FORM_RULES,
        extra=screen_source(source),
    )
    record_report(report, out_dir)
    return report


def long_form_description(
    staged: StagedBundle,
    report: ComplianceReport,
    quality: Quality,
    notice: str,
    may_waive: list[str],
    where: str,
) -> str:
    folder = Path(staged.path)
    lines = notice_lines(notice)
    lines += [
        "#### Compliance",
        "",
        *quarantine_notice(report),
        compliance_table(report),
        "",
        *waiver_help(report, may_waive),
        "#### What your decision does",
        "",
        f"**Approve** publishes exactly these texts (content `{staged.content_sha256[:12]}`) "
        f"to {where}. **Request changes** drafts them again with your comments. **Reject** "
        "publishes nothing.",
        "",
        "#### Quality",
        "",
        quality.markdown(),
        "",
    ]
    for name in ("article", "newsletter"):
        path = folder / f"{name}.md"
        if path.is_file():
            lines += [f"#### {name.title()}", "", code_block(path.read_text(encoding="utf-8")), ""]
    return "\n".join(lines)


def plan_description(
    strategy: Strategy,
    plan: EditorialPlan,
    schedule: PublicationSchedule,
    script: VideoScript | None,
    quality: Quality,
    staged: StagedBundle,
    notice: str,
    voiceover: VideoScript | None = None,
) -> str:
    lines = notice_lines(notice)
    lines += [
        f"**Plan review** · content `{staged.content_sha256[:12]}` · nothing is published at "
        "this gate. **Approve** to make the media (images, voice-over, video: the paid part) and "
        "go on to the final reviews; **request changes** to draft again with your comments; "
        "**reject** to stop here.",
        "",
        "#### Strategy",
        "",
        f"*Angle:* {strategy.angle}",
        "",
        *[f"* {message}" for message in strategy.key_messages],
        "",
        f"*SEO:* {strategy.seo.title} — {strategy.seo.meta_description} "
        f"(keywords: {', '.join(strategy.seo.keywords)}; intent {strategy.seo.search_intent})",
        "",
        "#### Channels",
        "",
        *[f"* **{c.channel}**: {c.goal}" for c in plan.channels],
        "",
        "#### Publication calendar",
        "",
        schedule.markdown(),
        "",
        "#### Quality",
        "",
        quality.markdown(),
        "",
    ]
    if script is not None:
        lines += ["#### Video script", "", script_markdown(script, visuals=True), ""]
    if voiceover is not None:
        lines += [
            "#### Voice-over script",
            "",
            "The voice first says that the audio is AI-written and read by a synthetic voice.",
            "",
            script_markdown(voiceover, visuals=False),
        ]
    return "\n".join(lines)
