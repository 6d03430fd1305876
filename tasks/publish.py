"""Staging, decisions and publishing — and the audit trail of each.

This module is the composition root for publish targets: it turns configuration into publishers
(an S3 client from a prefect-aws block or the AWS environment, a webhook secret from the
environment or a Prefect Secret block). Every append to the audit trail happens here, in tasks,
never in a flow body.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import runtime, task
from prefect.artifacts import create_link_artifact
from pydantic import BaseModel

from pressroom.audit import AuditLog
from pressroom.errors import ConfigError, PublishFailed
from pressroom.licences import licence_for
from pressroom.models import (
    Approval,
    CardImage,
    ChannelPost,
    ComplianceReport,
    Generation,
    PublishReceipt,
    ReviewDecision,
    Source,
    StagedBundle,
    utc_now,
)
from pressroom.publishing import publish_local, stage_bundle
from pressroom.publishing.s3 import S3Publisher
from pressroom.publishing.targets import (
    PublishedBundle,
    Publisher,
    S3Target,
    TargetConfig,
    WebhookTarget,
)
from pressroom.publishing.webhook import WebhookPublisher
from pressroom.reviewers import ApprovalCheck
from pressroom.settings import ChannelConfig, LicenceCatalogue, ProviderSettings
from pressroom.transparency import how_it_was_made

AUDIT_FILE = "audit.jsonl"


def audit_log(out_dir: str) -> AuditLog:
    return AuditLog(Path(out_dir) / AUDIT_FILE)


def current_run() -> dict[str, str | None]:
    run_id = runtime.flow_run.id
    return {"run_id": str(run_id) if run_id else None, "run_name": runtime.flow_run.name}


class RecordedDecision(BaseModel):
    """A reviewer's decision as an approval record, anchored in the audit trail."""

    approval: Approval
    audit_seq: int
    audit_hash: str


@task(persist_result=True)
def stage_posts(
    out_dir: str,
    source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
    licences: LicenceCatalogue,
    providers: ProviderSettings,
    publish_at: dict[str, datetime] | None = None,
) -> StagedBundle:
    """The bundle under review: posts with their platforms' AI flags set (R2) and the time each
    goes out, cards with their licence records (C3)."""
    staged = stage_bundle(
        Path(out_dir) / ".staging",
        source,
        posts,
        cards,
        channels,
        licences={
            f"images/{channel}.png": record
            for channel, card in cards.items()
            if (record := licence_for(card.generation, "image", licences, providers))
        },
        publish_at=publish_at,
    )
    run = current_run()
    audit_log(out_dir).append(
        "generation",
        {
            "run_name": run["run_name"],
            "source": {"url": source.url, "sha256": source.sha256, "language": source.language},
            "posts": {p.channel: p.generation.model_dump(mode="json") for p in posts},
            "images": {c: card.generation.model_dump(mode="json") for c, card in cards.items()},
        },
        run_id=run["run_id"],
        content_sha256=staged.content_sha256,
    )
    return staged


@task(persist_result=True)
def record_decision(
    decision: ReviewDecision,
    staged: StagedBundle,
    out_dir: str,
    check: ApprovalCheck | None = None,
) -> RecordedDecision:
    """Turn the answer into an approval record (cached: a re-run keeps the original time).

    `check` says whether an approval stands; one that does not is recorded with its reasons
    (and publishes nothing), one that does carries its waivers."""
    run = current_run()
    approval = Approval(
        content_sha256=staged.content_sha256,
        reviewer=decision.reviewer,
        decision=decision.decision,
        comments=decision.comments,
        run_id=run["run_id"],
        gate=f"{decision.gate}-round-{decision.round}",
        decided_at=utc_now(),
        waivers=check.waivers if check else [],
        source_checked=decision.source_checked,
    )
    entry = audit_log(out_dir).append(
        "review",
        {
            "run_name": run["run_name"],
            "approval": approval.model_dump(mode="json"),
            "rewritten": sorted(decision.edits),
            "refused": check.problems if check else [],
        },
        run_id=run["run_id"],
        content_sha256=staged.content_sha256,
    )
    return RecordedDecision(approval=approval, audit_seq=entry.seq, audit_hash=entry.hash)


@task(persist_result=True)
def publish_bundle(
    staged: StagedBundle,
    report: ComplianceReport,
    recorded: RecordedDecision,
    out_dir: str,
    upstream: dict[str, Generation] | None = None,
) -> PublishReceipt:
    """The bundle of record, in the local folder: every other target receives this one, with
    its "how this was made" page (`upstream`: the generations of the steps before the content,
    e.g. audience and plan)."""
    run_id = current_run()["run_id"]
    decisions = [
        entry.data
        for entry in audit_log(out_dir).entries()
        if entry.kind == "review" and entry.run_id == run_id and entry.seq <= recorded.audit_seq
    ]
    receipt = publish_local(
        staged,
        report,
        recorded.approval,
        Path(out_dir),
        audit_anchor=(recorded.audit_seq, recorded.audit_hash),
        how_it_was_made=how_it_was_made(staged, report, recorded.approval, decisions, upstream),
    )
    _record_publish(out_dir, receipt)
    create_link_artifact(
        key="published-bundle",
        link=receipt.uri,
        link_text=f"Bundle {receipt.content_sha256[:12]}",
        description=f"Published, approved by {receipt.approval_reviewer}",
    )
    return receipt


