"""The weekly batch on a real Prefect backend: two briefs, one source broken. The good one
waits for its review without holding the batch, the broken one is reported with its reason,
and the summary artifact says so."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import FLOW_TIMEOUT_SECONDS, write_config

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("prefect_backend", "allow_loopback"),
]


def _brief(url: str, brief_id: str) -> dict[str, object]:
    return {
        "id": brief_id,
        "sources": [{"url": url}],
        "goal": "Tell residents about the sensors",
        "channels": ["linkedin", "x"],
        "language": "en",
    }


@pytest.fixture
def two_slot_config(tmp_path: Path, sample_site: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    configs = write_config(tmp_path / "configs")
    pipeline = yaml.safe_load((configs / "pipeline.yaml").read_text())
    pipeline["output_dir"] = str(tmp_path / "out")
    (configs / "pipeline.yaml").write_text(yaml.safe_dump(pipeline, allow_unicode=True))
    calendar = {
        "timezone": "Europe/Paris",
        "batch": {"concurrency": 2, "poll_seconds": 0.5, "settle_timeout_minutes": 3},
        "slots": [
            {
                "day": "monday",
                "time": "10:00",
                "brief": _brief(f"{sample_site}/article-en.html", "good"),
            },
            {
                "day": "tuesday",
                "time": "10:00",
                "brief": _brief(f"{sample_site}/gone.html", "broken"),
            },
        ],
    }
    (configs / "calendar.yaml").write_text(yaml.safe_dump(calendar))
    monkeypatch.setenv("PRESSROOM_CONFIG_DIR", str(configs))
    return tmp_path / "out"


def _final_state(run_id: str) -> str:
    from prefect import get_client

    deadline = time.monotonic() + FLOW_TIMEOUT_SECONDS
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state
            if state is not None and state.is_final():
                return state.name
            time.sleep(0.3)
    raise AssertionError(f"run {run_id} never ended")


def test_one_brief_waits_for_review_one_fails_and_the_summary_says_so(
    two_slot_config: Path,
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    from flows.weekly import weekly_batch
    from tasks.review import list_pending_reviews, submit_review

    state = weekly_batch(week_start=date(2026, 10, 19), return_state=True)
    rows = state.result()

    assert state.is_completed()  # a failed brief does not fail the batch
    good, broken = rows
    assert (good.brief_id, good.status, good.why) == (
        "good",
        "waiting for review",
        "gate posts-round-0",  # a posts-only brief: the chain goes straight to the posts gate
    )
    assert good.slot.isoformat() == "2026-10-19T10:00:00+02:00" and good.bundle is None
    assert (broken.brief_id, broken.status) == ("broken", "failed")
    assert "404" in broken.why and "gone.html" in broken.why
    waiting = {p.run_id: p for p in list_pending_reviews()}
    assert good.run_id in waiting and waiting[good.run_id].flow_name == "run-brief"

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(  # this batch's, not another test's
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["weekly-batch"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]),
            ),
        )
    table = json.loads(str(artifact.data))
    assert [(r["brief"], r["status"]) for r in table] == [
        ("good", "waiting for review"),
        ("broken", "failed"),
    ]
    assert "404" in table[1]["why"] and table[0]["run"] == good.run_id
    assert artifact.description is not None
    assert "2 brief(s): 1 waiting for review, 1 failed" in artifact.description

    submit_review(good.run_id or "", {"decision": "reject", "reviewer": "Test Editor"})
    assert _final_state(good.run_id or "") == "Failed"
    assert not two_slot_config.exists() or not any(two_slot_config.glob("*/approval.json"))
