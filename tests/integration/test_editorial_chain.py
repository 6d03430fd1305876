"""The editorial chain on a real Prefect backend with the embedded providers: gate 1 on the plan,
then one gate per format; the video sent back is redrawn alone while the posts stay published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pressroom.audit_check import published_bundles
from pressroom.briefs import Brief
from pressroom.providers.offline_text import MODEL
from tasks.review import review_description_of, submit_review
from tests.integration.conftest import BackgroundRun, write_config

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("prefect_backend", "allow_loopback"),
]

NOTES = (
    "Port Alder's seagrass project counts its meadow every April. Volunteers planted 14,000 "
    "shoots by hand, and the survey found 1.6 hectares of meadow."
)


@pytest.fixture
def chain_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = write_config(tmp_path / "configs")
    path = directory / "pipeline.yaml"
    pipeline = yaml.safe_load(path.read_text())
    pipeline["video"].update({"preset": "ultrafast", "channels": ["tiktok"]})
    path.write_text(yaml.safe_dump(pipeline, allow_unicode=True))
    monkeypatch.setenv("PRESSROOM_CONFIG_DIR", str(directory))
    return directory


def approve(run_id: str, **extra: Any) -> None:
    submit_review(run_id, {"decision": "approve", "reviewer": "Alice Martin", **extra})


@pytest.mark.usefixtures("chain_config")
def test_the_chain_publishes_each_format_at_its_own_gate_and_redraws_only_the_video(
    sample_site: str, tmp_path: Path
) -> None:
    from flows.editorial import editorial_chain

    out = tmp_path / "out"
    brief = Brief.model_validate(
        {
            "id": "seagrass",
            "sources": [
                {"url": f"{sample_site}/article-en.html"},
                {"url": f"{sample_site}/no-such-page.html"},  # unreachable: reported, skipped
                {"notes": NOTES},
            ],
            "goal": "Tell residents the seagrass meadow is spreading again",
            "audience": "Families who sail from the harbour, worried about the cost",
            "channels": ["linkedin", "x"],
            "formats": ["posts", "article", "video"],
            "language": "en",
            "slot": "2026-10-19T10:00:00+02:00",  # a Monday
        }
    )
    run = BackgroundRun(flow=editorial_chain, brief=brief, out_dir=str(out))

    run_id = run.wait_for_review(gate="plan")
    plan = review_description_of(run_id)
    assert "nothing is published at this gate" in plan and "#### Video script" in plan
    # The calendar: the article at the slot, each post at its channel's next best time.
    assert "| article | article | Mon 19 Oct 2026 10:00 (+02:00) |" in plan
    assert "| post | linkedin | Mon 19 Oct 2026 12:00 (+02:00) |" in plan
    assert "| video | tiktok | Mon 19 Oct 2026 19:00 (+02:00) |" in plan
    approve(run_id)

    run.wait_for_review(gate="posts")
    approve(run_id, source_checked=True)  # the sample article hides an injection
    run.wait_for_review(gate="article")
    article = review_description_of(run_id)
    assert "#### Article" in article and "Flesch" in article
    assert "✅ **No blockers.**" in article, article
    submit_review(
        run_id,
        {"decision": "request_changes", "reviewer": "Alice Martin", "comments": "shorter"},
    )
    run.wait_for_review(gate="article", round_=1)  # the article alone is written again
    assert review_description_of(run_id) != article
    approve(run_id, source_checked=True)

    run.wait_for_review(gate="video")
    first_video = review_description_of(run_id)
    assert "writes the script again from your comments" in first_video
    submit_review(
        run_id,
        {"decision": "request_changes", "reviewer": "Alice Martin", "comments": "video: shorter"},
    )
    run.wait_for_review(gate="video", round_=1)
    second_video = review_description_of(run_id)
    assert second_video != first_video
    posts_published = [b for b in published_bundles(out) if (b / "posts.json").is_file()]
    assert len(posts_published) == 1  # approved posts stay published while the video is redone
    approve(run_id, source_checked=True)

    result = run.finish()
    assert [(g.gate, g.status) for g in result.gates] == [
        ("plan", "approved"),
        ("posts", "published"),
        ("article", "published"),
        ("video", "published"),
    ]
    assert [u.split(":")[0] for u in result.unusable_sources] == [
        f"{sample_site}/no-such-page.html".split(":")[0]
    ]
    bundles = published_bundles(out)
    kinds = sorted(
        "video"
        if (b / "video.json").is_file()
        else "posts"
        if (b / "posts.json").is_file()
        else "article"
        for b in bundles
    )
    assert kinds == ["article", "posts", "video"]
    [posts] = [b for b in bundles if (b / "posts.json").is_file()]
    assert {
        p["channel"]: p["publish_at"]
        for p in json.loads((posts / "posts.json").read_text())["posts"]
    } == {"linkedin": "2026-10-19T12:00:00+02:00", "x": "2026-10-19T12:30:00+02:00"}
    [long_form] = [b for b in bundles if (b / "article.md").is_file()]
    assert json.loads((long_form / "schedule.json").read_text()) == {
        "article": "2026-10-19T10:00:00+02:00"
    }
    [video] = [b for b in bundles if (b / "video.json").is_file()]
    video_json = json.loads((video / "video.json").read_text())
    assert video_json["publish_at"] == {"tiktok": "2026-10-19T19:00:00+02:00"}
    scenes = video_json["scenes"]
    assert scenes and all(scene["narration"] for scene in scenes)
    audit = [json.loads(line) for line in (out / "audit.jsonl").read_text().splitlines()]
    posts_written = [e for e in audit if e["kind"] == "generation" and "posts" in e["data"]]
    assert len(posts_written) == 1  # the video's second round wrote no posts

    from uuid import UUID

    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id)]))
        )
    # Each step leaves its artifact in the run: strategy, drafts, checks, costs, the summary.
    assert {
        "audience",
        "plan",
        "strategy",
        "article-draft",
        "video-script",
        "quality",
        "compliance-report",
        "run-costs",
        "chain-summary",
    } <= {a.key for a in artifacts}
    # A video script at gate 1 and one for the video's second round; the article's second
    # round wrote no script.
    assert len([a for a in artifacts if a.key == "video-script"]) == 2
    [costs] = [a for a in artifacts if a.key == "run-costs"]
    rows = json.loads(str(costs.data))  # a row per step, provider and model
    calls: dict[str, int] = {}
    for row in rows:
        calls[row["step"]] = calls.get(row["step"], 0) + int(row["calls"])
    assert {s: calls[s] for s in ("audience", "strategy", "plan")} == {
        "audience": 1,
        "strategy": 1,
        "plan": 1,
    }
    assert calls["drafts"] == 2  # the article and the video script, before gate 1
    # The video's second round had its script written again: the writer's call is counted.
    assert [int(r["calls"]) for r in rows if r["step"] == "video" and r["model"] == MODEL] == [1]
