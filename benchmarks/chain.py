"""The editorial chain with the embedded providers: one brief, then a weekly batch of briefs.

* One brief (posts, article, newsletter, video at the ultrafast preset) through `run_brief`:
  wall time per step (its task runs' start and end times, from the API) and in total (the run's
  wall time less the time it spent paused for review), and peak RSS.
* A weekly batch (`weekly_batch` on a calendar of N slots, each brief run in this process as
  the weekly flow does outside a deployment): total wall time until every brief is published,
  and the most memory this process and its children held at once (sampled every 0.2 s).

Human waits are excluded: a thread approves every gate as soon as its form is saved. Each brief
has a source URL of its own, so nothing is taken from the cache of another. Real Prefect backend
(test harness, throwaway PREFECT_HOME). Prints figures; asserts nothing.

    python benchmarks/chain.py [--briefs 10] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import contextvars
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="pressroom-bench-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"  # no network
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
os.environ["PRESSROOM_FETCH_ALLOW_HOSTS"] = "127.0.0.1"
os.environ["PRESSROOM_KEYS_DIR"] = str(Path(os.environ["PREFECT_HOME"]) / "keys")

FORMATS = ["posts", "article", "newsletter", "video"]
CHANNELS = ["linkedin", "x"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
#: May waive any blocker: the benchmark measures the work, not a reviewer's judgement.
REVIEWER = "Camille Durand"
SAMPLE_SECONDS = 0.2


def brief(base_url: str, number: int) -> dict[str, Any]:
    page = "article-en.html" if number % 2 == 0 else "article.html"
    return {
        "id": f"bench-{number}",
        "sources": [{"url": f"{base_url}/{page}?brief={number}"}],
        "goal": "Tell residents what changed and why it matters",
        "channels": CHANNELS,
        "formats": FORMATS,
        "language": "en" if number % 2 == 0 else "fr",
    }


def write_configs(
    folder: Path, out_dir: Path, briefs: list[dict[str, Any]], concurrency: int
) -> None:
    shutil.copytree(ROOT / "configs", folder)
    pipeline_path = folder / "pipeline.yaml"
    pipeline = yaml.safe_load(pipeline_path.read_text())
    pipeline["review"]["poll_interval_seconds"] = 1
    pipeline["video"].update({"preset": "ultrafast", "channels": ["tiktok"]})
    pipeline["output_dir"] = str(out_dir)
    pipeline_path.write_text(yaml.safe_dump(pipeline, allow_unicode=True))
    calendar = {
        "timezone": "Europe/Paris",
        "batch": {"concurrency": concurrency, "poll_seconds": 0.5, "settle_timeout_minutes": 60},
        "slots": [
            {"day": WEEKDAYS[n % 7], "time": f"{9 + n // 7:02d}:00", "brief": b}
            for n, b in enumerate(briefs)
        ],
    }
    (folder / "calendar.yaml").write_text(yaml.safe_dump(calendar, allow_unicode=True))
    os.environ["PRESSROOM_CONFIG_DIR"] = str(folder)


# ---------------------------------------------------------------- the reviewer, at once


def approval(run_id: str) -> dict[str, Any] | None:
    """An approval that stands, filling what the form asks; None while the form is unsaved."""
    from pressroom.errors import ReviewError
    from tasks.review import review_form_fields

    try:
        fields = review_form_fields(run_id)
    except ReviewError:
        return None
    answer: dict[str, Any] = {"decision": "approve", "reviewer": REVIEWER}
    if "source_checked" in fields:
        answer["source_checked"] = True
    if "waive_blockers" in fields:
        answer |= {"waive_blockers": True, "waiver_justification": "benchmark"}
    return answer


class Approver:
    """Approves every gate of every run-brief run as soon as it waits."""

    def __init__(self) -> None:
        self.answered: set[tuple[str, str]] = set()
        self._stop = threading.Event()
        context = contextvars.copy_context()
        self._thread = threading.Thread(target=context.run, args=(self._loop,), daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        from pressroom.errors import ReviewError
        from tasks.review import list_pending_reviews, submit_review

        while not self._stop.is_set():
            for pending in list_pending_reviews():
                key = (pending.run_id, pending.gate)
                if pending.flow_name != "run-brief" or key in self.answered:
                    continue
                answer = approval(pending.run_id)
                if answer is None:
                    continue
                try:
                    submit_review(pending.run_id, answer)
                except ReviewError as error:
                    print(f"  review of {pending.run_name} at {pending.gate} refused: {error}")
                self.answered.add(key)
            time.sleep(0.1)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


# ---------------------------------------------------------------- memory


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree[parent].append(int(entry.name))
    return tree


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mib() -> float:
    """RSS of this process and all its descendants (the harness server, ffmpeg...)."""
    tree, pids, total = _children(), [os.getpid()], 0
    while pids:
        pid = pids.pop()
        total += _rss_kib(pid)
        pids.extend(tree.get(pid, []))
    return total / 1024


class MemorySampler:
    def __init__(self) -> None:
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak_mib = max(self.peak_mib, tree_rss_mib())
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(5)
        return self.peak_mib


# ---------------------------------------------------------------- timings from the API


def step_seconds(run_id: UUID) -> dict[str, tuple[int, float]]:
    """Task name → (runs, seconds worked), from the task runs' start and end times."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])), limit=200
        )
    steps: dict[str, tuple[int, float]] = {}
    for run in runs:
        name = run.name.rsplit("-", 1)[0]
        seconds = (
            (run.end_time - run.start_time).total_seconds()
            if run.start_time and run.end_time
            else 0.0
        )
        count, total = steps.get(name, (0, 0.0))
        steps[name] = (count + 1, total + seconds)
    return steps


