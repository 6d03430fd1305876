"""Publishing throughput. Prints figures; asserts nothing.

Audit trail: appends per second (one process, each append locked and fsynced) and verification
of that log in entries per second.

S3: wall time to publish one bundle of record holding a ~50 MB image to moto's S3 server on
127.0.0.1 (median of 3 runs, each to a fresh bucket so nothing is skipped as already
published), with the target's default multipart settings. moto keeps every object in this
process's memory and does no disk or network I/O of its own: the figure measures the publisher,
boto3 and loopback HTTP, not a real store.
"""

from __future__ import annotations

import io
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Dummy credentials only: the benchmark talks to loopback, never to AWS or a user's profile.
os.environ.update(
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_EC2_METADATA_DISABLED="true",
)
os.environ.pop("AWS_PROFILE", None)

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer
from PIL import Image

from pressroom.audit import AuditLog
from pressroom.compliance import check_bundle
from pressroom.media.channel_cards import channel_cards
from pressroom.models import Approval, FetchedPage, Revision
from pressroom.providers import image_provider, text_provider
from pressroom.publishing import publish_local, read_bundle_content, stage_bundle
from pressroom.publishing.s3 import S3Publisher
from pressroom.publishing.targets import PublishedBundle, S3Target
from pressroom.settings import load_settings
from pressroom.sources import extract_source

RUNS = 3
LARGE_SIDE = 4096  # an uncompressed RGB PNG of 4096 x 4096 pixels: ~50.3 MB
MB = 1_000_000


def noise_png(side: int) -> bytes:
    """Incompressible pixels stored uncompressed: a valid PNG of about side x side x 3 bytes."""
    pixels = random.Random(7).randbytes(side * side * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


def bundle_with_large_image(folder: Path) -> PublishedBundle:
    """The sample article through the offline providers, its LinkedIn card swapped for a
    ~50 MB image, staged, checked, approved and published locally the project's own way."""
    settings = load_settings()
    channels = {name: settings.channel(name) for name in settings.select_channels(None)}
    url = "https://news.example.org/2025/03/seagrass"
    body = (ROOT / "assets" / "sample" / "article-en.html").read_bytes()
    source = extract_source(
        FetchedPage(url=url, final_url=url, status=200, content_type="text/html", body=body)
    )
    writer = text_provider("offline")
    plan = writer.plan_posts(source, writer.analyse_audience(source), settings.brand, channels)
    posts = writer.write_posts(source, plan, settings.brand, channels, Revision())
    cards = channel_cards(image_provider("offline"), source, settings.brand, channels)
    cards["linkedin"] = cards["linkedin"].model_copy(
        update={"png": noise_png(LARGE_SIDE), "width": LARGE_SIDE, "height": LARGE_SIDE}
    )
    staged = stage_bundle(folder / "staging", source, posts, cards, channels)
    report = check_bundle(read_bundle_content(staged, source.text), settings.brand, channels)
    approval = Approval(
        content_sha256=staged.content_sha256, reviewer="bench", decision="approve", gate="bench"
    )
    receipt = publish_local(staged, report, approval, folder / "out")
    return PublishedBundle.load(Path(unquote(urlparse(receipt.uri).path)))


def publish_seconds(endpoint: str, bundle: PublishedBundle) -> float:
    """One publish of ``bundle`` to a fresh bucket, timed from the first request to the last."""
    client = boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3v4"))
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    publisher = S3Publisher(S3Target(type="s3", bucket=bucket), client)
    started = time.perf_counter()
    publisher.publish(bundle)
    return time.perf_counter() - started


def raw_upload_seconds(endpoint: str, bundle: PublishedBundle) -> float:
    """Baseline: the same files with boto3's own managed transfer, no checks, no metadata."""
    client = boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3v4"))
    bucket = f"raw-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    started = time.perf_counter()
    for path in bundle.files():
        client.upload_file(str(bundle.path / path), bucket, f"raw/{path}")
    return time.perf_counter() - started


def s3_figures(work: Path) -> list[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto logs every request
    bundle = bundle_with_large_image(work)
    sizes = [(bundle.path / path).stat().st_size for path in bundle.files()]
    defaults = S3Target(type="s3", bucket="defaults")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        seconds = [publish_seconds(endpoint, bundle) for _ in range(RUNS)]
        baseline = [raw_upload_seconds(endpoint, bundle) for _ in range(RUNS)]
    finally:
        server.stop()
    median = statistics.median(seconds)
    return [
        f"s3 publish: bundle of {len(sizes)} files, {sum(sizes) / MB:.1f} MB "
        f"(largest {max(sizes) / MB:.1f} MB; multipart above {defaults.multipart_threshold_mb} "
        f"MiB, {defaults.part_size_mb} MiB parts), moto on 127.0.0.1 (in memory)",
        f"s3 publish: median {median:.2f} s of {RUNS} "
        f"({', '.join(f'{s:.2f}' for s in seconds)}), {sum(sizes) / MB / median:.0f} MB/s",
        f"baseline (boto3 upload_file, same files): median {statistics.median(baseline):.2f} s; "
        f"publisher / baseline = {median / statistics.median(baseline):.2f}",
    ]


AUDIT_APPENDS = 5_000


def audit_figures(tmp_dir: Path) -> list[str]:
    """Append AUDIT_APPENDS realistic entries to a fresh log in tmp_dir, then verify it."""
    log = AuditLog(tmp_dir / "audit.jsonl")
    started = time.perf_counter()
    for i in range(AUDIT_APPENDS):
        log.append(
            "publish",
            {"run_name": f"bench-{i}", "target": "local", "uri": f"file:///out/bundle-{i}"},
            run_id=f"run-{i}",
            content_sha256=f"{i:064x}",
        )
    append_seconds = time.perf_counter() - started
    started = time.perf_counter()
    verification = log.verify()
    verify_seconds = time.perf_counter() - started
    size_kib = log.path.stat().st_size / 1024
    return [
        f"audit append: {AUDIT_APPENDS / append_seconds:,.0f} appends/s "
        f"({AUDIT_APPENDS} appends in {append_seconds:.2f} s, {size_kib:,.0f} KiB)",
        f"audit verify: {verification.entries / verify_seconds:,.0f} entries/s "
        f"({verification.entries} entries in {verify_seconds:.3f} s, ok={verification.ok})",
    ]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pressroom-publish-bench-") as folder:
        work = Path(folder)
        print("\n".join(s3_figures(work)))
        print("\n".join(audit_figures(work)))


if __name__ == "__main__":
    main()
