"""The weekly batch: every brief of the coming week, `batch.concurrency` at a time, then a summary.

Each brief is its own flow run of `run_brief` (flows/brief_runner.py), watched through the API
until it *settles*: published, failed, or waiting for a review. A run waiting for a review frees
its slot at once: editors may take days, the batch does not wait for them.

* Inside a deployment, each brief is a run of the "brief" deployment (`run_deployment(...,
  timeout=0)`, linked as a subflow, idempotent per week and slot): a worker runs it, and its
  review gate *suspends* it, so nothing holds a machine while an editor thinks.
* Outside one (a test, a script), each brief runs in a thread of this process; its gate pauses
  in place, so this process must outlive the reviews.

The body launches runs and reads their states but writes nothing itself; the summary artifact
is written by a task. A weekly run never suspends, so it is never re-run from the top.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import unquote, urlparse
from uuid import UUID

from prefect import flow, get_run_logger, runtime, task
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.client.schemas.objects import FlowRun
from prefect.context import SettingsContext, get_settings_context
from prefect.deployments import run_deployment
from prefect.flow_engine import run_flow
from pydantic import BaseModel

from flows.brief_runner import BRIEF_DEPLOYMENT, run_brief
from pressroom.briefs import Brief
from pressroom.calendar import BatchSettings, briefs_for_week, coming_week_start, load_calendar
from pressroom.costs import TOTAL, format_usd

Status = Literal["published", "waiting for review", "failed", "still running"]
BRIEF_FLOW = run_brief


class BatchRow(BaseModel):
    brief_id: str
    slot: datetime
    status: Status
    why: str = ""
    bundle: str | None = None
    cost_usd: float | None = None
    run_id: str | None = None


class _Item(BaseModel):
    slot: datetime
    brief: Brief
    run_id: UUID | None = None
    started: float = 0.0


# ---------------------------------------------------------------- launching a brief's run

Launch = Callable[[Brief, datetime, date], UUID]


def _parameters(brief: Brief) -> dict[str, Any]:
    return {"brief": brief.model_dump(mode="json")}


def _tags(week: date) -> list[str]:
    return ["weekly-batch", f"week-{week.isoformat()}"]


def launch_deployment_run(brief: Brief, slot: datetime, week: date) -> UUID:
    """A run of the brief deployment, linked as a subflow; the same week and slot never make a
    second run (a retried weekly run finds the first)."""
    run: FlowRun = run_deployment(  # type: ignore[assignment] # sync in a sync flow
        BRIEF_DEPLOYMENT,
        parameters=_parameters(brief),
        timeout=0,
        tags=_tags(week),
        idempotency_key=f"weekly-{week.isoformat()}-{brief.key()}-{slot:%Y%m%dT%H%M%z}",
    )
    return run.id


_thread_errors: dict[UUID, BaseException] = {}


def launch_in_process(brief: Brief, slot: datetime, week: date) -> UUID:
    """A run of `run_brief` executed by Prefect's engine in a thread of this process. The thread
    gets this process's Prefect settings and nothing else of this run's context: the run must
    outlive this weekly run and its API client."""
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(
            BRIEF_FLOW, parameters=_parameters(brief), tags=_tags(week)
        )
    settings = get_settings_context()

    def execute() -> None:
        try:
            with SettingsContext(profile=settings.profile, settings=settings.settings):
                run_flow(
                    BRIEF_FLOW, flow_run=flow_run, parameters={"brief": brief}, return_type="state"
                )
        except BaseException as error:  # noqa: BLE001 - reported by the watcher
            _thread_errors[flow_run.id] = error

    threading.Thread(target=execute, daemon=True).start()
    return flow_run.id


# ---------------------------------------------------------------- reading where a run stands


def _why(run: FlowRun) -> str:
    message = (run.state.message if run.state else None) or (run.state_name or "")
    return message.removeprefix("Flow run encountered an exception: ").strip()


def _artifact_data(client: SyncPrefectClient, run_id: UUID, key: str) -> str | None:
    artifacts = client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
    )
    return next((str(a.data) for a in artifacts if a.key == key and a.data is not None), None)


def _bundle(client: SyncPrefectClient, run_id: UUID) -> str | None:
    """The folder named by the run's "published-bundle" link artifact (`[text](file://...)`)."""
    link = re.search(r"\]\((.+)\)$", _artifact_data(client, run_id, "published-bundle") or "")
    return unquote(urlparse(link.group(1)).path) if link else None


def _cost(client: SyncPrefectClient, run_id: UUID) -> float | None:
    """The total of the run's "run-costs" table, once it has one (the end of a run)."""
    table = json.loads(_artifact_data(client, run_id, "run-costs") or "[]")
    total = next((r for r in table if isinstance(r, dict) and r.get("step") == TOTAL), None)
    if total is None:
        return None
    try:
        return float(str(total.get("cost", "")).lstrip("<$").replace(",", ""))
    except ValueError:
        return None


