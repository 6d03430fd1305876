"""S3 publisher against a real S3 API on loopback (moto in server mode): keys, metadata,
encryption, presigned URLs, idempotence, resumption after a dropped connection, and errors that
a user can act on.

Faults are produced at the network edge, not by patching the publisher: a small TCP proxy
between boto3 and moto drops the connection in the middle of a request body, the way a broken
link does.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import random
import shutil
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import boto3
import httpx
import pytest
from botocore.config import Config
from PIL import Image

from pressroom.errors import PublishFailed, PublishRefused
from pressroom.models import CardImage
from pressroom.publishing.s3 import MIB, S3Publisher, ascii_metadata, object_key
from pressroom.publishing.targets import PublishedBundle, S3Target
from tests.integration.bundles import SampleArticle, publish_sample, sample_article
from tests.integration.servers import REGION, moto_server, s3_client

pytestmark = pytest.mark.integration

DECIDED_AT = datetime(2025, 3, 14, 16, 45, tzinfo=UTC)
REVIEWER = "Zoë Lefèvre"  # not ASCII, as S3 metadata must be
LARGE_CARD = "images/instagram.png"
#: Small enough for the large bundle's ~10.3 MiB card to go up in three parts.
MULTIPART = {"multipart_threshold_mb": 5, "part_size_mb": 5}
#: One attempt per request: botocore's own retry would otherwise heal the dropped connection.
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


# ---------------------------------------------------------------- the S3 API on loopback


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1, an ephemeral port; dummy credentials, no user profile."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def admin(moto_endpoint: str) -> Any:
    """A client of the test's own, to look at what the publisher left in the bucket."""
    return s3_client(moto_endpoint)


@pytest.fixture
def bucket(admin: Any) -> str:
    """A fresh versioned bucket: a second upload of the same key would show as a version."""
    name = f"pressroom-{uuid.uuid4().hex[:12]}"
    admin.create_bucket(Bucket=name)
    admin.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


class Calls:
    """Every S3 operation a client makes, with its parameters (botocore's own event hooks)."""

    def __init__(self, client: Any) -> None:
        self.made: list[tuple[str, dict[str, Any]]] = []
        client.meta.events.register("before-parameter-build.s3", self._record)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.made.append((model.name, dict(params)))

    def of(self, operation: str) -> list[dict[str, Any]]:
        return [params for name, params in self.made if name == operation]


