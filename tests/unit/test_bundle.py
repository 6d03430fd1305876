"""Bundles: staging by content hash, the publish gate, and atomic, idempotent local publishing."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image

from pressroom.errors import PublishRefused
from pressroom.models import (
    Approval,
    CardImage,
    ChannelPost,
    ComplianceReport,
    Finding,
    Source,
    StagedBundle,
    Waiver,
)
from pressroom.providers.offline_image import OfflineCards
from pressroom.publishing import (
    hash_bundle,
    publish_local,
    read_bundle_content,
    stage_bundle,
    verify_publishable,
)
from pressroom.publishing.bundle import slugify
from pressroom.settings import ChannelConfig, Settings

WriteFn = Callable[..., list[ChannelPost]]
CardFn = Callable[..., CardImage]
DECIDED_AT = datetime(2025, 3, 14, 16, 45, tzinfo=UTC)
CONTENT_FILES = {"posts.json", "posts.md", "source.json"}
METADATA = {"manifest.json", "compliance.json", "approval.json"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def mtimes(directory: Path) -> dict[str, int]:
    return {
        p.relative_to(directory).as_posix(): p.stat().st_mtime_ns
        for p in [directory, *directory.rglob("*")]
    }


def approval_for(digest: str, **changes: object) -> Approval:
    fields: dict[str, object] = {
        "content_sha256": digest,
        "reviewer": "Claire Vasseur",
        "decision": "approve",
        "comments": "OK",
        "run_id": "run-1",
        "gate": "review",
        "decided_at": DECIDED_AT,
    }
    return Approval.model_validate(fields | changes)


def uri_path(uri: str) -> Path:
    assert uri.startswith("file://")
    return Path(unquote(uri.removeprefix("file://")))


def nothing_published(out_dir: Path) -> bool:
    return not out_dir.exists() or not any(out_dir.iterdir())


@pytest.fixture(scope="module")
def channels(settings: Settings) -> dict[str, ChannelConfig]:
    return settings.channels


@pytest.fixture(scope="module")
def posts(en_source: Source, write: WriteFn) -> list[ChannelPost]:
    return write(en_source)


@pytest.fixture(scope="module")
def cards(posts: list[ChannelPost], fake_card: CardFn) -> dict[str, CardImage]:
    colours = ["#12263a", "#f4b942", "#ffffff", "#000000", "#336699"]
    return {
        p.channel: fake_card(alt_text=f"{p.channel} card", colour=c)
        for p, c in zip(posts, colours, strict=True)
    }


@pytest.fixture
def staged(
    tmp_path: Path,
    en_source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
) -> StagedBundle:
    return stage_bundle(tmp_path / "staging", en_source, posts, cards, channels)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def report(staged: StagedBundle) -> ComplianceReport:
    return ComplianceReport(
        content_sha256=staged.content_sha256,
        findings=[Finding(rule_id="L3", severity="warning", message="link", location="instagram")],
    )


# ---------------------------------------------------------------- staging


def test_staged_folder_is_named_by_its_content_hash(staged: StagedBundle) -> None:
    folder = Path(staged.path)
    assert folder.is_dir()
    assert folder.name == staged.content_sha256[:32]
    assert hash_bundle(folder) == staged.content_sha256
    assert set(tree(folder)) == CONTENT_FILES | {
        f"images/{c}.png" for c in ["linkedin", "x", "instagram", "facebook", "tiktok"]
    }


def test_staged_file_list_matches_the_disk(
    staged: StagedBundle, cards: dict[str, CardImage]
) -> None:
    on_disk = tree(Path(staged.path))
    assert [f.path for f in staged.files] == sorted(on_disk)
    for entry in staged.files:
        assert entry.sha256 == sha256(on_disk[entry.path])
        assert entry.size == len(on_disk[entry.path])
        if entry.path.startswith("images/"):
            channel = Path(entry.path).stem
            assert entry.media_type == "image/png"
            assert entry.alt_text == cards[channel].alt_text
            assert entry.generation == cards[channel].generation
        else:
            assert entry.alt_text is None
            assert entry.generation is None
    assert {f.path: f.media_type for f in staged.files if not f.path.startswith("images/")} == {
        "posts.json": "application/json",
        "posts.md": "text/markdown",
        "source.json": "application/json",
    }


def test_staging_is_deterministic(
    tmp_path: Path,
    staged: StagedBundle,
    en_source: Source,
    write: WriteFn,
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
) -> None:
    # A fresh run of the writer: new generation timestamps, same content.
    again = stage_bundle(tmp_path / "staging", en_source, write(en_source), cards, channels)
    assert again.content_sha256 == staged.content_sha256
    assert again.path == staged.path
    elsewhere = stage_bundle(tmp_path / "other", en_source, write(en_source), cards, channels)
    assert elsewhere.content_sha256 == staged.content_sha256
    assert tree(Path(elsewhere.path)) == tree(Path(staged.path))
    assert len(list((tmp_path / "staging").iterdir())) == 1


def test_staging_the_same_content_again_writes_nothing(
    tmp_path: Path,
    staged: StagedBundle,
    en_source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
) -> None:
    before = mtimes(Path(staged.path))
    stage_bundle(tmp_path / "staging", en_source, posts, cards, channels)
    assert mtimes(Path(staged.path)) == before


def test_different_content_gets_a_different_hash_and_folder(
    tmp_path: Path,
    staged: StagedBundle,
    en_source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
) -> None:
    edited = [posts[0].model_copy(update={"text": posts[0].text + " "}), *posts[1:]]
    other = stage_bundle(tmp_path / "staging", en_source, edited, cards, channels)
    assert other.content_sha256 != staged.content_sha256
    assert other.path != staged.path
    assert Path(staged.path).is_dir()  # the first bundle is left alone
    recoloured = {**cards, "x": cards["linkedin"]}
    assert (
        stage_bundle(tmp_path / "staging", en_source, posts, recoloured, channels).content_sha256
        != staged.content_sha256
    )


def test_restaging_repairs_a_tampered_folder(
    tmp_path: Path,
    staged: StagedBundle,
    en_source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
) -> None:
    (Path(staged.path) / "posts.md").write_text("tampered", encoding="utf-8")
    assert hash_bundle(Path(staged.path)) != staged.content_sha256
    stage_bundle(tmp_path / "staging", en_source, posts, cards, channels)
    assert hash_bundle(Path(staged.path)) == staged.content_sha256


def test_staged_content_holds_every_post_verbatim(
    staged: StagedBundle, posts: list[ChannelPost], en_source: Source
) -> None:
    folder = Path(staged.path)
    data = json.loads((folder / "posts.json").read_bytes())
    assert [p["text"] for p in data["posts"]] == [p.text for p in posts]
    assert data["source"]["sha256"] == en_source.sha256
    assert all(p["image"] == f"images/{p['channel']}.png" for p in data["posts"])
    digest = (folder / "posts.md").read_text(encoding="utf-8")
    assert all(p.text in digest for p in posts)
    assert "## LinkedIn" in digest
    source = json.loads((folder / "source.json").read_bytes())
    assert source["url"] == en_source.url
    assert "text" not in source  # the article itself is not republished


def test_read_bundle_content_reads_the_bytes(
    staged: StagedBundle, posts: list[ChannelPost], en_source: Source
) -> None:
    content = read_bundle_content(staged, en_source.text)
    assert content.content_sha256 == staged.content_sha256
    assert [(p.channel, p.text, p.disclosure) for p in content.posts] == [
        (p.channel, p.text, p.disclosure) for p in posts
    ]
    assert [p.image_alt_text for p in content.posts] == [f"{p.channel} card" for p in posts]
    assert content.source_text == en_source.text
    assert content.digest_markdown == (Path(staged.path) / "posts.md").read_text("utf-8")


def test_read_bundle_content_without_cards(
    tmp_path: Path, en_source: Source, posts: list[ChannelPost], channels: dict[str, ChannelConfig]
) -> None:
    bare = stage_bundle(tmp_path / "staging", en_source, posts, {}, channels)
    assert not (Path(bare.path) / "images").exists()
    assert all(p.image_alt_text is None for p in read_bundle_content(bare, "").posts)


def test_real_card_is_staged_as_png(
    tmp_path: Path,
    en_source: Source,
    posts: list[ChannelPost],
    channels: dict[str, ChannelConfig],
    settings: Settings,
) -> None:
    card = OfflineCards().card(
        title=en_source.title,
        subtitle="Port Alder Gazette",
        brand=settings.brand,
        width=400,
        height=225,
        language="en",
        disclosure="AI-generated content",
    )
    bundle = stage_bundle(tmp_path / "staging", en_source, posts, {"x": card}, channels)
    png = (Path(bundle.path) / "images" / "x.png").read_bytes()
    assert png == card.png
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.size) == ("PNG", (400, 225))
    entry = next(f for f in bundle.files if f.path == "images/x.png")
    assert entry.alt_text == card.alt_text and card.alt_text.strip()


# ---------------------------------------------------------------- the publish gate


def test_verify_publishable_returns_the_recomputed_hash(
    staged: StagedBundle, report: ComplianceReport
) -> None:
    approval = approval_for(staged.content_sha256)
    assert verify_publishable(staged, report, approval) == staged.content_sha256


def _no_approval(staged: StagedBundle, report: ComplianceReport) -> tuple:
    return staged, report, None


def _rejected(staged: StagedBundle, report: ComplianceReport) -> tuple:
    return staged, report, approval_for(staged.content_sha256, decision="reject")


def _changes_requested(staged: StagedBundle, report: ComplianceReport) -> tuple:
    return staged, report, approval_for(staged.content_sha256, decision="request_changes")


def _approval_for_other_hash(staged: StagedBundle, report: ComplianceReport) -> tuple:
    return staged, report, approval_for("0" * 64)


def _report_for_other_hash(staged: StagedBundle, report: ComplianceReport) -> tuple:
    other = report.model_copy(update={"content_sha256": "0" * 64})
    return staged, other, approval_for(staged.content_sha256)


def _report_with_blocker(staged: StagedBundle, report: ComplianceReport) -> tuple:
    blocked = report.model_copy(
        update={
            "findings": [
                Finding(rule_id="R1", severity="blocker", message="missing", location="x"),
                *report.findings,
            ]
        }
    )
    return staged, blocked, approval_for(staged.content_sha256)


def _blocker_waived_for_another_post(staged: StagedBundle, report: ComplianceReport) -> tuple:
    _, blocked, _ = _report_with_blocker(staged, report)
    waiver = Waiver(
        rule_id="R1", location="linkedin", reviewer="C", roles=["compliance"], justification="ok"
    )
    return staged, blocked, approval_for(staged.content_sha256, waivers=[waiver])


def _quarantined_not_checked(staged: StagedBundle, report: ComplianceReport) -> tuple:
    signal = Finding(
        rule_id="I2", severity="warning", message="speaks to a model", location="source"
    )
    quarantined = report.model_copy(update={"findings": [signal, *report.findings]})
    return staged, quarantined, approval_for(staged.content_sha256)


def _byte_changed(staged: StagedBundle, report: ComplianceReport) -> tuple:
    path = Path(staged.path) / "posts.json"
    data = bytearray(path.read_bytes())
    data[10] = ord("X") if data[10] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))
    return staged, report, approval_for(staged.content_sha256)


def _image_byte_changed(staged: StagedBundle, report: ComplianceReport) -> tuple:
    path = Path(staged.path) / "images" / "x.png"
    path.write_bytes(path.read_bytes() + b"\0")
    return staged, report, approval_for(staged.content_sha256)


def _file_added(staged: StagedBundle, report: ComplianceReport) -> tuple:
    (Path(staged.path) / "images" / "extra.png").write_bytes(b"\x89PNG")
    return staged, report, approval_for(staged.content_sha256)


def _file_removed(staged: StagedBundle, report: ComplianceReport) -> tuple:
    (Path(staged.path) / "images" / "tiktok.png").unlink()
    return staged, report, approval_for(staged.content_sha256)


def _folder_deleted(staged: StagedBundle, report: ComplianceReport) -> tuple:
    shutil.rmtree(staged.path)
    return staged, report, approval_for(staged.content_sha256)


REFUSALS = {
    "no-approval": (_no_approval, "no approval"),
    "rejected": (_rejected, "no approval"),
    "changes-requested": (_changes_requested, "no approval"),
    "approval-for-other-hash": (_approval_for_other_hash, "000000000000"),
    "report-for-other-hash": (_report_for_other_hash, "compliance report"),
    "report-with-blocker": (_report_with_blocker, "R1 (x)"),
    "blocker-waived-for-another-post": (_blocker_waived_for_another_post, "R1 (x)"),
    "quarantined-source-not-checked": (_quarantined_not_checked, "quarantined"),
    "byte-changed": (_byte_changed, "changed after it was staged"),
    "image-byte-changed": (_image_byte_changed, "changed after it was staged"),
    "file-added": (_file_added, "changed after it was staged"),
    "file-removed": (_file_removed, "changed after it was staged"),
    "folder-deleted": (_folder_deleted, "is gone"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_gate_refuses_and_nothing_is_written(
    staged: StagedBundle, report: ComplianceReport, out_dir: Path, case: str
) -> None:
    prepare, reason = REFUSALS[case]
    staged_, report_, approval = prepare(staged, report)
    with pytest.raises(PublishRefused, match="nothing was published|Nothing was published") as e:
        verify_publishable(staged_, report_, approval)
    assert reason in str(e.value)
    with pytest.raises(PublishRefused):
        publish_local(staged_, report_, approval, out_dir)
    assert nothing_published(out_dir)


def test_a_waived_blocker_publishes_and_the_waiver_is_in_the_record(
    staged: StagedBundle, report: ComplianceReport, out_dir: Path
) -> None:
    _, blocked, _ = _report_with_blocker(staged, report)
    waiver = Waiver(
        rule_id="R1",
        location="x",
        reviewer="Claire Vasseur",
        roles=["compliance"],
        justification="The label is in the image for this campaign.",
    )
    receipt = publish_local(
        staged, blocked, approval_for(staged.content_sha256, waivers=[waiver]), out_dir
    )
    folder = Path(receipt.uri.removeprefix("file://"))
    recorded = Approval.model_validate_json((folder / "approval.json").read_bytes())
    assert recorded.waivers == [waiver]
    manifest = json.loads((folder / "manifest.json").read_bytes())
    assert manifest["compliance"]["waived"] == 1
    assert manifest["approvals"][0]["waivers"][0]["justification"] == waiver.justification


# ---------------------------------------------------------------- publishing


@pytest.fixture
def published(
    staged: StagedBundle, report: ComplianceReport, out_dir: Path
) -> tuple[Path, Approval]:
    approval = approval_for(staged.content_sha256)
    receipt = publish_local(staged, report, approval, out_dir)
    folder = uri_path(receipt.uri)
    assert receipt.uri == folder.resolve().as_uri()
    assert receipt.target == "local"
    assert receipt.content_sha256 == staged.content_sha256
    assert receipt.approval_reviewer == "Claire Vasseur"
    assert receipt.approval_decided_at == DECIDED_AT
    return folder, approval


def test_published_folder_name(
    published: tuple[Path, Approval], staged: StagedBundle, en_source: Source, out_dir: Path
) -> None:
    folder, _ = published
    slug = "port-alder-ferries-will-sail-every-20-minutes-from-june"
    assert slugify(en_source.title) == slug == staged.slug
    assert folder == (out_dir / f"2025-03-14-{slug}-{staged.content_sha256[:12]}").resolve()
    assert [p.name for p in out_dir.iterdir()] == [folder.name]  # no temporary folder left


def test_published_folder_holds_content_and_records(
    published: tuple[Path, Approval], staged: StagedBundle, report: ComplianceReport
) -> None:
    folder, approval = published
    files = tree(folder)
    assert set(files) == CONTENT_FILES | METADATA | {
        f"images/{c}.png" for c in ["linkedin", "x", "instagram", "facebook", "tiktok"]
    }
    staged_files = tree(Path(staged.path))
    assert all(files[path] == data for path, data in staged_files.items())
    assert hash_bundle(folder) == staged.content_sha256
    assert Approval.model_validate_json(files["approval.json"]) == approval
    assert ComplianceReport.model_validate_json(files["compliance.json"]) == report


def test_manifest_matches_the_disk(
    published: tuple[Path, Approval], staged: StagedBundle, posts: list[ChannelPost]
) -> None:
    folder, approval = published
    manifest = json.loads((folder / "manifest.json").read_bytes())
    assert manifest["content_sha256"] == staged.content_sha256
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = tree(folder)
    assert set(listed) == set(on_disk) - {"manifest.json"}
    for path, entry in listed.items():
        assert entry["sha256"] == sha256(on_disk[path]), path
        assert entry["size"] == len(on_disk[path]), path
    assert listed["images/x.png"]["alt_text"] == "x card"
    assert listed["images/x.png"]["media_type"] == "image/png"
    assert manifest["post_generations"] == {
        p.channel: p.generation.model_dump(mode="json") for p in posts
    }
    assert manifest["compliance"] == {
        "passed": True,
        "blockers": 0,
        "waived": 0,
        "warnings": 1,
        "quarantined": False,
    }
    assert [a["reviewer"] for a in manifest["approvals"]] == [approval.reviewer]
    assert manifest["approvals"][0]["content_sha256"] == staged.content_sha256


def test_publishing_again_returns_the_same_folder_and_writes_nothing(
    published: tuple[Path, Approval],
    staged: StagedBundle,
    report: ComplianceReport,
    out_dir: Path,
) -> None:
    folder, approval = published
    before_tree, before_mtimes = tree(folder), mtimes(out_dir)
    again = publish_local(staged, report, approval, out_dir)
    later = approval_for(
        staged.content_sha256, reviewer="Tom Ashdown", decided_at=datetime(2025, 4, 1, tzinfo=UTC)
    )
    third = publish_local(staged, report, later, out_dir)
    assert again.uri == third.uri == folder.as_uri()
    assert tree(folder) == before_tree
    assert mtimes(out_dir) == before_mtimes


def test_crash_while_publishing_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch,
    staged: StagedBundle,
    report: ComplianceReport,
    out_dir: Path,
) -> None:
    approval = approval_for(staged.content_sha256)

    def crash(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("pressroom.publishing.bundle.os.rename", crash)
    with pytest.raises(OSError, match="disk full"):
        publish_local(staged, report, approval, out_dir)
    assert nothing_published(out_dir), list(out_dir.iterdir())
    monkeypatch.undo()

    receipt = publish_local(staged, report, approval, out_dir)  # a retry then succeeds
    folder = uri_path(receipt.uri)
    assert (folder / "manifest.json").is_file()
    assert [p.name for p in out_dir.iterdir()] == [folder.name]
    assert os.path.samefile(folder.parent, out_dir)


def test_folder_without_manifest_is_not_taken_for_a_published_bundle(
    staged: StagedBundle, report: ComplianceReport, out_dir: Path
) -> None:
    name = f"2025-03-14-{staged.slug}-{staged.content_sha256[:12]}"
    (out_dir / name).mkdir(parents=True)
    (out_dir / name / "posts.md").write_text("half-copied", encoding="utf-8")
    receipt = publish_local(staged, report, approval_for(staged.content_sha256), out_dir)
    folder = uri_path(receipt.uri)
    assert (folder / "manifest.json").is_file()
    assert hash_bundle(folder) == staged.content_sha256


def test_a_post_holding_backticks_shows_verbatim_in_the_digest() -> None:
    from pressroom.text import code_block

    text = "Use ```code``` and `x`"
    block = code_block(text)
    fence = block.splitlines()[0].removesuffix("text")
    assert len(fence) == 4 and block.endswith("\n" + fence)
    assert text in block


def test_each_post_says_when_it_goes_out(
    tmp_path: Path,
    en_source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
) -> None:
    from zoneinfo import ZoneInfo

    at = datetime(2026, 10, 19, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    staged = stage_bundle(
        tmp_path / "staging", en_source, posts, cards, channels, publish_at={"linkedin": at}
    )
    folder = Path(staged.path)
    times = {p["channel"]: p["publish_at"] for p in json.loads(tree(folder)["posts.json"])["posts"]}
    assert times["linkedin"] == "2026-10-19T12:00:00+02:00"
    assert {c: t for c, t in times.items() if c != "linkedin"} == dict.fromkeys(
        ["x", "instagram", "facebook", "tiktok"]
    )
    assert "Goes out: Mon 19 Oct 2026 12:00 (+02:00)" in (folder / "posts.md").read_text()
    unscheduled = stage_bundle(tmp_path / "staging", en_source, posts, cards, channels)
    assert unscheduled.content_sha256 != staged.content_sha256  # the time is what is approved
