"""Asset licences (C3): every image, audio and video file says where it came from and on what
terms, and those terms allow the channel's use.

* C3 asset-licence   a media file with no licence record, or whose terms forbid the use of a
                     channel it goes to (e.g. a free-plan voice on a brand's channel)   blocker
                     terms that are unclear about that use                               warning
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pressroom.models import BundleFile, Finding
from pressroom.settings import ChannelConfig

RULE_ID = "C3"
MEDIA_KINDS = ("image/", "audio/", "video/")


def check_licences(
    files: Sequence[BundleFile], channels: dict[str, ChannelConfig]
) -> list[Finding]:
    findings: list[Finding] = []
    for file in files:
        if not file.media_type.startswith(MEDIA_KINDS):
            continue
        commercial = [
            cfg.label for name, cfg in _channels_of(file, channels) if cfg.use == "commercial"
        ]
        licence = file.licence
        if licence is None:
            findings.append(
                _finding(
                    file,
                    "blocker",
                    "This asset has no licence record: nobody can say whether it may be "
                    "published. Its provider needs an entry in configs/licences.yaml.",
                    "no licence record",
                )
            )
        elif licence.commercial_use is False and commercial:
            findings.append(
                _finding(
                    file,
                    "blocker",
                    f"The terms of this asset forbid commercial use, and it goes to "
                    f"{', '.join(commercial)}.",
                    f"{licence.provider} {licence.model}"
                    + (f" ({licence.plan} plan)" if licence.plan else "")
                    + f": {licence.terms}",
                )
            )
        elif licence.commercial_use is None and commercial:
            findings.append(
                _finding(
                    file,
                    "warning",
                    "The terms of this asset are unclear about commercial use: verify them "
                    f"before it goes to {', '.join(commercial)}.",
                    f"{licence.provider} {licence.model}: {licence.terms}",
                )
            )
    return findings


def _channels_of(
    file: BundleFile, channels: dict[str, ChannelConfig]
) -> list[tuple[str, ChannelConfig]]:
    """A card named after its channel goes there; any other asset goes to every channel."""
    stem = Path(file.path).stem
    if stem in channels:
        return [(stem, channels[stem])]
    return list(channels.items())


def _finding(file: BundleFile, severity: str, message: str, evidence: str) -> Finding:
    return Finding(
        rule_id=RULE_ID,
        severity=severity,  # type: ignore[arg-type]
        message=message,
        evidence=f"{file.path}: {evidence}",
        location=file.path,
    )
