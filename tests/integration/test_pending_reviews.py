"""Pending reviews: a run waiting at a gate longer than configured is announced once to a
Slack-compatible webhook (a loopback receiver that checks signatures), again only after the
re-notify interval, and forgotten once answered."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import write_config
from tests.integration.servers import SECRET, Receiver

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_backend")]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _configure(configs: Path, receiver: Receiver, renotify_minutes: float) -> None:
    settings = {
        "pending_reviews": {
            "after_minutes": 0,
            "renotify_minutes": renotify_minutes,
            "webhook": {"url": receiver.url, "secret_env": "PRESSROOM_TEST_REMINDER_SECRET"},
        }
    }
    (configs / "notifications.yaml").write_text(yaml.safe_dump(settings))


@pytest.fixture
def configs(tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = write_config(tmp_path / "configs")
    _configure(directory, receiver, renotify_minutes=60)
    monkeypatch.setenv("PRESSROOM_CONFIG_DIR", str(directory))
    monkeypatch.setenv("PRESSROOM_TEST_REMINDER_SECRET", SECRET)
    return directory


def _waiting_run() -> Any:
    """A flow run suspended at gate social-round-0 with a review form, as the gate leaves it."""
    from prefect import flow, get_client
    from prefect.input.run_input import keyset_from_paused_state
    from prefect.states import Suspended

    @flow(name="waiting-for-an-editor")
    def waiting_for_an_editor() -> None:
        pass

    state = Suspended(timeout_seconds=3600, pause_key="social-round-0")
    state.state_details.run_input_keyset = keyset_from_paused_state(state)
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(waiting_for_an_editor, name=f"wait-{uuid.uuid4().hex[:8]}")
        client.set_flow_run_state(run.id, state, force=True)
    return run


def _about(receiver: Receiver, run_id: Any) -> list[dict[str, Any]]:
    return [
        {"headers": r.headers, "signature_ok": r.signature_ok, **json.loads(r.body)}
        for r in receiver.requests
        if str(run_id) in r.body.decode()
    ]


def test_a_waiting_gate_is_announced_once_then_after_the_interval_then_forgotten(
    configs: Path, receiver: Receiver
) -> None:
    from prefect import get_client
    from prefect.states import Completed
    from prefect.variables import Variable

    from flows.pending_reviews import pending_reviews
    from tasks.notify import reminder_variable

    run = _waiting_run()

    first = pending_reviews()
    second = pending_reviews()

    [message] = _about(receiver, run.id)
    assert f"{run.name}: social-round-0" in first and f"{run.name}: social-round-0" not in second
    assert message["signature_ok"]
    assert message["headers"]["Idempotency-Key"].endswith(f"{run.id}-social-round-0-1")
    assert run.name in message["text"] and "gate social-round-0" in message["text"]
    assert message["blocks"][0]["type"] == "section"
    assert "waiting-for-an-editor" in message["blocks"][0]["text"]["text"]
    assert f"pressroom review show {run.id}" in message["blocks"][1]["elements"][0]["text"]

    _configure(configs, receiver, renotify_minutes=0.001)
    pending_reviews()
    reminders = _about(receiver, run.id)
    assert len(reminders) == 2
    assert reminders[1]["headers"]["Idempotency-Key"].endswith("social-round-0-2")

    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run.id, Completed(), force=True)
    record = reminder_variable(str(run.id), "social-round-0")
    assert Variable.get(record) is not None
    pending_reviews()
    assert Variable.get(record) is None and len(_about(receiver, run.id)) == 2
