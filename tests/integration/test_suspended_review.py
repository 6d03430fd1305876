"""Inside a deployment the review gate suspends the run (freeing its worker) instead of pausing
it; once resumed the run re-runs from the top and its persisted task results are reused.

The deployment run is executed in-process with Prefect's own engine (`run_flow`), as a worker's
process would execute it, against the session's real Prefect backend.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from pressroom.audit_check import published_bundles
from tasks.review import list_pending_reviews, submit_review

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("prefect_backend", "allow_loopback", "config_dir"),
]


def _task_run_states(client, flow_run_id) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Each task's run states, once the server has recorded them: task-run states reach the API
    as events, a moment after the engine has moved on (seen as a stray "Pending" on a busy CI)."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + 20
    while True:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
        settled = all(run.state_name not in ("Pending", "Running") for run in runs)
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    states: dict[str, list[str]] = {}
    for run in runs:
        states.setdefault(run.task_key.rsplit(".", 1)[-1].split("-")[0], []).append(run.state_name)
    return states


def test_a_deployment_run_suspends_for_review_then_resumes_on_persisted_results(
    sample_site: str, tmp_path: Path
) -> None:
    from prefect import get_client
    from prefect.exceptions import Pause
    from prefect.flow_engine import run_flow

    from flows.url_to_social import url_to_social

    out = tmp_path / "out"
    parameters = {"url": f"{sample_site}/article-en.html", "out_dir": str(out)}
    deployment_id = url_to_social.to_deployment(name="suspend-test").apply()
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run_from_deployment(
            deployment_id, parameters=parameters, name=f"suspend-{uuid.uuid4().hex[:8]}"
        )

    with pytest.raises(Pause):  # how the engine tells a worker's process to exit
        run_flow(url_to_social, flow_run=flow_run, parameters=parameters)
    with get_client(sync_client=True) as client:
        suspended = client.read_flow_run(flow_run.id).state
    assert suspended is not None and suspended.name == "Suspended"
    assert not out.exists() or not published_bundles(out)
    assert str(flow_run.id) in [p.run_id for p in list_pending_reviews()]

    submit_review(
        str(flow_run.id), {"decision": "approve", "reviewer": "Nora Keller", "source_checked": True}
    )
    with get_client(sync_client=True) as client:
        resumed_run = client.read_flow_run(flow_run.id)
        result = run_flow(url_to_social, flow_run=resumed_run, parameters=parameters)
        states = _task_run_states(client, flow_run.id)

    assert result.status == "published" and result.reviewer == "Nora Keller"
    assert len(published_bundles(out)) == 1
    # The paid or slow steps ran at most once (an earlier run with the same content may already
    # have paid for them); the second pass took their persisted results.
    for step in ("fetch_source", "write_posts", "render_cards"):
        assert states[step] and set(states[step]) <= {"Completed", "Cached"}, (step, states[step])
        assert states[step].count("Completed") <= 1, (step, states[step])
    assert "Cached" in states["fetch_source"]  # fetched once, then taken from the first pass
