"""A suspended deployment run of the chain, resumed after its serving process restarted,
completes without paying twice for a finished step.

Each execution is a real, separate Python process (`prefect flow-run execute ID`, what a worker
runs): it runs the brief until a gate suspends it and exits; the review is then submitted through
the API and a NEW process picks the run up, re-runs the flow body from the top and must find
every finished paid step in the persisted cache. The text provider is the real `openai` client
against the loopback fake, so a paid step run twice would show as a second request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pressroom.audit_check import published_bundles
from pressroom.briefs import BriefOutcome
from tasks.review import (
    list_pending_reviews,
    review_description_of,
    review_form_fields,
    submit_review,
)
from tests.conftest import REPO_ROOT
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.conftest import FLOW_TIMEOUT_SECONDS, write_config

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("prefect_backend", "allow_loopback"),
]

KEY = "sk-test-resume"
#: A reviewer whose role may waive C1: the fake writes its posts from the source's own
#: sentences, which the copying check blocks.
REVIEWER = "Camille Durand"
GATES = ["plan-round-0", "posts-round-0", "article-round-0"]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY) as server:
        yield server


@pytest.fixture
def out_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAI) -> Path:
    """Configs with OpenAI text on the fake; the serving processes inherit this environment."""
    directory = write_config(tmp_path / "configs")
    path = directory / "pipeline.yaml"
    pipeline = yaml.safe_load(path.read_text())
    pipeline["providers"] = {
        "text": "openai",
        "openai": {"base_url": f"{fake.base_url}/v1", "timeout_seconds": 5, "max_attempts": 1},
    }
    pipeline["output_dir"] = str(tmp_path / "out")
    path.write_text(yaml.safe_dump(pipeline, allow_unicode=True))
    monkeypatch.setenv("PRESSROOM_CONFIG_DIR", str(directory))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return tmp_path / "out"


def serve_once(flow_run_id: str) -> subprocess.CompletedProcess[str]:
    """One serving process: executes the run until it suspends or ends, then exits."""
    from prefect.settings import PREFECT_API_URL

    environment = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    return subprocess.run(
        [sys.executable, "-m", "prefect", "flow-run", "execute", flow_run_id],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=FLOW_TIMEOUT_SECONDS,
        check=False,
        start_new_session=True,  # its own process group, as a worker's child would be
    )


def state_of(flow_run_id: str) -> Any:
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(uuid.UUID(flow_run_id)).state


def approval(flow_run_id: str) -> dict[str, Any]:
    """An approval that stands, filling what the gate's form asks for: the sample article hides
    an injection (source checked), and a blocker needs a waiver."""
    fields = review_form_fields(flow_run_id)
    answer: dict[str, Any] = {"decision": "approve", "reviewer": REVIEWER}
    if "source_checked" in fields:
        answer["source_checked"] = True
    if "waive_blockers" in fields:
        answer |= {"waive_blockers": True, "waiver_justification": "fake model wording"}
    return answer


def chain_summary(flow_run_id: str) -> list[dict[str, str]]:
    """The run's "chain-summary" table."""
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[uuid.UUID(flow_run_id)])
            )
        )
    [summary] = [a for a in artifacts if a.key == "chain-summary"]
    return list(json.loads(str(summary.data)))


def schema_names(fake: FakeOpenAI) -> Counter[str]:
    """What each request asked for: its structured output's schema name."""
    return Counter(
        str(r.json.get("response_format", {}).get("json_schema", {}).get("name", "plain text"))
        for r in fake.requests
    )


@pytest.mark.usefixtures("out_dir")
def test_a_resumed_run_in_a_new_process_pays_no_finished_step_twice(
    sample_site: str, out_dir: Path, fake: FakeOpenAI
) -> None:
    from prefect import get_client

    from flows.brief_runner import BRIEF_DEPLOYMENT_NAME
    from flows.deployments import DEPLOYMENTS

    brief = {
        "id": "resume-across-processes",
        # A URL no other run used: nothing of this brief is cached before the first process.
        "sources": [{"url": f"{sample_site}/article-en.html?run={uuid.uuid4().hex[:8]}"}],
        "goal": "Tell residents about the sensors",
        "channels": ["linkedin", "x"],
        "formats": ["posts", "article"],
        "language": "en",
    }
    # The "brief" deployment exactly as `pressroom serve` defines it.
    [spec] = [s for s in DEPLOYMENTS if s.name == BRIEF_DEPLOYMENT_NAME]
    deployment_id: uuid.UUID = spec.to_deployment().apply()  # type: ignore[assignment]
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run_from_deployment(
            deployment_id, parameters={"brief": brief}, name=f"resume-{uuid.uuid4().hex[:8]}"
        )
    run_id = str(flow_run.id)

    waited_at: list[str] = []
    paid_before_each_gate: list[int] = []
    for _process in range(len(GATES) + 1):
        served = serve_once(run_id)
        state = state_of(run_id)
        if state is None or not state.is_paused():
            break
        assert state.name == "Suspended", (state.name, served.stderr[-3000:])
        [pending] = [p for p in list_pending_reviews() if p.run_id == run_id]
        waited_at.append(pending.gate)
        paid_before_each_gate.append(len(fake.requests))
        assert pending.gate in GATES, review_description_of(run_id)[:3000]
        if pending.gate == "plan-round-0":
            assert not out_dir.exists() or not published_bundles(out_dir)
        submit_review(run_id, approval(run_id))

    assert waited_at == GATES, served.stderr[-3000:]
    assert state is not None and state.is_completed(), (state, served.stderr[-3000:])
    assert [(row["gate"], row["status"]) for row in chain_summary(run_id)] == [
        ("plan", "approved"),
        ("posts", "published"),
        ("article", "published"),
    ]
    # The run's result, written by another process, reads back here.
    outcome = state.result()
    assert isinstance(outcome, BriefOutcome)
    assert (outcome.brief_id, outcome.status) == ("resume-across-processes", "published")
    assert outcome.reviewer == REVIEWER and len(outcome.gates) == 3
    bundles = published_bundles(out_dir)
    assert sorted("posts" if (b / "posts.json").is_file() else "article" for b in bundles) == [
        "article",
        "posts",
    ]

    # One request per paid step over all four processes: audience, strategy, plan and the
    # article before gate 1; the posts and their judge before the posts gate; nothing after.
    assert paid_before_each_gate == [4, 6, 6], (paid_before_each_gate, schema_names(fake))
    assert schema_names(fake) == Counter(
        {name: 1 for name in ("AudienceOut", "StrategyOut", "PlanOut", "ArticleOut")}
        | {"PostsOut": 1, "Verdict": 1}
    )
