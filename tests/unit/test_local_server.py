"""`pressroom server stop` stops the server it started, and nothing else."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pressroom.local_server import stop_server


def test_a_stale_pid_file_naming_another_process_stops_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRESSROOM_HOME", str(tmp_path))
    bystander = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        (tmp_path / "server.pid").write_text(str(bystander.pid))
        assert stop_server() is False
        assert bystander.poll() is None  # still running
        assert not (tmp_path / "server.pid").exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_no_pid_file_means_no_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_HOME", str(tmp_path))
    assert stop_server() is False
