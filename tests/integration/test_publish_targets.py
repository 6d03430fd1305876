"""URL → social with every kind of target: the local bundle of record, a real S3 API on loopback
(moto's server) and a webhook receiver on loopback that verifies signatures; then the audit trail
through the CLI. A real Prefect backend runs the flow."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from pressroom.audit_check import published_bundles
from pressroom.cli import app
from pressroom.errors import PublishFailed
from tasks.review import review_description_of, submit_review
from tests.integration.conftest import BackgroundRun, write_config
from tests.integration.servers import REGION, SECRET, Answer, Receiver, moto_server, s3_client

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("prefect_backend", "allow_loopback"),
]

SECRET_ENV = "PRESSROOM_TEST_WEBHOOK_SECRET"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def bucket(moto_endpoint: str) -> str:
    name = f"pressroom-{uuid.uuid4().hex[:12]}"
    s3_client(moto_endpoint).create_bucket(Bucket=name)
    return name


def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *targets: dict[str, Any]) -> None:
    directory = write_config(tmp_path / "configs")
    path = directory / "pipeline.yaml"
    pipeline = yaml.safe_load(path.read_text())
    pipeline["publish"] = {"targets": [{"type": "local"}, *targets]}
    path.write_text(yaml.safe_dump(pipeline, allow_unicode=True))
    monkeypatch.setenv("PRESSROOM_CONFIG_DIR", str(directory))
    monkeypatch.setenv(SECRET_ENV, SECRET)


def s3_target(endpoint: str, bucket: str) -> dict[str, Any]:
    return {
        "type": "s3",
        "bucket": bucket,
        "prefix": "social",
        "region": REGION,
        "endpoint_url": endpoint,
    }


def webhook_target(receiver: Receiver) -> dict[str, Any]:
    return {
        "type": "webhook",
        "name": "scheduler",
        "url": receiver.url,
        "secret_env": SECRET_ENV,
        "timeout_seconds": 2,
        "max_attempts": 2,
    }


def keys(endpoint: str, bucket: str) -> list[str]:
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(o["Key"] for o in listed)


def test_an_approved_bundle_reaches_s3_and_the_webhook_and_the_trail_verifies(
    sample_site: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    moto_endpoint: str,
    bucket: str,
    receiver: Receiver,
) -> None:
    configure(tmp_path, monkeypatch, s3_target(moto_endpoint, bucket), webhook_target(receiver))
    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article-en.html", out_dir=str(out))
    run_id = run.wait_for_review()

    # The reviewer sees the cards through presigned links to a staging prefix, not published.
    description = review_description_of(run_id)
    links = re.findall(r"!\[[^\]]*\]\((http[^)]+)\)", description)
    assert len(links) == 5 and all("/social/staging/" in link for link in links)
    card = httpx.get(links[0], timeout=5)
    assert card.status_code == 200 and card.content.startswith(b"\x89PNG")
    assert not [k for k in keys(moto_endpoint, bucket) if k.endswith("manifest.json")]

    submit_review(
        run_id, {"decision": "approve", "reviewer": "Ines Duarte", "source_checked": True}
    )
    result = run.finish()

    [bundle] = published_bundles(out)
    content = result.content_sha256
    stored = keys(moto_endpoint, bucket)
    published = [k for k in stored if f"/{content}/" in k]
    assert {k.rsplit(f"{content}/", 1)[1] for k in published} == {
        *(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    }
    assert "social/audit/audit.jsonl" in stored
    assert any(t.startswith("s3://") for t in result.targets)

    [delivery] = receiver.requests
    assert delivery.signature_ok
    payload = json.loads(delivery.body)
    assert payload["content_sha256"] == content
    assert all(post["image"].startswith("http") for post in payload["posts"])

    runner = CliRunner()
    verified = runner.invoke(app, ["audit", "verify", "--all", "--out", str(out)])
    assert verified.exit_code == 0, verified.output
    shown = runner.invoke(app, ["audit", "show", run_id, "--out", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "approve by Ines Duarte" in shown.output
    for target in ("local", "s3", "webhook:scheduler"):
        assert f"{target} →" in shown.output

    # Any edit to the trail, or a bundle byte changed after approval, is caught.
    trail = out / "audit.jsonl"
    lines = trail.read_text().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    trail.write_text("".join(lines))
    swapped = runner.invoke(app, ["audit", "verify", "--all", "--out", str(out)])
    assert swapped.exit_code == 1 and "line 2" in swapped.output
    lines[1], lines[2] = lines[2], lines[1]
    trail.write_text("".join(lines))
    (bundle / "posts.md").write_text("edited after approval")
    tampered = runner.invoke(app, ["audit", "verify", str(bundle)])
    assert tampered.exit_code == 1 and "posts.md" in tampered.output


def test_a_failing_webhook_fails_the_run_after_the_other_targets_got_the_bundle(
    sample_site: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    moto_endpoint: str,
    bucket: str,
    receiver: Receiver,
) -> None:
    receiver.script = [Answer(503), Answer(503)]
    configure(tmp_path, monkeypatch, s3_target(moto_endpoint, bucket), webhook_target(receiver))
    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article-en.html", out_dir=str(out))
    submit_review(
        run.wait_for_review(),
        {"decision": "approve", "reviewer": "Ines Duarte", "source_checked": True},
    )

    with pytest.raises(PublishFailed, match=r"published to local, s3; failed: webhook"):
        run.finish()
    assert len(published_bundles(out)) == 1
    assert [k for k in keys(moto_endpoint, bucket) if k.endswith("/manifest.json")]
    assert len(receiver.requests) == 2  # the whole retry budget, no more

    trail = [json.loads(line) for line in (out / "audit.jsonl").read_text().splitlines()]
    failed = [e for e in trail if e["kind"] == "publish_failed"]
    assert [e["data"]["target"] for e in failed] == ["webhook:scheduler"]


def test_a_missing_bucket_fails_the_run_before_anyone_reviews(
    sample_site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    """The review previews go to the bucket first: a wrong bucket is found before a reviewer
    spends time on a bundle that could not be published."""
    configure(tmp_path, monkeypatch, s3_target(moto_endpoint, "no-such-bucket-here"))
    out = tmp_path / "out"
    run = BackgroundRun(url=f"{sample_site}/article-en.html", out_dir=str(out))
    with pytest.raises(PublishFailed, match="bucket no-such-bucket-here does not exist"):
        run.finish()
    assert published_bundles(out) == []


def test_s3_credentials_and_bucket_can_come_from_prefect_aws_blocks(
    moto_endpoint: str, bucket: str
) -> None:
    from prefect_aws import AwsCredentials, S3Bucket
    from prefect_aws.client_parameters import AwsClientParameters

    from pressroom.settings import S3Target
    from tasks.publish import s3_publisher

    credentials = AwsCredentials(
        aws_access_key_id="block-key-id",
        aws_secret_access_key="block-secret",
        region_name=REGION,
        aws_client_parameters=AwsClientParameters(endpoint_url=moto_endpoint),
    )
    credentials.save("pressroom-test-aws", overwrite=True)
    S3Bucket(bucket_name=bucket, credentials=credentials, bucket_folder="team-a").save(
        "pressroom-test-bucket", overwrite=True
    )

    by_credentials = s3_publisher(
        S3Target.model_validate(
            {**s3_target(moto_endpoint, bucket), "credentials_block": "pressroom-test-aws"}
        )
    )
    by_bucket = s3_publisher(
        S3Target.model_validate(
            {"type": "s3", "bucket_block": "pressroom-test-bucket", "region": REGION}
        )
    )
    for publisher in (by_credentials, by_bucket):
        assert publisher._client._request_signer._credentials.access_key == "block-key-id"
        assert publisher._client.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert by_bucket.bucket == bucket
    assert by_bucket.config.prefix == "team-a/pressroom"


def test_a_target_names_exactly_one_bucket() -> None:
    from pydantic import ValidationError

    from pressroom.settings import S3Target

    with pytest.raises(ValidationError, match="exactly one of bucket or bucket_block"):
        S3Target.model_validate({"type": "s3"})
    with pytest.raises(ValidationError, match="exactly one of bucket or bucket_block"):
        S3Target.model_validate({"type": "s3", "bucket": "abc", "bucket_block": "b"})
