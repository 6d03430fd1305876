"""Staging and publishing bundles. Publishing re-checks the gate on the bytes on disk."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_link_artifact

from pressroom.models import (
    Approval,
    CardImage,
    ChannelPost,
    ComplianceReport,
    PublishReceipt,
    Source,
    StagedBundle,
)
from pressroom.publishing import publish_local, stage_bundle


@task(persist_result=True)
def stage_posts(
    out_dir: str,
    source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    labels: dict[str, str],
) -> StagedBundle:
    return stage_bundle(Path(out_dir) / ".staging", source, posts, cards, labels)


@task(persist_result=True)
def publish_bundle(
    staged: StagedBundle, report: ComplianceReport, approval: Approval, out_dir: str
) -> PublishReceipt:
    receipt = publish_local(staged, report, approval, Path(out_dir))
    create_link_artifact(
        key="published-bundle",
        link=receipt.uri,
        link_text=f"Bundle {receipt.content_sha256[:12]}",
        description=f"Published, approved by {receipt.approval_reviewer}",
    )
    return receipt
