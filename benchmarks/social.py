"""URL → review-ready: wall time per page, median and max, and peak RSS.

Two measurements per page, in the same process:
* baseline: the domain library alone (fetch over loopback, extract, audience, plan, drafts,
  cards, staging, compliance) — no Prefect;
* flow: the `url-to-social` flow on a real Prefect backend (test harness) from start until it
  waits for review; the run is then rejected.
The ratio flow/baseline is the orchestration's cost. Pages: the shared corpus when present, and
the sample articles shipped in assets/. Prints figures; asserts nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="pressroom-bench-")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")  # every run is rejected on purpose
os.environ["PRESSROOM_FETCH_ALLOW_HOSTS"] = "127.0.0.1"

from pressroom.cli import serve_folder
from pressroom.compliance import check_bundle
from pressroom.errors import SourceError
from pressroom.media.channel_cards import channel_cards
from pressroom.models import Revision
from pressroom.providers import image_provider, text_provider
from pressroom.publishing import read_bundle_content, stage_bundle
from pressroom.settings import load_settings
from pressroom.sources import extract_source, fetch_page

CORPUS = ROOT.parent / "shared" / "corpus" / "pages"


def collect_pages(folder: Path) -> list[str]:
    shutil.copytree(ROOT / "assets" / "sample", folder, dirs_exist_ok=True)
    if CORPUS.is_dir():
        shutil.copytree(CORPUS, folder, dirs_exist_ok=True)
    return sorted(p.name for p in folder.glob("*.html"))


def review_ready_without_prefect(url: str, staging: Path) -> tuple[float, int]:
    started = time.perf_counter()
    settings = load_settings()
    channels = {n: settings.channel(n) for n in settings.select_channels(None)}
    source = extract_source(fetch_page(url), min_words=settings.pipeline.source.min_words)
    writer = text_provider("offline")
    plan = writer.plan_posts(source, writer.analyse_audience(source), settings.brand, channels)
    posts = writer.write_posts(source, plan, settings.brand, channels, Revision())
    cards = channel_cards(image_provider("offline"), source, settings.brand, channels)
    staged = stage_bundle(staging, source, posts, cards, channels)
    check_bundle(read_bundle_content(staged, source.text), settings.brand, channels)
    return time.perf_counter() - started, len(source.text.split())


def review_ready_with_prefect(url: str, out_dir: Path) -> float:
    from flows.url_to_social import url_to_social
    from tasks.review import list_pending_reviews, submit_review

    name = f"bench-{time.monotonic_ns()}"
    flow = url_to_social.with_options(flow_run_name=name)
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run,
        args=(lambda: _swallow(flow, url=url, out_dir=str(out_dir)),),
        daemon=True,
    )
    started = time.perf_counter()
    thread.start()
    while True:
        pending = [p for p in list_pending_reviews() if p.run_name == name]
        if pending:
            elapsed = time.perf_counter() - started
            break
        if not thread.is_alive():
            raise RuntimeError(f"{url} ended before review")
        time.sleep(0.05)
    time.sleep(0.5)  # let the form be saved before answering
    submit_review(pending[0].run_id, {"decision": "reject", "reviewer": "bench"})
    thread.join(60)
    return elapsed


def _swallow(flow, **parameters):  # type: ignore[no-untyped-def]
    with contextlib.suppress(Exception):  # the benchmark rejects every run
        flow(**parameters)


def main() -> None:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    work = Path(tempfile.mkdtemp(prefix="pressroom-bench-pages-"))
    pages = collect_pages(work / "pages")
    with serve_folder(work / "pages") as base_url:
        review_ready_without_prefect(f"{base_url}/{pages[0]}", work / "warmup")  # imports, models
        baseline, refused = {}, {}
        for page in pages:
            try:
                url = f"{base_url}/{page}"
                baseline[page] = review_ready_without_prefect(url, work / "staging")
            except SourceError as error:
                refused[page] = str(error)
        pages = [p for p in pages if p in baseline]
        with (
            prefect_test_harness(server_startup_timeout=120),
            temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        ):
            flow_times = {
                page: review_ready_with_prefect(f"{base_url}/{page}", work / "out")
                for page in pages
            }
    print(f"{'page':<42} {'words':>6} {'baseline s':>11} {'flow s':>8} {'ratio':>6}")
    for page in pages:
        seconds, words = baseline[page]
        print(
            f"{page:<42} {words:>6} {seconds:>11.3f} {flow_times[page]:>8.3f} "
            f"{flow_times[page] / seconds:>6.1f}"
        )
    for page, reason in refused.items():
        print(f"{page:<42} refused: {reason.split(': ', 1)[-1][:80]}")
    base_values = [s for s, _ in baseline.values()]
    flow_values = list(flow_times.values())
    print(
        f"\nbaseline (no Prefect): median {statistics.median(base_values):.3f} s, "
        f"max {max(base_values):.3f} s"
    )
    print(
        f"flow to review-ready:  median {statistics.median(flow_values):.3f} s, "
        f"max {max(flow_values):.3f} s  "
        f"(x{statistics.median(flow_values) / statistics.median(base_values):.1f} the baseline)"
    )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (baseline + flow + harness server): {peak_mib:.0f} MiB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
