"""Publish targets: configuration and the interface every publisher implements.

The local folder is always published first: it is the bundle of record (manifest, compliance
report, approval) that the other targets receive. Every publisher re-checks the gate itself with
`verify_published_bundle` before sending a byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from pressroom.errors import PublishRefused
from pressroom.models import Approval, PublishReceipt, sha256_hex


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalTarget(_Target):
    type: Literal["local"] = "local"


class S3Target(_Target):
    type: Literal["s3"]
    bucket: str = Field(min_length=3, max_length=63)
    prefix: str = Field(default="pressroom", description="Key prefix, without leading slash")
    region: str | None = None
    endpoint_url: str | None = Field(
        default=None, description="Any S3-compatible endpoint (MinIO, Ceph...); AWS when unset"
    )
    sse: Literal["AES256", "aws:kms", "none"] = "AES256"
    kms_key_id: str | None = None
    credentials_block: str | None = Field(
        default=None,
        description="Name of a prefect-aws AwsCredentials block; else the standard AWS "
        "environment (variables, profile, instance role)",
    )
    multipart_threshold_mb: int = Field(default=16, ge=5, le=5120)
    part_size_mb: int = Field(default=8, ge=5, le=5120)
    presign_seconds: int = Field(default=3600, gt=0, le=604_800)


class WebhookTarget(_Target):
    type: Literal["webhook"]
    name: str = Field(default="webhook", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    url: str = Field(pattern=r"^https?://")
    secret_env: str | None = Field(
        default=None, description="Environment variable holding the HMAC secret"
    )
    secret_block: str | None = Field(default=None, description="Name of a Prefect Secret block")
    timeout_seconds: float = Field(default=10, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=20)


TargetConfig = Annotated[LocalTarget | S3Target | WebhookTarget, Field(discriminator="type")]


@dataclass(frozen=True)
class PublishedBundle:
    """The local bundle of record, as the other targets receive it."""

    path: Path
    content_sha256: str
    approval: Approval
    manifest: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> PublishedBundle:
        manifest = json.loads((path / "manifest.json").read_bytes())
        approval = Approval.model_validate_json((path / "approval.json").read_bytes())
        return cls(
            path=path,
            content_sha256=manifest["content_sha256"],
            approval=approval,
            manifest=manifest,
        )

    @property
    def slug(self) -> str:
        return str(self.manifest["slug"])

    def files(self) -> list[str]:
        """Every file of the bundle, relative, manifest.json last."""
        listed = [entry["path"] for entry in self.manifest["files"]]
        return sorted(p for p in listed if p != "manifest.json") + ["manifest.json"]


def verify_published_bundle(bundle: PublishedBundle) -> None:
    """The gate, again, inside each publisher: the bytes on disk are the approved bytes."""
    from pressroom.publishing.bundle import hash_bundle

    on_disk = hash_bundle(bundle.path)
    for entry in bundle.manifest["files"]:
        file = bundle.path / entry["path"]
        if not file.is_file() or sha256_hex(file.read_bytes()) != entry["sha256"]:
            raise PublishRefused(
                f"{bundle.path.name}: {entry['path']} differs from its manifest entry; "
                "nothing was sent"
            )
    if bundle.approval.decision != "approve":
        raise PublishRefused(f"{bundle.path.name}: no approval; nothing was sent")
    if not on_disk == bundle.content_sha256 == bundle.approval.content_sha256:
        raise PublishRefused(
            f"{bundle.path.name}: its content ({on_disk[:12]}) is not the approved content "
            f"({bundle.approval.content_sha256[:12]}); nothing was sent"
        )


class Publisher(Protocol):
    """Sends an approved bundle of record somewhere; idempotent per content hash."""

    name: str

    def publish(self, bundle: PublishedBundle) -> PublishReceipt: ...
