"""Bundles: the unit that is checked, reviewed and published.

A bundle's *content* is posts.json, posts.md, source.json and images/*. Its content hash is
the sha256 of the sorted ``path:sha256`` lines of those files, so any byte changed, added or
removed changes it. Compliance reports and approvals name that hash; publishing recomputes it
from disk and refuses when it does not match.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from pressroom.compliance import BundleContent, PostContent
from pressroom.errors import PublishRefused
from pressroom.models import (
    Approval,
    BundleFile,
    CardImage,
    ChannelPost,
    ComplianceReport,
    Generation,
    LicenceRecord,
    PublishReceipt,
    Source,
    StagedBundle,
    sha256_hex,
    utc_now,
)
from pressroom.schedule import when
from pressroom.settings import ChannelConfig
from pressroom.text import code_block

#: Written at publication, around the approved content: not part of its hash.
METADATA_FILES = frozenset(
    {"manifest.json", "compliance.json", "approval.json", "how-this-was-made.md"}
)
_MEDIA_TYPES = {
    ".json": "application/json",
    ".md": "text/markdown",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
}


def slugify(title: str, max_length: int = 60) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "untitled"


def content_hash(files: Iterable[tuple[str, str]]) -> str:
    return sha256_hex("".join(f"{path}:{digest}\n" for path, digest in sorted(files)))


def _content_files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.relative_to(directory).as_posix() not in METADATA_FILES
    }


def hash_bundle(directory: Path) -> str:
    """The content hash of what is on disk now."""
    return content_hash(
        (path, sha256_hex(data)) for path, data in _content_files(directory).items()
    )


def render_digest(
    source: Source,
    posts: list[ChannelPost],
    labels: dict[str, str],
    publish_at: dict[str, datetime] | None = None,
) -> str:
    """posts.md: every post exactly as it will be published, and when, for humans."""
    lines = [f"# {source.title}", "", f"Source: {source.url}", ""]
    for post in posts:
        lines += [f"## {labels.get(post.channel, post.channel)}", ""]
        if post.channel in (publish_at or {}):
            lines += [f"Goes out: {when((publish_at or {})[post.channel])}", ""]
        lines += [code_block(post.text), ""]
    return "\n".join(lines)


def bundle_payload(
    source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
    publish_at: dict[str, datetime] | None = None,
) -> dict[str, bytes]:
    """The content files of a bundle, path -> bytes, deterministic for the same inputs. Each
    post carries the API flags its platform uses to mark AI-generated content (rule R2), and
    when it goes out (`publish_at`, by channel; null: as soon as it is published)."""
    times = publish_at or {}
    posts_json = {
        "source": {
            "url": source.url,
            "title": source.title,
            "language": source.language,
            "sha256": source.sha256,
        },
        "posts": [
            {
                "channel": p.channel,
                "language": p.language,
                "text": p.text,
                "hashtags": p.hashtags,
                "link": p.link,
                "disclosure": p.disclosure,
                "image": f"images/{p.channel}.png" if p.channel in cards else None,
                "image_alt_text": cards[p.channel].alt_text if p.channel in cards else None,
                "platform_flags": _platform_flags(channels.get(p.channel)),
                "publish_at": times[p.channel].isoformat() if p.channel in times else None,
            }
            for p in posts
        ],
    }
    files = {
        "posts.json": json.dumps(posts_json, ensure_ascii=False, indent=2).encode(),
        "posts.md": render_digest(
            source, posts, {name: cfg.label for name, cfg in channels.items()}, times
        ).encode(),
        "source.json": source.model_dump_json(
            include={
                "url",
                "title",
                "language",
                "sha256",
                "fetched_at",
                "author",
                "published",
                "removed",
            },
            indent=2,
        ).encode(),
    }
    files.update({f"images/{channel}.png": card.png for channel, card in cards.items()})
    return files


def stage_bundle(
    staging_root: Path,
    source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
    licences: dict[str, LicenceRecord] | None = None,
    publish_at: dict[str, datetime] | None = None,
) -> StagedBundle:
    """Write the content to ``staging_root/<hash>``; the same content lands in the same place.
    `licences` (by file path) go into the file records, hence the manifest."""
    return stage_files(
        staging_root,
        slugify(source.title),
        bundle_payload(source, posts, cards, channels, publish_at),
        assets={
            f"images/{channel}.png": (card.generation, card.alt_text)
            for channel, card in cards.items()
        },
        licences=licences,
        post_generations={p.channel: p.generation for p in posts},
    )


def _platform_flags(channel: ChannelConfig | None) -> dict[str, bool]:
    return {channel.ai_flag: True} if channel is not None and channel.ai_flag else {}


def stage_files(
    staging_root: Path,
    slug: str,
    payload: dict[str, bytes],
    *,
    assets: dict[str, tuple[Generation, str | None]] | None = None,
    licences: dict[str, LicenceRecord] | None = None,
    post_generations: dict[str, Generation] | None = None,
) -> StagedBundle:
    """Any bundle's content (path -> bytes) written to ``staging_root/<hash>``, with each
    generated asset's record (generation, alt text) and licence, by path."""
    digest = content_hash((path, sha256_hex(data)) for path, data in payload.items())
    target = staging_root / digest[:32]
    if not target.exists() or hash_bundle(target) != digest:
        _write_atomically(target, payload)
    assets = assets or {}
    files = [
        BundleFile(
            path=path,
            sha256=sha256_hex(data),
            size=len(data),
            media_type=_MEDIA_TYPES.get(Path(path).suffix, "application/octet-stream"),
            generation=assets[path][0] if path in assets else None,
            alt_text=assets[path][1] if path in assets else None,
            licence=(licences or {}).get(path),
        )
        for path, data in sorted(payload.items())
    ]
    return StagedBundle(
        path=str(target),
        slug=slug,
        content_sha256=digest,
        files=files,
        post_generations=post_generations or {},
    )


