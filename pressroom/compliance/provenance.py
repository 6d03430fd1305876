"""Provenance (R5): every generated image, audio and video file carries valid content credentials.

* R5 content-credentials  a generated media file with no C2PA manifest, a manifest that does
                          not validate against Pressroom's root (content changed after signing,
                          a foreign or broken signature), or one that does not declare the file
                          made by a trained model (trainedAlgorithmicMedia)                blocker

The check reads the exact bytes under review. Give it the bundle's generated files only (those
with a `Generation`); files that are not image, audio or video are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pressroom.models import Finding, StagedBundle
from pressroom.provenance import (
    SIGNABLE_MEDIA_TYPES,
    KeyPaths,
    load_keys,
    verify_asset,
)

RULE_ID = "R5"
_MEDIA_KINDS = {"image": "image", "audio": "audio file", "video": "video"}


def check_provenance(
    files: Iterable[tuple[str, bytes, str]], *, keys: KeyPaths | None = None
) -> list[Finding]:
    """One R5 blocker per generated media file (path, bytes, media type) whose credentials are
    missing, invalid or silent about AI. ``keys`` defaults to Pressroom's key folder."""
    trust = keys or load_keys()
    return [
        finding
        for path, data, media_type in files
        if (kind := _MEDIA_KINDS.get(media_type.split("/")[0]))
        for finding in _findings(path, data, media_type, kind, trust)
    ]


def generated_media(staged: StagedBundle) -> list[tuple[str, bytes, str]]:
    """The staged bundle's generated files (those with a `Generation`), read from disk: the
    bytes the reviewer approves."""
    return [
        (file.path, (Path(staged.path) / file.path).read_bytes(), file.media_type)
        for file in staged.files
        if file.generation is not None
    ]


def _findings(
    path: str, data: bytes, media_type: str, kind: str, keys: KeyPaths
) -> Iterator[Finding]:
    if media_type not in SIGNABLE_MEDIA_TYPES:
        yield _blocker(
            path,
            f"This generated {kind} is in a format ({media_type}) that Pressroom cannot sign, "
            "so it cannot show it was made with AI. Convert it to PNG, JPEG, WAV, MP3 or MP4.",
            "format not supported for content credentials",
        )
        return
    check = verify_asset(data, media_type, keys=keys)
    if not check.signed:
        yield _blocker(
            path,
            f"This generated {kind} carries no content credentials (C2PA), so nobody can check "
            "that it was made with AI. It must be signed before it is reviewed.",
            "no content credentials",
        )
    elif not check.valid:
        yield _blocker(
            path,
            f"The content credentials of this generated {kind} do not hold: "
            f"{'; '.join(check.problems)}. Sign it again as the last step before review.",
            f"validator: {', '.join(check.codes) or 'no trusted signature'}",
        )
    elif not check.declares_ai:
        yield _blocker(
            path,
            f"The content credentials of this generated {kind} do not say it was made by AI. "
            "Sign it again declaring it AI-generated.",
            f"no c2pa.created action with digitalSourceType trainedAlgorithmicMedia "
            f"(signed by {check.issuer or 'an unnamed issuer'})",
        )


def _blocker(path: str, message: str, reason: str) -> Finding:
    return Finding(
        rule_id=RULE_ID,
        severity="blocker",
        message=message,
        evidence=f"{path}: {reason}",
        location=path,
    )
