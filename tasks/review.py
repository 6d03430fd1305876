"""The review gate: one helper that pauses (or, in a deployment, suspends) a flow run until a
named human decides, and the API calls the CLI uses to decide exactly as the UI's Resume dialog.

The form is `ReviewInput`. Its constraints are JSON-schema constraints (`Literal`, `Field`), so
the server enforces them on resume: a bad payload is refused and the run stays paused.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.context import FlowRunContext
from prefect.exceptions import FlowPauseTimeout, ObjectNotFound
from prefect.flow_runs import pause_flow_run, resume_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.settings import PREFECT_UI_URL
from pydantic import BaseModel, Field, create_model

from pressroom.errors import ReviewError
from pressroom.models import ReviewDecision

SCHEMA_RACE_SECONDS = 15.0
NO_REWRITE = "none"


class ReviewInput(RunInput):
    # Short field descriptions on purpose: the dialog gives the description what the form leaves.
    decision: Literal["approve", "reject", "request_changes"]
    reviewer: str = Field(min_length=1, max_length=120, pattern=r"\S", description="Your name")
    comments: str = Field(default="", max_length=5000)


def review_form(
    description: str, channels: list[str], *, blockers: bool = False, quarantined: bool = False
) -> type[ReviewInput]:
    """The form for one gate: the fixed fields plus an optional rewrite of one post, a waiver
    when blockers stand, and a confirmation when the source is quarantined.

    One rewrite field rather than one per post, and the other fields only when they apply:
    the Resume dialog squeezes the description to nothing when the form is long, and the
    description is what the reviewer decides from.
    """
    choices: Any = Literal[(NO_REWRITE, *channels)]  # built per run: the channels of this run
    fields: dict[str, Any] = {
        "rewrite_channel": (choices, Field(default=NO_REWRITE)),
        "rewrite_text": (str, Field(default="", max_length=10_000)),
    }
    if blockers:
        fields["waive_blockers"] = (
            bool,
            Field(default=False, description="Your role must allow it"),
        )
        fields["waiver_justification"] = (str, Field(default="", max_length=2000))
    if quarantined:
        fields["source_checked"] = (
            bool,
            Field(default=False, description="I read the source; it did not steer this draft"),
        )
    form = create_model(ReviewInput.__name__, __base__=ReviewInput, **fields)
    return form.with_initial_data(description=description)


def _ui_link(run_id: UUID) -> str | None:
    base = PREFECT_UI_URL.value()
    return f"{base.rstrip('/')}/runs/flow-run/{run_id}" if base else None


def request_review(
    *,
    gate: str,
    round_: int,
    description: str,
    channels: list[str],
    timeout_seconds: int,
    poll_interval_seconds: int,
    blockers: bool = False,
    quarantined: bool = False,
) -> ReviewDecision:
    """Block until a reviewer answers at this gate (key ``{gate}-round-{round_}``).

    Outside a deployment the run pauses in place; inside one it suspends, freeing the worker,
    and re-runs from the top when resumed (its tasks' persisted results make that cheap).
    """
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        raise RuntimeError("request_review must be called inside a flow run")
    run = context.flow_run
    key = f"{gate}-round-{round_}"
    form = review_form(description, channels, blockers=blockers, quarantined=quarantined)
    link = _ui_link(run.id)
    approve_flags = " --source-checked" if quarantined else ""
    if blockers:
        approve_flags += ' [--waive "JUSTIFICATION", if your role allows]'
    get_run_logger().info(
        "Waiting for review of %r (gate %s, round %d).%s%s\n"
        "    From a terminal: pressroom review approve %s --reviewer NAME%s "
        "(or: reject, changes --comment ...)",
        run.name,
        gate,
        round_,
        "\n    The source is QUARANTINED: it holds text aimed at AI models; read it before "
        "approving."
        if quarantined
        else "",
        f"\n    In the Prefect UI: {link}" if link else "",
        run.id,
        approve_flags,
    )
    try:
        if run.deployment_id is not None:
            answer = suspend_flow_run(wait_for_input=form, timeout=timeout_seconds, key=key)
        else:
            answer = pause_flow_run(
                wait_for_input=form,
                timeout=timeout_seconds,
                poll_interval=poll_interval_seconds,
                key=key,
            )
    except FlowPauseTimeout:
        raise ReviewError(
            f"no review decision within {timeout_seconds} s at gate {gate!r}; nothing was published"
        ) from None
    return ReviewDecision(
        gate=gate,
        round=round_,
        decision=answer.decision,
        reviewer=answer.reviewer.strip(),
        comments=answer.comments,
        edits=_rewrite(answer),
        waive_blockers=bool(getattr(answer, "waive_blockers", False)),
        waiver_justification=str(getattr(answer, "waiver_justification", "")),
        source_checked=bool(getattr(answer, "source_checked", False)),
    )


def _rewrite(answer: ReviewInput) -> dict[str, str]:
    channel = getattr(answer, "rewrite_channel", NO_REWRITE)
    text = getattr(answer, "rewrite_text", "").strip()
    return {channel: text} if channel != NO_REWRITE and text else {}


# ---------------------------------------------------------------- the reviewer's side (CLI)


class PendingReview(BaseModel):
    run_id: str
    run_name: str
    flow_name: str
    gate: str
    waiting_since: datetime | None
    timeout_at: datetime | None
    ui_url: str | None


def _keyset(run: FlowRun) -> dict[str, str] | None:
    if run.state is None or not run.state.is_paused():
        return None
    return run.state.state_details.run_input_keyset


def _pending(run: FlowRun, flow_names: dict[UUID, str]) -> PendingReview:
    details = run.state.state_details if run.state else None
    return PendingReview(
        run_id=str(run.id),
        run_name=run.name,
        flow_name=flow_names.get(run.flow_id, "?"),
        gate=str(details.pause_key) if details else "?",
        waiting_since=run.state.timestamp if run.state else None,
        timeout_at=details.pause_timeout if details else None,
        ui_url=_ui_link(run.id),
    )


def list_pending_reviews() -> list[PendingReview]:
    """Paused or suspended runs that wait for a review form, oldest first."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
            ),
            limit=200,
        )
        waiting = [r for r in runs if _keyset(r)]
        flow_names = {fid: client.read_flow(fid).name for fid in {r.flow_id for r in waiting}}
    return sorted(
        (_pending(r, flow_names) for r in waiting),
        key=lambda p: p.waiting_since or datetime.min,
    )


