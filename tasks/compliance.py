"""Compliance on the exact bytes of a staged bundle; the report is also a table artifact."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.transactions import get_transaction

from pressroom.compliance import check_bundle, judge
from pressroom.compliance.hostile import screen_source
from pressroom.compliance.licences import check_licences
from pressroom.compliance.provenance import check_provenance, generated_media
from pressroom.compliance.video import check_video
from pressroom.compliance.voiceover import PODCAST, check_voiceover
from pressroom.models import ComplianceReport, Finding, Source, StagedBundle
from pressroom.provenance import ensure_keys
from pressroom.publishing import read_bundle_content
from pressroom.settings import BrandConfig, ChannelConfig, ProviderSettings
from tasks.costs import priced
from tasks.editorial import PAID_STEP
from tasks.providers import provider_context, provider_slot
from tasks.publish import audit_log, current_run


@task(persist_result=True)
def check_compliance(
    staged: StagedBundle,
    source: Source,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    out_dir: str,
    judged: list[Finding] | None = None,
) -> ComplianceReport:
    """Every rule on the staged posts, with the source's findings, the assets' and the LLM
    judge's (`judged`, from `judge_posts`)."""
    report = check_bundle(
        read_bundle_content(staged, source.text, source.protected_text),
        brand,
        channels,
        extra=[*screen_source(source), *asset_findings(staged, channels), *(judged or [])],
    )
    record_report(report, out_dir)
    return report


@task(persist_result=True)
def check_video_compliance(
    staged: StagedBundle,
    source: Source | None,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    out_dir: str,
) -> ComplianceReport:
    """A video bundle: its narration against the script's source (if any), its label, flags
    and length per channel, and every media file's credentials and licence."""
    report = check_video(
        staged,
        source,
        brand,
        channels,
        extra=[*(screen_source(source) if source else []), *asset_findings(staged, channels)],
    )
    record_report(report, out_dir)
    return report


@task(persist_result=True)
def check_voiceover_compliance(
    staged: StagedBundle, source: Source, brand: BrandConfig, out_dir: str
) -> ComplianceReport:
    """A voice-over bundle: its narration against the brief's sources, its label (recorded,
    shown in the transcript, said aloud), and its audio files' credentials and licences."""
    report = check_voiceover(
        staged,
        source,
        brand,
        extra=[*screen_source(source), *asset_findings(staged, PODCAST)],
    )
    record_report(report, out_dir)
    return report


def asset_findings(staged: StagedBundle, channels: dict[str, ChannelConfig]) -> list[Finding]:
    """R5 content credentials and C3 licences of the bundle's media files."""
    return [
        *check_provenance(generated_media(staged), keys=ensure_keys()[0]),
        *check_licences(staged.files, channels),
    ]


def record_report(report: ComplianceReport, out_dir: str) -> None:
    """The report into the audit trail and, as a table, into the run's artifacts."""
    run = current_run()
    audit_log(out_dir).append(
        "compliance",
        {
            "run_name": run["run_name"],
            "passed": report.passed,
            "quarantined": report.quarantined,
            "findings": [f.model_dump(mode="json") for f in report.findings],
        },
        run_id=run["run_id"],
        content_sha256=report.content_sha256,
    )
    create_table_artifact(
        key="compliance-report",
        table=[
            {
                "severity": f.severity,
                "rule": f.rule_id,
                "where": f.location,
                "what": f.message,
                "evidence": f.evidence,
            }
            for f in report.findings
        ]
        or [
            {
                "severity": "-",
                "rule": "-",
                "where": "-",
                "what": "every check passed",
                "evidence": "",
            }
        ],
        description=(
            f"Compliance of content {report.content_sha256[:12]}: "
            f"{len(report.blockers)} blocker(s), {len(report.warnings)} warning(s)"
        ),
    )


@task(persist_result=True, cache_policy=PAID_STEP)
def judge_posts(
    staged: StagedBundle,
    source: Source,
    brand: BrandConfig,
    provider: str,
    providers: ProviderSettings,
) -> judge.Judgement:
    """The optional LLM judge on the posts as staged: findings for the report (`check_bundle`'s
    `extra`, which applies the brand's severities) and the call's priced record. Cached on its
    inputs like the paid steps, except when the judge could not run: the next run asks again."""
    content = read_bundle_content(staged, source.text, source.protected_text)
    api_key = provider_context(providers).api_keys.get("openai") if provider == "openai" else None
    with provider_slot(provider):
        judgement = judge.judge_posts(
            content.posts,
            source,
            brand=brand,
            provider=provider,
            settings=providers.openai,
            api_key=api_key,
        )
    transaction = get_transaction()
    if judgement.error and transaction is not None:
        transaction.write_on_commit = False
    if judgement.generation is None:
        return judgement
    return judgement.model_copy(update={"generation": priced(judgement.generation)})
