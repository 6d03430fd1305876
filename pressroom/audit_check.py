"""Checking the audit trail together with the bundles it speaks of."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pressroom.audit import AuditEntry, AuditLog
from pressroom.errors import PublishRefused
from pressroom.publishing.targets import PublishedBundle, verify_published_bundle

AUDIT_FILE = "audit.jsonl"


@dataclass
class TrailReport:
    entries: int = 0
    bundles: int = 0
    problems: list[str] = field(default_factory=list)


def published_bundles(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").is_file()
    )


def verify_trail(folder: Path, bundles: list[Path] | None = None) -> TrailReport:
    """The chain (edits, removals, reordering, a cut tail) and each bundle against its manifest,
    its approval and its anchor in the chain."""
    report = TrailReport()
    log_path = folder / AUDIT_FILE
    if not log_path.is_file():
        report.problems.append(f"no audit trail at {log_path}")
        return report
    chosen = bundles if bundles is not None else published_bundles(folder)
    anchors: list[tuple[int, str]] = []
    for path in chosen:
        report.bundles += 1
        try:
            bundle = PublishedBundle.load(path)
            verify_published_bundle(bundle)
        except (OSError, ValueError, KeyError, PublishRefused) as problem:
            report.problems.append(f"{path.name}: {problem}")
            continue
        anchor = bundle.manifest.get("audit_anchor")
        if anchor:
            anchors.append((int(anchor["seq"]), str(anchor["hash"])))
        else:
            report.problems.append(f"{path.name}: its manifest holds no audit anchor")
    verification = AuditLog(log_path).verify(anchors)
    report.entries = verification.entries
    report.problems.extend(verification.problems)
    return report


def entries_of_run(folder: Path, run: str) -> list[AuditEntry]:
    """Entries of a run, by id or by name."""
    return [
        e
        for e in AuditLog(folder / AUDIT_FILE).entries()
        if run in (e.run_id, e.data.get("run_name"))
    ]


def describe_entry(entry: AuditEntry) -> str:
    head = f"#{entry.seq:<4} {entry.at:%Y-%m-%d %H:%M:%S} {entry.kind:<14}"
    content = f"content {entry.content_sha256[:12]}" if entry.content_sha256 else ""
    data = entry.data
    if entry.kind == "review":
        approval = data["approval"]
        detail = f"{approval['decision']} by {approval['reviewer']}"
        if approval.get("comments"):
            detail += f": {approval['comments']!r}"
    elif entry.kind == "compliance":
        blockers = sum(1 for f in data["findings"] if f["severity"] == "blocker")
        detail = f"{'passed' if data['passed'] else 'blocked'} ({blockers} blocker(s), "
        detail += f"{len(data['findings']) - blockers} other finding(s))"
    elif entry.kind == "publish":
        detail = f"{data['target']} → {data['uri']}"
    elif entry.kind == "publish_failed":
        detail = f"{data['target']} failed: {data['error']}"
    elif entry.kind == "generation":
        providers = {g["provider"] for g in data.get("posts", {}).values()}
        detail = f"posts by {', '.join(sorted(providers))}; source {data['source']['url']}"
    else:
        detail = json.dumps(data, ensure_ascii=False)[:120]
    return f"{head} {content:<21} {detail}"
