"""Publish targets: configuration and the interface every publisher implements.

The local folder is always published first: it is the bundle of record (manifest, compliance
report, approval) that the other targets receive. Every publisher re-checks the gate itself with
`verify_published_bundle` before sending a byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pressroom.errors import PublishRefused
from pressroom.models import Approval, PublishReceipt, sha256_hex
from pressroom.settings import LocalTarget, S3Target, TargetConfig, WebhookTarget

__all__ = [
    "LocalTarget",
    "PublishedBundle",
    "Publisher",
    "S3Target",
    "TargetConfig",
    "WebhookTarget",
    "verify_published_bundle",
]


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