def _write_atomically(target: Path, payload: dict[str, bytes]) -> None:
    """Write every file in a temporary sibling folder, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for path, data in payload.items():
            destination = temporary / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            with open(destination, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if target.exists():
            shutil.rmtree(target)
        os.rename(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def verify_publishable(
    staged: StagedBundle, report: ComplianceReport, approval: Approval | None
) -> str:
    """The publish gate. Returns the recomputed content hash or raises PublishRefused."""
    directory = Path(staged.path)
    if not directory.is_dir():
        raise PublishRefused(f"the staged bundle {directory} is gone; nothing was published")
    on_disk = hash_bundle(directory)
    if on_disk != staged.content_sha256:
        raise PublishRefused(
            f"the bundle changed after it was staged (content hash {on_disk[:12]} on disk, "
            f"{staged.content_sha256[:12]} reviewed); edits need a new review. "
            "Nothing was published."
        )
    if approval is None or approval.decision != "approve":
        raise PublishRefused("no approval for this content; nothing was published")
    if approval.content_sha256 != on_disk:
        raise PublishRefused(
            f"the approval by {approval.reviewer} is for content {approval.content_sha256[:12]}, "
            f"not {on_disk[:12]}; nothing was published"
        )
    if report.content_sha256 != on_disk:
        raise PublishRefused(
            "the compliance report was made for other content; nothing was published"
        )
    unwaived = [f for f in report.blockers if not any(w.covers(f) for w in approval.waivers)]
    if unwaived:
        rules = ", ".join(f"{f.rule_id} ({f.location})" for f in unwaived)
        raise PublishRefused(
            f"{len(unwaived)} compliance blocker(s) stand: {rules}. Request changes to "
            "fix them; nothing was published."
        )
    if report.quarantined and not approval.source_checked:
        raise PublishRefused(
            "the source is quarantined and the reviewer did not confirm checking it; "
            "nothing was published"
        )
    return on_disk


def published_bundle(out_dir: Path, digest: str) -> Path | None:
    """The folder already published for this content hash, if any (manifest present)."""
    for candidate in sorted(out_dir.glob(f"*-{digest[:12]}")):
        if (candidate / "manifest.json").is_file():
            return candidate
    return None


def publish_local(
    staged: StagedBundle,
    report: ComplianceReport,
    approval: Approval | None,
    out_dir: Path,
    audit_anchor: tuple[int, str] | None = None,
    how_it_was_made: str | None = None,
) -> PublishReceipt:
    """Copy an approved, compliant bundle to ``out_dir/<date>-<slug>-<hash12>`` atomically.

    Publishing the same content twice returns the first receipt's folder and writes nothing.
    ``audit_anchor`` (the approval's audit entry, seq and hash) goes into the manifest, so that
    cutting the audit trail's tail is detectable from the bundles; ``how_it_was_made`` is the
    transparency page (pressroom.transparency).
    """
    digest = verify_publishable(staged, report, approval)
    assert approval is not None  # verify_publishable refuses a missing approval
    folder = published_bundle(out_dir, digest)
    if folder is None:
        folder = out_dir / f"{approval.decided_at:%Y-%m-%d}-{staged.slug}-{digest[:12]}"
        payload = _content_files(Path(staged.path))
        payload["compliance.json"] = report.model_dump_json(indent=2).encode()
        payload["approval.json"] = approval.model_dump_json(indent=2).encode()
        if how_it_was_made is not None:
            payload["how-this-was-made.md"] = how_it_was_made.encode()
        payload["manifest.json"] = _manifest(
            staged, report, approval, payload, audit_anchor
        ).encode()
        _write_atomically(folder, payload)
    # The receipt names the approval the published folder holds (the first one, on a repeat).
    recorded = Approval.model_validate_json((folder / "approval.json").read_bytes())
    return PublishReceipt(
        target="local",
        uri=folder.resolve().as_uri(),
        content_sha256=digest,
        approval_reviewer=recorded.reviewer,
        approval_decided_at=recorded.decided_at,
    )


def _manifest(
    staged: StagedBundle,
    report: ComplianceReport,
    approval: Approval,
    payload: dict[str, bytes],
    audit_anchor: tuple[int, str] | None,
) -> str:
    by_path = {f.path: f for f in staged.files}
    files = []
    for path, data in sorted(payload.items()):
        entry = by_path.get(path) or BundleFile(
            path=path, sha256=sha256_hex(data), size=len(data), media_type="application/json"
        )
        files.append(entry.model_dump(mode="json", exclude_none=True))
    manifest = {
        "content_sha256": staged.content_sha256,
        "slug": staged.slug,
        "created_at": utc_now().isoformat(),
        "files": files,
        "post_generations": {
            channel: generation.model_dump(mode="json")
            for channel, generation in staged.post_generations.items()
        },
        "compliance": {
            "passed": report.passed,
            "blockers": len(report.blockers),
            "waived": len(approval.waivers),
            "warnings": len(report.warnings),
            "quarantined": report.quarantined,
        },
        "approvals": [approval.model_dump(mode="json")],
        "audit_anchor": (
            {"seq": audit_anchor[0], "hash": audit_anchor[1]} if audit_anchor else None
        ),
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2)


def read_bundle_content(
    staged: StagedBundle, source_text: str, protected_text: str | None = None
) -> BundleContent:
    """The posts exactly as the bundle's bytes hold them, for the compliance checks;
    `protected_text` is the part of the source somebody else wrote (None: all of it)."""
    directory = Path(staged.path)
    data = json.loads((directory / "posts.json").read_bytes())
    posts = [
        PostContent(
            channel=p["channel"],
            text=p["text"],
            disclosure=p["disclosure"],
            image_alt_text=p.get("image_alt_text") if p.get("image") else None,
            platform_flags=p.get("platform_flags") or {},
        )
        for p in data["posts"]
    ]
    return BundleContent(
        content_sha256=hash_bundle(directory),
        posts=posts,
        digest_markdown=(directory / "posts.md").read_text(encoding="utf-8"),
        source_text=source_text,
        language=data["source"]["language"],
        source_url=data["source"]["url"],
        protected_text=protected_text,
    )