def find_run(reference: str) -> FlowRun:
    """A flow run by id or by name (e.g. ``crimson-fox``)."""
    with get_client(sync_client=True) as client:
        try:
            return client.read_flow_run(UUID(reference))
        except ValueError:
            pass
        except ObjectNotFound:
            raise ReviewError(f"no flow run with id {reference}") from None
        from prefect.client.schemas.filters import FlowRunFilterName

        matches = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[reference])), limit=2
        )
    if len(matches) != 1:
        raise ReviewError(
            f"no flow run named {reference!r}" if not matches else f"{reference!r} is ambiguous"
        )
    return matches[0]


def _form_part(reference: str, part: str) -> Any:
    """The saved `part` ("description", "schema") of the form a run waits on."""
    run = find_run(reference)
    keyset = _keyset(run)
    if not keyset:
        raise ReviewError(f"flow run {run.name} ({run.id}) is not waiting for a review")
    with get_client(sync_client=True) as client:
        try:
            stored = client.read_flow_run_input(run.id, keyset[part])
        except ObjectNotFound:
            raise ReviewError(f"flow run {run.name} has no review {part} yet") from None
    return json.loads(stored)


def review_description_of(reference: str) -> str:
    return str(_form_part(reference, "description"))


def review_form_fields(reference: str) -> set[str]:
    """The fields of the form a run waits on: they vary with the draft (the waiver fields only
    with blockers, Source Checked only when the source is quarantined)."""
    return set(_form_part(reference, "schema")["properties"])


def submit_review(reference: str, answer: dict[str, Any]) -> FlowRun:
    """Resume a paused run with this answer, as the UI's Resume dialog does.

    The server validates the answer against the form's schema; a run paused a moment ago may
    not have saved its schema yet, so "schema not found" is retried for a few seconds.
    """
    run = find_run(reference)
    if not _keyset(run):
        raise ReviewError(f"flow run {run.name} ({run.id}) is not waiting for a review")
    deadline = time.monotonic() + SCHEMA_RACE_SECONDS
    while True:
        try:
            resume_flow_run(run.id, run_input=answer)
            return run
        except RuntimeError as refused:
            message = str(refused)
            if "schema not found" in message.lower() and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            raise ReviewError(
                f"the review was refused: {message.removeprefix('Cannot resume this run: ')}"
            ) from None
        except FlowPauseTimeout:
            raise ReviewError(f"flow run {run.name} can no longer be resumed (timed out)") from None
