"""URL → social on a real Prefect backend: the gates, end to end.

Every run fetches the sample article over loopback HTTP, pauses for review, and is answered
through the Prefect API with the same call the CLI makes (one test goes through the CLI itself).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pressroom.errors import PublishRefused, ReviewError
from pressroom.models import sha256_hex
from tasks.review import review_description_of, submit_review
from tests.integration.conftest import BackgroundRun, write_config

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("prefect_backend", "allow_loopback", "config_dir"),
]


def _answer(decision: str, reviewer: str = "Alice Martin", comments: str = "") -> dict[str, Any]:
    """An answer to a gate on a sample article: both hide an injection, so both are quarantined
    and an approval confirms the source was checked."""
    answer: dict[str, Any] = {"decision": decision, "reviewer": reviewer, "comments": comments}
    return answer | {"source_checked": True} if decision == "approve" else answer


def _published(out: Path) -> list[Path]:
    from pressroom.audit_check import published_bundles

    return published_bundles(out) if out.exists() else []


def _staged_posts(description: str) -> Path:
    staged = description.rsplit("Staged at `", 1)[1].split("`", 1)[0]
    return Path(staged)


def test_approve_publishes_a_bundle_whose_manifest_matches_its_files(
    sample_site: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article.html", out_dir=str(out))
    run_id = run.wait_for_review()

    description = review_description_of(run_id)
    assert "#### Compliance" in description and "**LinkedIn**" in description

    submit_review(run_id, _answer("approve", comments="Parfait"))
    result = run.finish()

    assert result.status == "published" and result.reviewer == "Alice Martin"
    [bundle] = _published(out)
    manifest = json.loads((bundle / "manifest.json").read_text())
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    on_disk = {
        p.relative_to(bundle).as_posix(): sha256_hex(p.read_bytes())
        for p in bundle.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert listed == on_disk
    assert {"posts.json", "posts.md", "source.json", "compliance.json", "approval.json"} <= set(
        listed
    )
    assert {f"images/{c}.png" for c in ("linkedin", "x", "instagram", "facebook", "tiktok")} <= set(
        listed
    )
    approval = json.loads((bundle / "approval.json").read_text())
    assert approval["reviewer"] == "Alice Martin"
    assert approval["content_sha256"] == manifest["content_sha256"] == result.content_sha256
    assert approval["run_id"] == run_id
    posts = json.loads((bundle / "posts.json").read_text())["posts"]
    assert all(p["disclosure"] in p["text"] for p in posts)
    assert manifest["post_generations"]["linkedin"]["provider"] == "offline"
    images = {e["path"]: e for e in manifest["files"] if e["path"].startswith("images/")}
    assert all(e["licence"]["provider"] == "offline" for e in images.values())

    page = (bundle / "how-this-was-made.md").read_text()
    assert "approved by **Alice Martin**" in page
    assert "social-round-0: **approve** by Alice Martin — “Parfait”" in page
    assert "confirmed having checked the quarantined source" in page
    assert "The source was quarantined." in page
    assert "Removed before any model read it: hidden element" in page
    assert "| linkedin post | offline |" in page and "| images/x.png | offline |" in page
    assert "C2PA content credentials" in page


def test_reject_publishes_nothing_and_says_why(sample_site: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article-en.html", out_dir=str(out))
    submit_review(run.wait_for_review(), _answer("reject", comments="Off-brand"))

    with pytest.raises(ReviewError, match=r"rejected by Alice Martin: Off-brand\. Nothing was"):
        run.finish()
    assert _published(out) == []


def test_request_changes_redrafts_then_approval_publishes_the_new_draft(
    sample_site: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article.html", out_dir=str(out))
    first_id = run.wait_for_review(round_=0)
    first = json.loads((_staged_posts(review_description_of(first_id)) / "posts.json").read_text())

    submit_review(first_id, _answer("request_changes", comments="Plus court.\nx: sans hashtags"))
    second_id = run.wait_for_review(round_=1)
    assert second_id == first_id
    second_description = review_description_of(second_id)
    second = json.loads((_staged_posts(second_description) / "posts.json").read_text())

    first_posts = {p["channel"]: p["text"] for p in first["posts"]}
    second_posts = {p["channel"]: p["text"] for p in second["posts"]}
    assert len(second_posts["linkedin"]) < len(first_posts["linkedin"])
    assert "#" not in second_posts["x"] and "#" in first_posts["x"]
    assert "revision round 1" in second_description

    submit_review(second_id, _answer("approve"))
    result = run.finish()
    [bundle] = _published(out)
    published = json.loads((bundle / "posts.json").read_text())
    assert {p["channel"]: p["text"] for p in published["posts"]} == second_posts
    assert result.content_sha256.startswith(bundle.name.rsplit("-", 1)[1])


def test_a_rewrite_in_the_form_is_checked_and_reviewed_again(
    sample_site: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article-en.html", out_dir=str(out), channels=["x"])
    run_id = run.wait_for_review(round_=0)
    edited = (
        "Our own words, checked again. Call 06 12 34 56 78!\n\n#Pressroom\n\nAI-generated content"
    )
    submit_review(run_id, {**_answer("approve"), "rewrite_channel": "x", "rewrite_text": edited})

    run.wait_for_review(round_=1)
    description = review_description_of(run_id)
    assert "Our own words" in description
    assert "| G3 |" in description  # an invented phone number: a blocker
    assert "| R1 |" not in description  # the label was kept

    # Approving over a blocker is not applied: the same draft comes back, saying why.
    submit_review(run_id, _answer("approve", reviewer="Sam Lee"))
    run.wait_for_review(round_=2)
    again = review_description_of(run_id)
    assert "The approval by Sam Lee in round 1 was not applied" in again
    assert "1 blocker(s) stand (G3)" in again
    assert "06 12 34 56 78" in again  # the evidence, in the table
    assert _published(out) == []

    submit_review(run_id, _answer("reject", reviewer="Sam Lee", comments="invented phone"))
    with pytest.raises(ReviewError, match="rejected by Sam Lee: invented phone"):
        run.finish()
    assert _published(out) == []


def test_content_changed_after_review_is_refused(sample_site: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article.html", out_dir=str(out))
    run_id = run.wait_for_review()
    staged = _staged_posts(review_description_of(run_id))
    posts_md = staged / "posts.md"
    posts_md.write_text(posts_md.read_text() + "\nA line slipped in after review.\n")

    submit_review(run_id, _answer("approve"))
    with pytest.raises(PublishRefused, match="changed after it was staged"):
        run.finish()
    assert _published(out) == []


def test_a_bad_answer_is_refused_and_the_run_stays_paused(sample_site: str, tmp_path: Path) -> None:
    from prefect import get_client

    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article-en.html", out_dir=str(out))
    run_id = run.wait_for_review()

    for bad in (
        {"decision": "publish-anyway", "reviewer": "Mallory"},
        {"decision": "approve", "reviewer": ""},
        {"decision": "approve", "reviewer": "   "},
        {"decision": "approve"},
        {**_answer("approve"), "unexpected": "field"},
    ):
        with pytest.raises(ReviewError, match="refused"):
            submit_review(run_id, bad)

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
    assert state is not None and state.is_paused()
    assert _published(out) == []

    submit_review(run_id, _answer("reject"))
    with pytest.raises(ReviewError):
        run.finish()


def test_cli_review_approve_resumes_a_paused_run(sample_site: str, tmp_path: Path) -> None:
    from pressroom.cli import app

    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article.html", out_dir=str(out), channels=["linkedin"])
    run_id = run.wait_for_review()
    runner = CliRunner()

    listed = runner.invoke(app, ["review", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert run_id in [p["run_id"] for p in json.loads(listed.output)]

    shown = runner.invoke(app, ["review", "show", run.name])
    assert shown.exit_code == 0 and "**LinkedIn**" in shown.output

    refused = runner.invoke(app, ["review", "approve", run_id, "--reviewer", " "])
    assert refused.exit_code == 1 and "refused" in refused.output

    approved = runner.invoke(
        app, ["review", "approve", run_id, "--reviewer", "Chloé Dubois", "--source-checked"]
    )
    assert approved.exit_code == 0, approved.output
    assert run.finish().reviewer == "Chloé Dubois"
    assert len(_published(out)) == 1


def test_no_decision_in_time_fails_the_run_and_publishes_nothing(
    sample_site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PRESSROOM_CONFIG_DIR", str(write_config(tmp_path / "quick", timeout_seconds=2))
    )
    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article-en.html", out_dir=str(out))
    with pytest.raises(ReviewError, match="no review decision within 2 s"):
        run.finish()
    assert _published(out) == []


def test_a_source_the_guard_refuses_fails_before_any_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressroom.errors import FetchRefused

    monkeypatch.delenv("PRESSROOM_FETCH_ALLOW_HOSTS")
    out = tmp_path / "out"
    run = BackgroundRun(url="http://169.254.169.254/latest/meta-data/", out_dir=str(out))
    with pytest.raises(FetchRefused):
        run.finish()
    assert not out.exists()