def worked_seconds(run_id: UUID) -> tuple[float, float]:
    """(the run's wall time, the part of it spent paused for review)."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        states = sorted(client.read_flow_run_states(run_id), key=lambda s: s.timestamp)
    paused = sum(
        (after.timestamp - state.timestamp).total_seconds()
        for state, after in zip(states, states[1:], strict=False)
        if state.is_paused()
    )
    assert run.start_time and run.end_time
    return (run.end_time - run.start_time).total_seconds(), paused


# ---------------------------------------------------------------- the two measurements


def one_brief(base_url: str) -> None:
    from flows.brief_runner import run_brief
    from pressroom.briefs import Brief

    name = f"bench-one-{time.monotonic_ns()}"
    approver = Approver()
    started = time.perf_counter()
    state = run_brief.with_options(flow_run_name=name)(
        Brief.model_validate(brief(base_url, 0)), return_state=True
    )
    elapsed = time.perf_counter() - started
    approver.stop()
    run_id = state.state_details.flow_run_id
    assert run_id is not None
    outcome = state.result(raise_on_failure=False)
    wall, paused = worked_seconds(run_id)
    print(f"One brief ({', '.join(FORMATS)}; channels {', '.join(CHANNELS)}; video ultrafast)")
    print(f"  outcome: {getattr(outcome, 'status', outcome)}")
    print(f"  {'step':<28} {'runs':>4} {'seconds':>8}")
    steps = step_seconds(run_id)
    for step, (count, seconds) in sorted(steps.items(), key=lambda kv: -kv[1][1]):
        print(f"  {step:<28} {count:>4} {seconds:>8.2f}")
    print(
        f"  {'sum of steps':<28} {sum(c for c, _ in steps.values()):>4} "
        f"{sum(s for _, s in steps.values()):>8.2f}"
    )
    print(
        f"  run wall time {wall:.1f} s, of which paused for review {paused:.1f} s: "
        f"worked {wall - paused:.1f} s (caller saw {elapsed:.1f} s)"
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"  peak RSS: this process {own:.0f} MiB; largest child it waited for (ffmpeg) "
        f"{children:.0f} MiB"
    )


def weekly(count: int) -> None:
    from prefect import get_client

    from flows.weekly import weekly_batch

    week = date.today() + timedelta(days=(7 - date.today().weekday()) % 7)
    approver, sampler = Approver(), MemorySampler()
    started = time.perf_counter()
    rows = weekly_batch(week_start=week)
    settled = time.perf_counter() - started
    run_ids = [UUID(r.run_id) for r in rows if r.run_id]
    with get_client(sync_client=True) as client:
        while True:
            states = [client.read_flow_run(r).state for r in run_ids]
            if all(s is not None and s.is_final() for s in states):
                break
            time.sleep(0.5)
    total = time.perf_counter() - started
    approver.stop()
    peak = sampler.stop()
    done = sum(s is not None and s.is_completed() for s in states)
    timings = [worked_seconds(r) for r in run_ids]
    paused = sum(p for _, p in timings)
    worked = sum(w - p for w, p in timings)
    print(f"\nWeekly batch of {count} briefs (same formats)")
    print(
        f"  batch rows: {', '.join(sorted({r.status for r in rows}))}; "
        f"{done}/{len(run_ids)} runs completed"
    )
    print(
        f"  weekly flow settled in {settled:.1f} s; every brief finished in {total:.1f} s "
        f"({total / count:.1f} s a brief)"
    )
    print(
        f"  the runs worked {worked:.1f} s in all ({worked / count:.1f} s a brief, overlapping)"
        f" and spent {paused:.1f} s paused (the approver answers at once: that is its latency)"
    )
    print(
        f"  max concurrent memory (this process + children, every {SAMPLE_SECONDS} s): "
        f"{peak:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--briefs", type=int, default=10, help="briefs in the weekly batch")
    parser.add_argument("--concurrency", type=int, default=2, help="the batch's concurrency")
    options = parser.parse_args()

    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    from pressroom.cli import serve_folder

    work = Path(tempfile.mkdtemp(prefix="pressroom-bench-chain-"))
    with serve_folder(ROOT / "assets" / "sample") as base_url:
        briefs = [brief(base_url, n + 1) for n in range(options.briefs)]
        write_configs(work / "configs", work / "out", briefs, options.concurrency)
        with (
            prefect_test_harness(server_startup_timeout=120),
            temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        ):
            one_brief(base_url)
            weekly(options.briefs)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