def _record_publish(out_dir: str, receipt: PublishReceipt) -> None:
    """One "publish" event per target and content, however often a retry gets here."""
    log = audit_log(out_dir)
    if log.find("publish", content_sha256=receipt.content_sha256, target=receipt.target):
        return
    run = current_run()
    log.append(
        "publish",
        {"run_name": run["run_name"], **receipt.model_dump(mode="json")},
        run_id=run["run_id"],
        content_sha256=receipt.content_sha256,
    )


def _secret(target: WebhookTarget) -> str:
    if target.secret_block:
        from prefect.blocks.system import Secret

        block: Any = Secret.load(target.secret_block)  # sync in a sync context
        return str(block.get())
    if target.secret_env:
        value = os.environ.get(target.secret_env)
        if value:
            return value
        raise ConfigError(
            f"webhook {target.name}: the environment variable {target.secret_env} is not set"
        )
    raise ConfigError(f"webhook {target.name}: set secret_env or secret_block to sign payloads")


def s3_publisher(target: S3Target) -> S3Publisher:
    """The S3 publisher for a target: credentials and bucket from the prefect-aws block named in
    the config (S3Bucket or AwsCredentials), else the standard AWS environment."""
    import boto3
    from botocore.config import Config

    endpoint = target.endpoint_url
    if target.bucket_block:
        from prefect_aws import S3Bucket

        block: Any = S3Bucket.load(target.bucket_block)  # sync in a sync context
        folder = (block.bucket_folder or "").strip("/")
        target = target.model_copy(
            update={
                "bucket": block.bucket_name,
                "prefix": "/".join(p for p in [folder, target.prefix] if p),
            }
        )
        endpoint = endpoint or block.credentials.aws_client_parameters.endpoint_url
        session = block.credentials.get_boto3_session()
    elif target.credentials_block:
        from prefect_aws import AwsCredentials

        credentials: Any = AwsCredentials.load(target.credentials_block)
        session = credentials.get_boto3_session()
    else:
        session = boto3.session.Session()
    client = session.client(
        "s3",
        region_name=target.region,
        endpoint_url=endpoint,
        config=Config(signature_version="s3v4"),  # presigned URLs in SigV4 everywhere
    )
    return S3Publisher(target, client)


def build_publisher(target: TargetConfig, asset_urls: dict[str, str]) -> Publisher:
    if isinstance(target, S3Target):
        return s3_publisher(target)
    if isinstance(target, WebhookTarget):
        return WebhookPublisher(target, _secret(target), asset_urls=asset_urls)
    raise ConfigError(f"no remote publisher for target type {target.type!r}")


@task(persist_result=True)
def publish_to_target(
    target: TargetConfig, bundle_path: str, out_dir: str, asset_urls: dict[str, str]
) -> PublishReceipt:
    """Send the bundle of record to one remote target; failures are recorded, then raised."""
    bundle = PublishedBundle.load(Path(bundle_path))
    publisher = build_publisher(target, asset_urls)
    try:
        receipt = publisher.publish(bundle)
    except PublishFailed as failure:
        run = current_run()
        audit_log(out_dir).append(
            "publish_failed",
            {"run_name": run["run_name"], "target": publisher.name, "error": str(failure)},
            run_id=run["run_id"],
            content_sha256=bundle.content_sha256,
        )
        raise
    _record_publish(out_dir, receipt)
    if isinstance(publisher, S3Publisher):  # the trail travels with the bundles
        publisher.upload_audit_log(Path(out_dir) / AUDIT_FILE)
    return receipt


@task
def presign_assets(target: S3Target, bundle_path: str) -> dict[str, str]:
    """Time-limited HTTPS links to a published bundle's images, for webhook payloads."""
    bundle = PublishedBundle.load(Path(bundle_path))
    publisher = s3_publisher(target)
    return {
        path: publisher.presigned_url(publisher.object_key(bundle, path))
        for path in bundle.files()
        if path.startswith("images/")
    }


PRESIGN_LIMIT_SECONDS = 7 * 24 * 3600  # the longest a SigV4 link may live


@task(persist_result=True)
def stage_previews(target: S3Target, staged: StagedBundle, review_seconds: int) -> dict[str, str]:
    """Card images of a bundle under review on S3, as links that last as long as the review
    may: the Prefect UI shows images only by URL. Keyed by channel."""
    publisher = s3_publisher(target)
    seconds = min(PRESIGN_LIMIT_SECONDS, max(target.presign_seconds, review_seconds))
    images = [f.path for f in staged.files if f.path.startswith("images/")]
    links = publisher.stage_previews(Path(staged.path), staged.content_sha256, images, seconds)
    return {Path(path).stem: url for path, url in links.items()}
