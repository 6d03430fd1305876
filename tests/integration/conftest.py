"""Integration fixtures: one real Prefect backend for the session, the sample site on loopback,
and a flow run driven from a background thread the way a user's terminal drives it."""

from __future__ import annotations

import contextvars
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT

FLOW_TIMEOUT_SECONDS = 180  # a bound on a hung run; a video renders within it on a busy CI


@pytest.fixture(scope="session")
def prefect_backend() -> Iterator[None]:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture(scope="session")
def sample_site() -> Iterator[str]:
    """The shipped sample articles, served on 127.0.0.1."""
    from pressroom.cli import serve_folder

    with serve_folder(REPO_ROOT / "assets" / "sample") as base_url:
        yield base_url


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_FETCH_ALLOW_HOSTS", "127.0.0.1")


def write_config(directory: Path, **review: Any) -> Path:
    """A copy of configs/ with review settings overridden (fast polling for tests)."""
    shutil.copytree(REPO_ROOT / "configs", directory)
    pipeline_path = directory / "pipeline.yaml"
    pipeline = yaml.safe_load(pipeline_path.read_text())
    pipeline["review"].update({"poll_interval_seconds": 1, **review})
    pipeline_path.write_text(yaml.safe_dump(pipeline, allow_unicode=True))
    return directory


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = write_config(tmp_path / "configs")
    monkeypatch.setenv("PRESSROOM_CONFIG_DIR", str(directory))
    return directory


class BackgroundRun:
    """A flow (`url_to_social` unless told) in a thread, as in a user's terminal, with a unique
    run name."""

    def __init__(self, flow: Any = None, **parameters: Any) -> None:
        from flows.url_to_social import url_to_social

        self.name = f"test-{uuid.uuid4().hex[:10]}"
        self._flow = (flow or url_to_social).with_options(flow_run_name=self.name)
        self._parameters = parameters
        self.result: Any = None
        self.error: BaseException | None = None
        context = contextvars.copy_context()  # carries the test harness's Prefect settings
        self._thread = threading.Thread(target=context.run, args=(self._run,), daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._flow(**self._parameters)
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            self.error = error

    def wait_for_review(self, round_: int = 0, gate: str = "social") -> str:
        """The run id once the run waits at `<gate>-round-<round_>` with its form saved."""
        from tasks.review import list_pending_reviews, review_description_of

        deadline = time.monotonic() + FLOW_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise AssertionError(f"the run ended before review: {self.error!r}")
            for pending in list_pending_reviews():
                if pending.run_name == self.name and pending.gate == f"{gate}-round-{round_}":
                    try:
                        review_description_of(pending.run_id)
                    except Exception:  # noqa: BLE001 - the form is not saved yet
                        break
                    return pending.run_id
            time.sleep(0.2)
        raise AssertionError(f"{self.name} never reached {gate} review round {round_}")

    def finish(self) -> Any:
        self._thread.join(FLOW_TIMEOUT_SECONDS)
        assert not self._thread.is_alive(), f"{self.name} did not finish"
        if self.error is not None:
            raise self.error
        return self.result
