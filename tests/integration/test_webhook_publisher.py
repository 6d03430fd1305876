"""The webhook publisher against a loopback receiver that checks signatures and dedupes by
Idempotency-Key, scripted per test to fail, throttle, refuse or hang."""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from pressroom.errors import ConfigError, PublishFailed, PublishRefused
from pressroom.models import sha256_hex
from pressroom.publishing.targets import PublishedBundle, WebhookTarget
from pressroom.publishing.webhook import (
    WebhookPublisher,
    retry_after_seconds,
    sign,
    verify_signature,
    webhook_payload,
)
from tests.integration.bundles import publish_sample, sample_article
from tests.integration.servers import SECRET, Answer, Receiver

pytestmark = pytest.mark.integration

DECIDED_AT = datetime(2025, 3, 14, 16, 45, tzinfo=UTC)
HANG_SECONDS = 5.0  # longer than any timeout below; cut short when the receiver stops


# ---------------------------------------------------------------- the receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


# ---------------------------------------------------------------- a real bundle of record


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> PublishedBundle:
    """The English sample article through writer, cards, staging, compliance and approval."""
    article = sample_article("https://news.example.org/2025/seagrass")
    return publish_sample(article, tmp_path_factory.mktemp("bundle"), decided_at=DECIDED_AT)


def target(url: str, **changes: object) -> WebhookTarget:
    fields: dict[str, object] = {
        "type": "webhook",
        "name": "scheduler",
        "url": url,
        "timeout_seconds": 2,
        "max_attempts": 4,
    }
    return WebhookTarget.model_validate(fields | changes)


