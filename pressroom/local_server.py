"""A local Prefect server for one machine: started once, in the background, on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from pressroom.errors import PressroomError

DEFAULT_PORT = 4200
DEFAULT_API_URL = f"http://127.0.0.1:{DEFAULT_PORT}/api"
START_TIMEOUT_SECONDS = 120


def state_dir() -> Path:
    return Path(os.environ.get("PRESSROOM_HOME") or Path.cwd() / ".pressroom")


def api_healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def start_server(port: int = DEFAULT_PORT) -> str:
    """Start `prefect server start` on 127.0.0.1 unless one already answers; return its API URL."""
    api_url = f"http://127.0.0.1:{port}/api"
    if api_healthy(api_url):
        return api_url
    directory = state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "server.log"
    env = {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": os.environ.get("PREFECT_HOME") or str(directory / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)  # the server must not try to talk to itself as a client
    prefect = Path(sys.executable).with_name("prefect")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    (directory / "server.pid").write_text(str(process.pid))
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if api_healthy(api_url):
            return api_url
        if process.poll() is not None:
            raise PressroomError(f"the Prefect server exited at start; see {log_path}")
        time.sleep(1)
    raise PressroomError(
        f"the Prefect server did not answer within {START_TIMEOUT_SECONDS} s; see {log_path}"
    )


def stop_server() -> bool:
    """Stop the server this folder started; False when none was running."""
    pid_file = state_dir() / "server.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    pid_file.unlink()
    if not _is_prefect_server(pid):  # a stale file: that number may now be someone else's
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    return True


def _is_prefect_server(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"prefect" in command and b"server" in command
