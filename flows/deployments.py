"""The deployments, defined once: `pressroom serve` serves these, and a test checks that
`prefect.yaml` (for `prefect deploy --all` with a process work pool) says the same."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.schedules import Cron
from pydantic import BaseModel

from flows.brief_runner import BRIEF_DEPLOYMENT_NAME, run_brief
from flows.pending_reviews import pending_reviews
from flows.url_to_social import url_to_social
from flows.weekly import weekly_batch
from pressroom.errors import PressroomError

TIMEZONE = "Europe/Paris"


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    flow: Flow[Any, Any]
    entrypoint: str
    description: str
    cron: str | None = None
    timezone: str = TIMEZONE
    tags: list[str] = field(default_factory=list)

    def to_deployment(self) -> RunnerDeployment:
        return self.flow.to_deployment(  # type: ignore[return-value] # sync outside a loop
            name=self.name,
            description=self.description,
            schedules=[Cron(self.cron, timezone=self.timezone)] if self.cron else None,
            tags=self.tags or None,
        )


DEPLOYMENTS: tuple[DeploymentSpec, ...] = (
    DeploymentSpec(
        name="url-to-social",
        flow=url_to_social,
        entrypoint="flows/url_to_social.py:url_to_social",
        description="One post per channel from an article URL (parameter url), after review.",
    ),
    DeploymentSpec(
        name=BRIEF_DEPLOYMENT_NAME,
        flow=run_brief,
        entrypoint="flows/brief_runner.py:run_brief",
        description="Everything a brief asks for; fill the brief's fields under Run → Custom.",
    ),
    DeploymentSpec(
        name="weekly-batch",
        flow=weekly_batch,
        entrypoint="flows/weekly.py:weekly_batch",
        description="Every brief of the coming week in configs/calendar.yaml, then a summary.",
        cron="0 9 * * 1",
    ),
    DeploymentSpec(
        name="pending-reviews",
        flow=pending_reviews,
        entrypoint="flows/pending_reviews.py:pending_reviews",
        description="Remind editors of reviews that wait too long (configs/notifications.yaml).",
        cron="0 * * * *",
    ),
)


URL_DEPLOYMENT = "url-to-social/url-to-social"


def runner_deployments() -> list[RunnerDeployment]:
    return [spec.to_deployment() for spec in DEPLOYMENTS]


# ---------------------------------------------------------------- triggering a run through the API


class TriggeredRun(BaseModel):
    run_id: str
    run_name: str
    created: bool  # False: the same parameters had already made this run


def idempotency_key(deployment: str, parameters: dict[str, Any]) -> str:
    """The same deployment and parameters always give the same key (key order does not count)."""
    canonical = json.dumps([deployment, parameters], sort_keys=True, separators=(",", ":"))
    return f"pressroom-trigger-{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"


def trigger(deployment: str, parameters: dict[str, Any]) -> TriggeredRun:
    """Create a run of `deployment` ("flow/deployment") through the REST API, refusing parameters
    the flow does not take before anything is created; the same parameters twice make one run."""
    with get_client(sync_client=True) as client:
        try:
            found = client.read_deployment_by_name(deployment)
        except ObjectNotFound:
            raise PressroomError(
                f"no deployment {deployment!r} on this server: start `pressroom serve` "
                "(or `prefect deploy --all` and a worker)"
            ) from None
        known = sorted((found.parameter_openapi_schema or {}).get("properties", {}))
        unknown = sorted(set(parameters) - set(known))
        if unknown:
            raise PressroomError(
                f"unknown parameter(s) {', '.join(unknown)} for {deployment}; "
                f"it takes: {', '.join(known)}. No run was created."
            )
        response = client.request(
            "POST",
            "/deployments/{id}/create_flow_run",
            path_params={"id": found.id},
            json={
                "parameters": parameters,
                "idempotency_key": idempotency_key(deployment, parameters),
            },
        )
    run = response.json()
    return TriggeredRun(run_id=run["id"], run_name=run["name"], created=response.status_code == 201)
