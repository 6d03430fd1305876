"""Bundles and publishers. Every publisher goes through `verify_publishable` first."""

from pressroom.publishing.bundle import (
    hash_bundle,
    publish_local,
    read_bundle_content,
    stage_bundle,
    verify_publishable,
)

__all__ = [
    "hash_bundle",
    "publish_local",
    "read_bundle_content",
    "stage_bundle",
    "verify_publishable",
]