def stored_keys(client: Any, bucket: str) -> set[str]:
    return {o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def version_counts(client: Any, bucket: str) -> Counter[str]:
    versions = client.list_object_versions(Bucket=bucket).get("Versions", [])
    return Counter(v["Key"] for v in versions)


def stored_bytes(client: Any, bucket: str, key: str) -> bytes:
    return bytes(client.get_object(Bucket=bucket, Key=key)["Body"].read())


def target(bucket: str, **changes: Any) -> S3Target:
    return S3Target.model_validate({"type": "s3", "bucket": bucket, **changes})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- a dropped connection


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 in front of an upstream port that drops one connection.

    The first request whose request line holds ``marker`` and whose body is longer than
    ``after_body_bytes`` is cut: once that many bytes of its body have gone upstream, both
    sockets are closed. Everything else is forwarded untouched.
    """

    def __init__(self, upstream_port: int, marker: bytes, after_body_bytes: int) -> None:
        self._upstream = ("127.0.0.1", upstream_port)
        self._marker = marker
        self._after = after_body_bytes
        self._armed = True
        self._lock = threading.Lock()
        self.cut = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> CuttingProxy:
        self._start(self._accept_loop)
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _start(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            upstream = socket.create_connection(self._upstream, timeout=10)
            self._start(self._pump, upstream, client)
            self._start(self._forward_requests, client, upstream)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        _close(source, sink)

    def _forward_requests(self, client: socket.socket, upstream: socket.socket) -> None:
        """Client to upstream, request by request (keep-alive aware), cutting one if armed."""
        buffer = b""
        body_left = 0
        cut_after: int | None = None
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                buffer += chunk
                while buffer:
                    if body_left == 0:
                        end = buffer.find(b"\r\n\r\n")
                        if end < 0:
                            break
                        head, buffer = buffer[: end + 4], buffer[end + 4 :]
                        upstream.sendall(head)
                        body_left = _content_length(head)
                        cut_after = self._cut_point(head, body_left)
                        continue
                    body, buffer = buffer[:body_left], buffer[body_left:]
                    if cut_after is not None and len(body) >= cut_after:
                        upstream.sendall(body[:cut_after])
                        _close(client, upstream)
                        self.cut.set()
                        return
                    upstream.sendall(body)
                    body_left -= len(body)
                    if cut_after is not None:
                        cut_after -= len(body)
        _close(client, upstream)

    def _cut_point(self, head: bytes, body_length: int) -> int | None:
        request_line = head.split(b"\r\n", 1)[0]
        with self._lock:
            if self._armed and self._marker in request_line and body_length > self._after:
                self._armed = False
                return self._after
        return None


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def port_of(url: str) -> int:
    port = urlparse(url).port
    assert port is not None
    return port


# ---------------------------------------------------------------- bundles of record


@pytest.fixture(scope="module")
def article() -> SampleArticle:
    """The shipped English sample article, written and illustrated by the offline providers."""
    return sample_article()


def publish_locally(
    article: SampleArticle, cards: dict[str, CardImage], folder: Path
) -> PublishedBundle:
    """The bundle of record, the project's own way: stage, check, approve, publish locally."""
    return publish_sample(
        article,
        folder,
        cards=cards,
        reviewer=REVIEWER,
        decided_at=DECIDED_AT,
        run_id=None,
        gate="review",
    )


def noise_png(width: int, height: int) -> bytes:
    """Incompressible pixels stored uncompressed: a valid PNG of about width x height x 3 bytes."""
    pixels = random.Random(7).randbytes(width * height * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bundle(article: SampleArticle, tmp_path_factory: pytest.TempPathFactory) -> PublishedBundle:
    return publish_locally(article, article.cards, tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="module")
def large_bundle(
    article: SampleArticle, tmp_path_factory: pytest.TempPathFactory
) -> PublishedBundle:
    """The same posts with one large card: a generated ~10.3 MiB PNG, staged the normal way."""
    channel = Path(LARGE_CARD).stem
    large = article.cards[channel].model_copy(
        update={"png": noise_png(1900, 1900), "width": 1900, "height": 1900}
    )
    cards = {**article.cards, channel: large}
    return publish_locally(article, cards, tmp_path_factory.mktemp("large"))


# ---------------------------------------------------------------- a whole bundle


def test_every_file_lands_under_the_bundle_key_manifest_last(
    moto_endpoint: str, admin: Any, bucket: str, bundle: PublishedBundle
) -> None:
    client = s3_client(moto_endpoint)
    calls = Calls(client)
    receipt = S3Publisher(target(bucket), client).publish(bundle)

    base = f"pressroom/2025-03-14/{bundle.slug}/{bundle.content_sha256}"
    expected = [f"{base}/{path}" for path in bundle.files()]
    assert {"posts.json", "posts.md", "approval.json", "images/x.png"} <= set(bundle.files())
    assert [params["Key"] for params in calls.of("PutObject")] == expected
    assert expected[-1] == f"{base}/manifest.json"
    assert stored_keys(admin, bucket) == set(expected)
    for path in bundle.files():
        assert stored_bytes(admin, bucket, f"{base}/{path}") == (bundle.path / path).read_bytes()

    manifest = admin.head_object(Bucket=bucket, Key=f"{base}/manifest.json")
    assert receipt.target == "s3"
    assert receipt.uri == f"s3://{bucket}/{base}/manifest.json"
    assert receipt.version == manifest["VersionId"]
    assert receipt.content_sha256 == bundle.content_sha256
    assert (receipt.approval_reviewer, receipt.approval_decided_at) == (REVIEWER, DECIDED_AT)
    assert not receipt.already_published


def test_objects_carry_media_type_and_metadata(
    moto_endpoint: str, admin: Any, bucket: str, bundle: PublishedBundle
) -> None:
    S3Publisher(target(bucket), s3_client(moto_endpoint)).publish(bundle)
    media_types = {entry["path"]: entry["media_type"] for entry in bundle.manifest["files"]}
    media_types["manifest.json"] = "application/json"
    assert media_types["posts.md"] == "text/markdown"
    assert media_types["images/x.png"] == "image/png"
    approval_id = sha256((bundle.path / "approval.json").read_bytes())

    for path in bundle.files():
        key = object_key("pressroom", DECIDED_AT, bundle.slug, bundle.content_sha256, path)
        head = admin.head_object(Bucket=bucket, Key=key)
        assert head["ContentType"] == media_types[path], path
        assert head["Metadata"] == {
            "sha256": sha256((bundle.path / path).read_bytes()),
            "content-sha256": bundle.content_sha256,
            "approval-id": approval_id,
            "reviewer": "Zo%C3%AB Lef%C3%A8vre",
            "ai-generated": "true",
        }, path
    assert unquote(ascii_metadata(REVIEWER)) == REVIEWER
    assert ascii_metadata("O'Brien\nX 100%") == "O'Brien%0AX 100%25"


@pytest.mark.parametrize(
    ("sse", "kms_key_id"), [("AES256", None), ("aws:kms", "alias/pressroom"), ("none", None)]
)
def test_objects_are_encrypted_as_configured(
    moto_endpoint: str,
    admin: Any,
    bucket: str,
    bundle: PublishedBundle,
    sse: str,
    kms_key_id: str | None,
) -> None:
    config = target(bucket, sse=sse, kms_key_id=kms_key_id)
    S3Publisher(config, s3_client(moto_endpoint)).publish(bundle)
    keys = stored_keys(admin, bucket)
    assert len(keys) == len(bundle.files())
    for key in keys:
        head = admin.head_object(Bucket=bucket, Key=key)
        assert head.get("ServerSideEncryption") == (None if sse == "none" else sse), key
        assert head.get("SSEKMSKeyId") == kms_key_id, key


def test_presigned_url_serves_the_exact_bytes(
    moto_endpoint: str, bucket: str, bundle: PublishedBundle
) -> None:
    publisher = S3Publisher(target(bucket, presign_seconds=600), s3_client(moto_endpoint))
    publisher.publish(bundle)
    key = publisher.object_key(bundle, "images/x.png")

    url = publisher.presigned_url(key)
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == (bundle.path / "images" / "x.png").read_bytes()
    assert "X-Amz-Expires=600&" in url
    assert "X-Amz-Expires=60&" in publisher.presigned_url(key, seconds=60)


def test_object_key_never_doubles_a_slash() -> None:
    assert object_key("", DECIDED_AT, "slug", "abc", "images/x.png") == (
        "2025-03-14/slug/abc/images/x.png"
    )
    assert object_key("/team/pressroom/", DECIDED_AT, "slug", "abc", "posts.md") == (
        "team/pressroom/2025-03-14/slug/abc/posts.md"
    )


# ---------------------------------------------------------------- idempotence and resumption


def test_publishing_again_sends_nothing(
    moto_endpoint: str, admin: Any, bucket: str, bundle: PublishedBundle
) -> None:
    first = S3Publisher(target(bucket), s3_client(moto_endpoint)).publish(bundle)
    versions = version_counts(admin, bucket)
    client = s3_client(moto_endpoint)
    calls = Calls(client)

    again = S3Publisher(target(bucket), client).publish(bundle)

    assert again.already_published and not first.already_published
    assert (again.uri, again.version) == (first.uri, first.version)
    assert [name for name, _ in calls.made] == ["HeadObject"]  # the manifest, nothing else
    assert version_counts(admin, bucket) == versions
    assert set(versions.values()) == {1}


def test_publish_cut_between_files_resumes_with_the_missing_ones(
    moto_endpoint: str, admin: Any, bucket: str, bundle: PublishedBundle
) -> None:
    files = bundle.files()
    cut_file = "images/linkedin.png"
    publisher = S3Publisher(target(bucket), s3_client(moto_endpoint))
    key_of = {path: publisher.object_key(bundle, path) for path in files}

    with CuttingProxy(port_of(moto_endpoint), cut_file.encode(), after_body_bytes=1000) as proxy:
        flaky = S3Publisher(target(bucket), s3_client(proxy.url, NO_RETRIES))
        with pytest.raises(PublishFailed, match="connection to the S3 endpoint .* broke") as e:
            flaky.publish(bundle)
    assert proxy.cut.is_set()
    assert "publishing again resumes" in str(e.value)
    sent_before_the_cut = files[: files.index(cut_file)]
    assert stored_keys(admin, bucket) == {key_of[path] for path in sent_before_the_cut}

    client = s3_client(moto_endpoint)
    calls = Calls(client)
    receipt = S3Publisher(target(bucket), client).publish(bundle)

    missing = files[files.index(cut_file) :]
    assert [params["Key"] for params in calls.of("PutObject")] == [key_of[p] for p in missing]
    assert not receipt.already_published
    assert version_counts(admin, bucket) == {key_of[path]: 1 for path in files}


def test_connection_dropped_mid_multipart_resumes_with_the_missing_parts(
    moto_endpoint: str, admin: Any, bucket: str, large_bundle: PublishedBundle
) -> None:
    config = target(bucket, **MULTIPART)
    publisher = S3Publisher(config, s3_client(moto_endpoint))
    key = publisher.object_key(large_bundle, LARGE_CARD)
    manifest_key = publisher.object_key(large_bundle, "manifest.json")
    local = (large_bundle.path / LARGE_CARD).read_bytes()
    assert 10 * MIB < len(local) <= 15 * MIB  # three parts of 5 MiB

    # The link drops 1 MiB into part 2, after part 1 went up whole.
    proxy = CuttingProxy(port_of(moto_endpoint), b"partNumber=2", after_body_bytes=MIB)
    with proxy, pytest.raises(PublishFailed, match="connection to the S3 endpoint .* broke"):
        S3Publisher(config, s3_client(proxy.url, NO_RETRIES)).publish(large_bundle)
    assert proxy.cut.is_set()
    assert manifest_key not in stored_keys(admin, bucket)
    [left_behind] = admin.list_multipart_uploads(Bucket=bucket)["Uploads"]
    upload_id = left_behind["UploadId"]
    parts = admin.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)["Parts"]
    assert [part["PartNumber"] for part in parts] == [1]

    client = s3_client(moto_endpoint)
    calls = Calls(client)
    receipt = S3Publisher(config, client).publish(large_bundle)

    assert [(p["UploadId"], p["PartNumber"]) for p in calls.of("UploadPart")] == [
        (upload_id, 2),
        (upload_id, 3),
    ]
    assert calls.of("CreateMultipartUpload") == []
    assert stored_bytes(admin, bucket, key) == local
    head = admin.head_object(Bucket=bucket, Key=key)
    assert head["Metadata"]["sha256"] == sha256(local)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "image/png"
    assert admin.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert set(version_counts(admin, bucket).values()) == {1}
    assert receipt.uri == f"s3://{bucket}/{manifest_key}"


def test_upload_in_progress_with_other_bytes_is_aborted_and_restarted(
    moto_endpoint: str, admin: Any, bucket: str, large_bundle: PublishedBundle
) -> None:
    config = target(bucket, **MULTIPART)
    key = S3Publisher(config, admin).object_key(large_bundle, LARGE_CARD)
    stale = admin.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    admin.upload_part(Bucket=bucket, Key=key, UploadId=stale, PartNumber=1, Body=bytes(5 * MIB))
    client = s3_client(moto_endpoint)
    calls = Calls(client)

    S3Publisher(config, client).publish(large_bundle)

    assert [params["UploadId"] for params in calls.of("AbortMultipartUpload")] == [stale]
    assert [params["PartNumber"] for params in calls.of("UploadPart")] == [1, 2, 3]
    assert stored_bytes(admin, bucket, key) == (large_bundle.path / LARGE_CARD).read_bytes()
    assert admin.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_object_whose_size_belies_its_metadata_is_sent_again(
    moto_endpoint: str, admin: Any, bucket: str, bundle: PublishedBundle
) -> None:
    publisher = S3Publisher(target(bucket), s3_client(moto_endpoint))
    key = publisher.object_key(bundle, "posts.md")
    local = (bundle.path / "posts.md").read_bytes()
    admin.put_object(Bucket=bucket, Key=key, Body=local[:100], Metadata={"sha256": sha256(local)})

    publisher.publish(bundle)

    assert stored_bytes(admin, bucket, key) == local
    assert version_counts(admin, bucket)[key] == 2


# ---------------------------------------------------------------- errors


def test_missing_bucket_is_named_and_nothing_is_sent(
    moto_endpoint: str, admin: Any, bundle: PublishedBundle
) -> None:
    missing = f"missing-{uuid.uuid4().hex[:12]}"
    client = s3_client(moto_endpoint)
    calls = Calls(client)

    with pytest.raises(PublishFailed) as failure:
        S3Publisher(target(missing), client).publish(bundle)

    message = str(failure.value)
    assert f"the bucket {missing} does not exist (endpoint {moto_endpoint})" in message
    assert "An error occurred" not in message  # botocore's own wording stays in the cause
    assert len(calls.of("PutObject")) == 1  # the first file failed; nothing else was tried
    assert missing not in {b["Name"] for b in admin.list_buckets()["Buckets"]}


@pytest.fixture
def read_only_client(moto_endpoint: str, bucket: str) -> Iterator[Any]:
    """Credentials of an IAM user who may read the bucket but not write to it, while moto
    enforces IAM (its /moto-api/reset-auth switch: 0 = from now on; inf = never)."""
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name=REGION)
    user = f"reader-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }
    iam.put_user_policy(UserName=user, PolicyName="read-only", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    client = s3_client(
        moto_endpoint,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    httpx.post(f"{moto_endpoint}/moto-api/reset-auth", content=b"0").raise_for_status()
    try:
        yield client
    finally:
        httpx.post(f"{moto_endpoint}/moto-api/reset-auth", content=b"inf").raise_for_status()


def test_access_denied_says_to_check_the_credentials(
    read_only_client: Any, bucket: str, bundle: PublishedBundle
) -> None:
    calls = Calls(read_only_client)

    with pytest.raises(PublishFailed, match=f"access denied to bucket {bucket}: check the cred"):
        S3Publisher(target(bucket), read_only_client).publish(bundle)

    assert [name for name, _ in calls.made] == ["HeadObject", "HeadObject", "PutObject"]
    assert stored_keys(read_only_client, bucket) == set()


def test_unreachable_endpoint_is_named(bundle: PublishedBundle, moto_endpoint: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"  # nothing listens there any more
    client = s3_client(endpoint, NO_RETRIES)

    with pytest.raises(PublishFailed, match=f"the S3 endpoint {endpoint} cannot be reached"):
        S3Publisher(target("pressroom-nowhere"), client).publish(bundle)


def test_bundle_changed_after_approval_is_refused_before_any_request(
    moto_endpoint: str, admin: Any, bucket: str, bundle: PublishedBundle, tmp_path: Path
) -> None:
    folder = tmp_path / bundle.path.name
    shutil.copytree(bundle.path, folder)
    with (folder / "posts.md").open("a", encoding="utf-8") as digest:
        digest.write("\nOne more line nobody reviewed.\n")
    client = s3_client(moto_endpoint)
    calls = Calls(client)

    with pytest.raises(PublishRefused, match="posts.md differs from its manifest entry"):
        S3Publisher(target(bucket), client).publish(PublishedBundle.load(folder))

    assert calls.made == []
    assert stored_keys(admin, bucket) == set()


# ---------------------------------------------------------------- audit log


def test_audit_log_is_uploaded_once_per_content(
    moto_endpoint: str, admin: Any, bucket: str, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_text('{"seq": 1, "event": "approved"}\n', encoding="utf-8")
    publisher = S3Publisher(target(bucket), s3_client(moto_endpoint))

    key = publisher.upload_audit_log(log)
    assert key == "pressroom/audit/audit.jsonl"
    assert publisher.upload_audit_log(log) == key
    assert version_counts(admin, bucket) == {key: 1}
    head = admin.head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "application/x-ndjson"
    assert head["ServerSideEncryption"] == "AES256"

    with log.open("a", encoding="utf-8") as handle:
        handle.write('{"seq": 2, "event": "published"}\n')
    publisher.upload_audit_log(log)
    assert version_counts(admin, bucket) == {key: 2}
    assert stored_bytes(admin, bucket, key) == log.read_bytes()
    unprefixed = S3Publisher(target(bucket, prefix=""), s3_client(moto_endpoint))
    assert unprefixed.upload_audit_log(log) == "audit/audit.jsonl"