class Sleeps(list[float]):
    """The injected sleep: records each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def publisher(url: str, sleeps: Sleeps | None = None, **changes: object) -> WebhookPublisher:
    return WebhookPublisher(
        target(url, **changes), SECRET, sleep=Sleeps() if sleeps is None else sleeps
    )


# ---------------------------------------------------------------- success


def test_publish_sends_the_signed_documented_payload(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    receipt = publisher(receiver.url).publish(bundle)

    assert receipt.target == "webhook:scheduler"
    assert receipt.uri == receiver.url
    assert receipt.content_sha256 == bundle.content_sha256
    assert receipt.approval_reviewer == "Claire Vasseur"
    assert receipt.approval_decided_at == DECIDED_AT
    assert receipt.version == "req-1"
    assert receipt.already_published is False

    [request] = receiver.requests
    assert request.signature_ok
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Pressroom/0.1"
    assert request.headers["Idempotency-Key"] == f"pressroom-{bundle.content_sha256}-scheduler"

    payload = json.loads(request.body)
    posts_json = json.loads((bundle.path / "posts.json").read_bytes())["posts"]
    assert set(payload) == {
        "event",
        "content_sha256",
        "slug",
        "approval",
        "posts",
        "ai_disclosure",
        "manifest_sha256",
    }
    assert payload["event"] == "bundle.published"
    assert payload["content_sha256"] == bundle.content_sha256
    assert payload["slug"] == bundle.slug
    assert payload["approval"] == {
        "reviewer": "Claire Vasseur",
        "decided_at": "2025-03-14T16:45:00+00:00",
        "run_id": "run-1",
        "gate": "social-round-0",
    }
    assert payload["posts"] == posts_json  # every field, verbatim, images as relative paths
    assert [p["image"] for p in payload["posts"]] == [
        f"images/{p['channel']}.png" for p in posts_json
    ]
    assert payload["ai_disclosure"] == {
        "ai_generated": True,
        "label_in_text": True,
        "platform_flags": {
            "tiktok_is_aigc": True,
            "instagram_is_ai_generated": True,
            "youtube_contains_synthetic_media": True,
        },
    }
    assert payload["manifest_sha256"] == sha256_hex((bundle.path / "manifest.json").read_bytes())
    assert request.body == webhook_payload(bundle)  # deterministic bytes


def test_images_are_sent_as_the_given_asset_urls(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    urls = {
        f"images/{channel}.png": f"https://cdn.example.org/{channel}.png?sig=abc"
        for channel in ["linkedin", "x", "instagram", "facebook", "tiktok"]
    }
    WebhookPublisher(target(receiver.url), SECRET, asset_urls=urls).publish(bundle)

    posts = json.loads(receiver.requests[0].body)["posts"]
    assert {p["channel"]: p["image"] for p in posts} == {
        Path(path).stem: url for path, url in urls.items()
    }


def test_publishing_again_is_recognised_as_already_published(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    first = publisher(receiver.url).publish(bundle)
    second = publisher(receiver.url).publish(bundle)

    assert (first.already_published, second.already_published) == (False, True)
    assert second.version == first.version == "req-1"
    assert receiver.requests[0].body == receiver.requests[1].body
    assert len(receiver.delivered) == 1  # the receiver acted once


# ---------------------------------------------------------------- retries


def test_server_errors_are_retried_with_growing_backoff_and_the_same_key(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    receiver.script = [Answer(503), Answer(503)]
    sleeps = Sleeps()

    receipt = publisher(receiver.url, sleeps).publish(bundle)

    assert receipt.version == "req-3"
    assert len(receiver.requests) == 3
    assert all(r.signature_ok for r in receiver.requests)
    assert len({r.headers["Idempotency-Key"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 <= sleeps[1] <= 1.0  # 0.5 s doubling, half of it jitter


def test_backoff_stops_growing_at_eight_seconds(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    receiver.script = [Answer(500)] * 7
    sleeps = Sleeps()

    publisher(receiver.url, sleeps, max_attempts=8).publish(bundle)

    assert all(4.0 <= s <= 8.0 for s in sleeps[4:]), sleeps
    assert sleeps == sorted(sleeps[:4]) + sleeps[4:]


def test_too_many_requests_honours_retry_after(receiver: Receiver, bundle: PublishedBundle) -> None:
    receiver.script = [Answer(429, {"Retry-After": "7"}), Answer(503, {"Retry-After": "120"})]
    sleeps = Sleeps()

    receipt = publisher(receiver.url, sleeps).publish(bundle)

    assert receipt.version == "req-3"
    assert sleeps == [7.0, 30.0]  # the second one capped


def test_retry_after_as_an_http_date() -> None:
    in_twenty_seconds = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    seconds = retry_after_seconds(in_twenty_seconds)
    assert seconds is not None and 15 < seconds <= 20
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # already past
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_conflict_means_in_progress_and_is_retried(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    receiver.script = [Answer(409, {"Retry-After": "1"})]
    sleeps = Sleeps()

    receipt = publisher(receiver.url, sleeps).publish(bundle)

    assert (receipt.version, receipt.already_published) == ("req-2", False)
    assert sleeps == [1.0]


def test_a_refusal_fails_at_once_with_status_and_body(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    reason = "channel tiktok is not connected. " * 20
    receiver.script = [Answer(422, body=reason.encode())]
    sleeps = Sleeps()

    with pytest.raises(PublishFailed) as failure:
        publisher(receiver.url, sleeps).publish(bundle)

    message = str(failure.value)
    assert message.startswith(
        "the webhook scheduler refused the bundle: HTTP 422 Unprocessable Entity: "
        "'channel tiktok is not connected."
    )
    assert reason[:200] in message and reason[:201] not in message
    assert len(receiver.requests) == 1
    assert sleeps == []
    assert SECRET not in message


def test_a_receiver_that_keeps_failing_exhausts_the_attempts(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    receiver.script = [Answer(502)] * 10
    sleeps = Sleeps()

    with pytest.raises(PublishFailed, match=r"after 3 attempt\(s\).*HTTP 502 Bad Gateway"):
        publisher(receiver.url, sleeps, max_attempts=3).publish(bundle)

    assert len(receiver.requests) == 3
    assert len(sleeps) == 2  # none after the last attempt


def test_a_hanging_receiver_times_out_and_the_retry_succeeds(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    receiver.script = [Answer(delay=HANG_SECONDS)]

    receipt = publisher(receiver.url, timeout_seconds=0.3).publish(bundle)

    assert receipt.version == "req-2"
    assert len({r.headers["Idempotency-Key"] for r in receiver.requests}) == 1


def test_a_receiver_that_always_hangs_fails_after_the_attempts(
    receiver: Receiver, bundle: PublishedBundle
) -> None:
    receiver.script = [Answer(delay=HANG_SECONDS)] * 2

    with pytest.raises(PublishFailed, match=r"after 2 attempt\(s\).*no answer within 0.3 s"):
        publisher(receiver.url, timeout_seconds=0.3, max_attempts=2).publish(bundle)

    assert len(receiver.requests) == 2
    assert receiver.delivered == {}


def test_connection_errors_are_retried(bundle: PublishedBundle) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()

    with pytest.raises(PublishFailed, match=r"after 2 attempt\(s\).*ConnectError"):
        publisher(f"http://127.0.0.1:{port}/hook", sleeps, max_attempts=2).publish(bundle)

    assert len(sleeps) == 1


# ---------------------------------------------------------------- refusals before sending


def test_a_tampered_bundle_is_refused_and_nothing_is_sent(
    receiver: Receiver, bundle: PublishedBundle, tmp_path: Path
) -> None:
    copy = tmp_path / bundle.path.name
    shutil.copytree(bundle.path, copy)
    posts = copy / "posts.json"
    posts.write_bytes(posts.read_bytes() + b"\n")

    with pytest.raises(PublishRefused, match="posts.json differs from its manifest entry"):
        publisher(receiver.url).publish(PublishedBundle.load(copy))

    assert receiver.requests == []


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="scheduler has no signing secret"):
        WebhookPublisher(target("http://127.0.0.1:9/hook"), "")


# ---------------------------------------------------------------- signatures


def test_verify_signature_accepts_the_genuine_request_only() -> None:
    body = b'{"event":"bundle.published"}'
    now = str(int(time.time()))
    header = sign(SECRET, now, body)

    assert verify_signature(SECRET, now, body, header)
    assert not verify_signature(SECRET, now, body.replace(b"published", b"publishe!"), header)
    assert not verify_signature("another-secret", now, body, header)
    assert not verify_signature(SECRET, now, body, header.replace("sha256=", "sha1="))


def test_verify_signature_rejects_old_and_future_timestamps() -> None:
    body = b"{}"
    old = str(int(time.time()) - 3600)
    future = str(int(time.time()) + 3600)

    assert not verify_signature(SECRET, old, body, sign(SECRET, old, body))
    assert not verify_signature(SECRET, future, body, sign(SECRET, future, body))
    assert verify_signature(SECRET, old, body, sign(SECRET, old, body), tolerance_seconds=7200)
    assert not verify_signature(SECRET, "12a", body, sign(SECRET, "12", body))


def test_the_receipt_never_records_credentials_from_the_url() -> None:
    from pressroom.publishing.webhook import _without_credentials

    assert (
        _without_credentials("https://user:pw@hooks.example.org:8443/in?token=abc#x")
        == "https://hooks.example.org:8443/in"
    )