def settled_row(client: SyncPrefectClient, item: _Item) -> BatchRow | None:
    """The row for a run that is done or waiting for a review; None while it works."""
    assert item.run_id is not None
    run = client.read_flow_run(item.run_id)
    state = run.state
    row = BatchRow(
        brief_id=item.brief.key(), slot=item.slot, status="failed", run_id=str(item.run_id)
    )
    if state is not None and state.is_paused():
        gate = state.state_details.pause_key or "?"
        return row.model_copy(update={"status": "waiting for review", "why": f"gate {gate}"})
    if state is not None and state.is_completed():
        return row.model_copy(
            update={
                "status": "published",
                "bundle": _bundle(client, item.run_id),
                "cost_usd": _cost(client, item.run_id),
            }
        )
    if state is not None and state.is_final():
        return row.model_copy(update={"why": _why(run), "cost_usd": _cost(client, item.run_id)})
    if item.run_id in _thread_errors:
        return row.model_copy(update={"why": repr(_thread_errors.pop(item.run_id))})
    return None


def run_all(
    items: list[_Item], launch: Launch, week: date, settings: BatchSettings
) -> list[BatchRow]:
    """Launch up to `settings.concurrency` runs at once, launch the next as one settles, and
    carry on past failures (a launch that fails is a failed row)."""
    logger = get_run_logger()
    waiting, active, rows = list(items), list[_Item](), list[BatchRow]()
    limit_seconds = settings.settle_timeout_minutes * 60
    with get_client(sync_client=True) as client:
        while waiting or active:
            while waiting and len(active) < settings.concurrency:
                item = waiting.pop(0)
                try:
                    item.run_id = launch(item.brief, item.slot, week)
                except Exception as error:  # noqa: BLE001 - one brief's failure, not the batch's
                    rows.append(_launch_failed(item, error))
                    continue
                item.started = time.monotonic()
                logger.info("Brief %s: run %s started", item.brief.key(), item.run_id)
                active.append(item)
            if active:
                time.sleep(settings.poll_seconds)
            for item in list(active):
                row = settled_row(client, item)
                if row is None and time.monotonic() - item.started > limit_seconds:
                    row = _still_running(item, settings)
                if row is not None:
                    logger.info("Brief %s: %s %s", row.brief_id, row.status, row.why)
                    rows.append(row)
                    active.remove(item)
    return sorted(rows, key=lambda r: (r.slot, r.brief_id))


def _launch_failed(item: _Item, error: Exception) -> BatchRow:
    return BatchRow(
        brief_id=item.brief.key(),
        slot=item.slot,
        status="failed",
        why=f"could not start: {type(error).__name__}: {error}",
    )


def _still_running(item: _Item, settings: BatchSettings) -> BatchRow:
    return BatchRow(
        brief_id=item.brief.key(),
        slot=item.slot,
        status="still running",
        why=f"neither done nor waiting for review after {settings.settle_timeout_minutes:g} min",
        run_id=str(item.run_id),
    )


# ---------------------------------------------------------------- the summary


def summary_line(week: date, rows: list[BatchRow]) -> str:
    counts = {s: sum(r.status == s for r in rows) for s in dict.fromkeys(r.status for r in rows)}
    spent = sum(r.cost_usd or 0.0 for r in rows)
    parts = ", ".join(f"{n} {status}" for status, n in counts.items()) or "nothing planned"
    return f"Week of {week.isoformat()}: {len(rows)} brief(s): {parts}; cost {format_usd(spent)}"


@task
def publish_summary(week: date, rows: list[BatchRow]) -> str:
    """The "weekly-batch" table artifact: one row per brief, and a one-line summary."""
    line = summary_line(week, rows)
    create_table_artifact(
        key="weekly-batch",
        table=[
            {
                "brief": r.brief_id,
                "slot": r.slot.isoformat(),
                "status": r.status,
                "why": r.why,
                "bundle": r.bundle or "",
                "cost": format_usd(r.cost_usd) if r.cost_usd is not None else "",
                "run": r.run_id or "",
            }
            for r in rows
        ],
        description=line,
    )
    get_run_logger().info(line)
    return line


@flow(name="weekly-batch", persist_result=True)
def weekly_batch(week_start: date | None = None) -> list[BatchRow]:
    """Run every brief of the coming week (configs/calendar.yaml) and summarise."""
    calendar = load_calendar()
    week = week_start or coming_week_start(datetime.now(calendar.zone), calendar.zone)
    items = [_Item(slot=slot, brief=brief) for slot, brief in briefs_for_week(calendar, week)]
    launch = launch_deployment_run if runtime.deployment.id else launch_in_process
    rows = run_all(items, launch, week, calendar.batch)
    publish_summary(week, rows)
    return rows
