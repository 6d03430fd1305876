"""Deployments: prefect.yaml says what flows/deployments.py says; deployed to the real test
server, the weekly schedule makes its runs at 09:00 Paris time on both sides of a DST change;
`pressroom trigger` makes one run per set of parameters and refuses unknown ones first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from typer.testing import CliRunner

from flows.deployments import DEPLOYMENTS, URL_DEPLOYMENT, trigger
from pressroom.cli import app
from pressroom.errors import PressroomError
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_backend")]

PARIS = ZoneInfo("Europe/Paris")


def _prefect_yaml() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8"))


def test_prefect_yaml_declares_the_deployments_serve_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.flows import load_flow_from_entrypoint

    monkeypatch.chdir(REPO_ROOT)  # entrypoints are relative to the project folder
    declared = {d["name"]: d for d in _prefect_yaml()["deployments"]}
    assert list(declared) == [spec.name for spec in DEPLOYMENTS]
    for spec in DEPLOYMENTS:
        entry = declared[spec.name]
        assert entry["entrypoint"] == spec.entrypoint == spec.to_deployment().entrypoint
        assert load_flow_from_entrypoint(spec.entrypoint).name == spec.flow.name
        schedules = [(s["cron"], s["timezone"]) for s in entry.get("schedules") or []]
        assert schedules == ([(spec.cron, spec.timezone)] if spec.cron else [])
        assert entry["work_pool"]["name"] == "pressroom"
    assert declared["weekly-batch"]["schedules"] == [
        {"cron": "0 9 * * 1", "timezone": "Europe/Paris"}
    ]


def _scheduled_starts(deployment_id: Any, start: datetime, runs: int) -> list[datetime]:
    """Ask the server's scheduler (POST /deployments/{id}/schedule, what its scheduling service
    calls) for runs from `start`, and read back their expected start times."""
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        client.request(
            "POST",
            "/deployments/{id}/schedule",
            path_params={"id": deployment_id},
            json={"start_time": start.isoformat(), "max_runs": runs, "min_runs": runs},
        )
        scheduled = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
        )
    return [r.expected_start_time for r in scheduled if r.expected_start_time >= start]


def test_the_weekly_schedule_runs_at_nine_in_paris_across_a_dst_change() -> None:
    [weekly] = [spec for spec in DEPLOYMENTS if spec.name == "weekly-batch"]
    deployment_id = weekly.to_deployment().apply()

    starts = _scheduled_starts(deployment_id, datetime(2026, 10, 13, tzinfo=UTC), 3)[:3]

    local = [s.astimezone(PARIS) for s in starts]
    assert [t.date().isoformat() for t in local] == ["2026-10-19", "2026-10-26", "2026-11-02"]
    assert all((t.weekday(), t.hour, t.minute) == (0, 9, 0) for t in local)
    assert [s.astimezone(UTC).hour for s in starts] == [7, 8, 8]  # CEST, then CET


@pytest.fixture(scope="module")
def url_deployment(prefect_backend: None) -> Any:
    [spec] = [s for s in DEPLOYMENTS if s.name == URL_DEPLOYMENT.split("/")[1]]
    return spec.to_deployment().apply()


def _runs_of(deployment_id: Any) -> list[str]:
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )
    return [str(r.id) for r in runs]


def test_the_same_url_twice_makes_one_run(url_deployment: Any) -> None:
    first = trigger(URL_DEPLOYMENT, {"url": "https://example.org/a", "brand": "default"})
    again = trigger(URL_DEPLOYMENT, {"brand": "default", "url": "https://example.org/a"})
    other = trigger(URL_DEPLOYMENT, {"url": "https://example.org/b", "brand": "default"})

    assert first.created and not again.created and other.created
    assert first.run_id == again.run_id != other.run_id
    assert sorted(_runs_of(url_deployment)) == sorted({first.run_id, other.run_id})


def test_unknown_parameters_are_refused_before_a_run_exists(url_deployment: Any) -> None:
    before = _runs_of(url_deployment)
    with pytest.raises(PressroomError, match=r"unknown parameter\(s\) colour .* it takes: "):
        trigger(URL_DEPLOYMENT, {"url": "https://example.org/c", "colour": "red"})

    result = CliRunner().invoke(
        app, ["trigger", "https://example.org/d", "--channels", "linkedin,fax"]
    )
    assert result.exit_code == 1 and "unknown channel(s) fax" in result.output
    result = CliRunner().invoke(app, ["trigger", "https://example.org/d", "-p", "tone=dry"])
    assert result.exit_code == 1 and "unknown parameter(s) tone" in result.output
    assert _runs_of(url_deployment) == before

    result = CliRunner().invoke(app, ["trigger", "https://example.org/d", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (
        result.output.startswith("Started: ") and len(_runs_of(url_deployment)) == len(before) + 1
    )
    again = CliRunner().invoke(app, ["trigger", "https://example.org/d", "--lang", "en"])
    assert again.output.startswith("Already started (same parameters): ")
