"""The webhook publisher: POSTs an approved bundle, as signed JSON, to a scheduler's endpoint.

The request
    ``POST <url>`` with a JSON body (UTF-8, sorted keys, the same bytes for the same bundle):
    event ``bundle.published``, the content hash, slug, approval, every post of posts.json
    (image as a URL when the caller passes ``asset_urls``, else as the bundle-relative path),
    the AI-disclosure flags and the sha256 of the bundle's manifest.json.

Signature (receivers: check it before trusting a byte)
    ``X-Pressroom-Timestamp: <unix seconds>``
    ``X-Pressroom-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``
    The signed message is the timestamp's ASCII digits, a ``.``, then the raw body bytes. Compare
    in constant time and refuse timestamps more than 5 minutes from your clock (replays):
    `verify_signature` does both. Each attempt is signed afresh with its own timestamp.

Idempotency
    ``Idempotency-Key: pressroom-<content_sha256>-<target name>``, the same on every attempt and
    every later publish of the same content. Receivers should store the key with their first
    response and answer a repeat with that response (2xx) without acting twice, adding
    ``Idempotent-Replayed: true``; the receipt then says ``already_published``.

Answers
    2xx: published; the receipt's version is the ``X-Request-Id`` (else ``ETag``) header.
    429, 5xx, timeouts, connection errors: retried up to ``max_attempts`` attempts, after
    exponential backoff with jitter (0.5 s doubling, at most 8 s) or the ``Retry-After`` the
    receiver sent (seconds or HTTP date, at most 30 s). ``timeout_seconds`` bounds each phase of
    an attempt (connecting, sending, each wait for bytes of the answer), as httpx applies it.
    409: retried like 429. Following the IETF Idempotency-Key draft, 409 means "a request with
    this key is still being processed" (our own earlier attempt, after a timeout), not "done":
    the retry gets the stored 2xx once it finishes. It is never taken as success by itself.
    Any other answer (4xx, 3xx: redirects are not followed): PublishFailed at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from pressroom.errors import ConfigError, PublishFailed
from pressroom.models import PublishReceipt, sha256_hex
from pressroom.publishing.targets import PublishedBundle, WebhookTarget, verify_published_bundle
from pressroom.retry import backoff_seconds, is_number, retry_after_seconds

USER_AGENT = "Pressroom/0.1"
RETRIED_STATUSES = frozenset({409, 429})
AI_DISCLOSURE = {
    "ai_generated": True,
    "label_in_text": True,
    "platform_flags": {
        "tiktok_is_aigc": True,
        "instagram_is_ai_generated": True,
        "youtube_contains_synthetic_media": True,
    },
}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Pressroom-Signature value for this timestamp and body."""
    message = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, header: str, tolerance_seconds: float = 300
) -> bool:
    """A receiver's check: the signature matches and the timestamp is recent (either way)."""
    if not is_number(timestamp) or abs(time.time() - int(timestamp)) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), header.encode())


def idempotency_key(bundle: PublishedBundle, config: WebhookTarget) -> str:
    return f"pressroom-{bundle.content_sha256}-{config.name}"


def webhook_payload(bundle: PublishedBundle, asset_urls: dict[str, str] | None = None) -> bytes:
    """The request body: deterministic bytes for the same bundle and asset URLs."""
    posts = json.loads((bundle.path / "posts.json").read_bytes())["posts"]
    approval = bundle.approval
    payload = {
        "event": "bundle.published",
        "content_sha256": bundle.content_sha256,
        "slug": bundle.slug,
        "approval": {
            "reviewer": approval.reviewer,
            "decided_at": approval.decided_at.isoformat(),
            "run_id": approval.run_id,
            "gate": approval.gate,
        },
        "posts": [_post(post, asset_urls or {}) for post in posts],
        "ai_disclosure": AI_DISCLOSURE,
        "manifest_sha256": sha256_hex((bundle.path / "manifest.json").read_bytes()),
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _post(post: dict[str, Any], asset_urls: dict[str, str]) -> dict[str, Any]:
    image = post["image"]
    return {
        "channel": post["channel"],
        "language": post["language"],
        "text": post["text"],
        "hashtags": post["hashtags"],
        "link": post["link"],
        "disclosure": post["disclosure"],
        "image": asset_urls.get(image, image) if image else None,
        "image_alt_text": post["image_alt_text"],
        "platform_flags": post.get("platform_flags") or {},
        "publish_at": post.get("publish_at"),
    }


class WebhookPublisher:
    """Publishes to one webhook target. The caller resolves the signing secret (environment
    variable or Prefect Secret block); it is never logged, sent or put in an error."""

    def __init__(
        self,
        config: WebhookTarget,
        secret: str,
        *,
        asset_urls: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not secret:
            raise ConfigError(f"the webhook {config.name} has no signing secret")
        self.name = f"webhook:{config.name}"
        self._config = config
        self._secret = secret
        self._asset_urls = asset_urls
        self._sleep = sleep

    def publish(self, bundle: PublishedBundle) -> PublishReceipt:
        verify_published_bundle(bundle)
        body = webhook_payload(bundle, self._asset_urls)
        response = self._deliver(body, idempotency_key(bundle, self._config))
        return PublishReceipt(
            target=self.name,
            uri=_without_credentials(self._config.url),
            content_sha256=bundle.content_sha256,
            approval_reviewer=bundle.approval.reviewer,
            approval_decided_at=bundle.approval.decided_at,
            version=response.headers.get("X-Request-Id") or response.headers.get("ETag"),
            already_published=response.headers.get("Idempotent-Replayed", "").lower() == "true",
        )

    def _deliver(self, body: bytes, key: str) -> httpx.Response:
        """POST until a 2xx, a refusal, or the attempt budget is spent."""
        attempts = self._config.max_attempts
        last_failure = ""
        with httpx.Client(timeout=self._config.timeout_seconds) as client:
            for attempt in range(1, attempts + 1):
                outcome = self._attempt(client, body, key, attempt)
                if isinstance(outcome, httpx.Response):
                    return outcome
                last_failure = outcome.reason
                if attempt < attempts:
                    self._sleep(outcome.wait)
        raise PublishFailed(
            f"the webhook {self._config.name} did not take the bundle after {attempts} "
            f"attempt(s); the last one failed with {last_failure}. Publishing again is safe "
            "(same Idempotency-Key)."
        )

    def _attempt(
        self, client: httpx.Client, body: bytes, key: str, attempt: int
    ) -> httpx.Response | _Retry:
        """One POST: the 2xx response, a retry to wait for, or PublishFailed (a refusal)."""
        try:
            response = client.post(self._config.url, content=body, headers=self._headers(body, key))
        except httpx.TimeoutException:
            reason = f"no answer within {self._config.timeout_seconds:g} s"
            return _Retry(reason, backoff_seconds(attempt))
        except httpx.TransportError as error:
            return _Retry(f"{type(error).__name__}: {error}", backoff_seconds(attempt))
        if response.is_success:
            return response
        if not _retried(response.status_code):
            raise PublishFailed(self._refusal(response))
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        wait = backoff_seconds(attempt) if retry_after is None else retry_after
        return _Retry(_status_line(response), wait)

    def _headers(self, body: bytes, key: str) -> dict[str, str]:
        timestamp = str(int(time.time()))
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": key,
            "X-Pressroom-Timestamp": timestamp,
            "X-Pressroom-Signature": sign(self._secret, timestamp, body),
        }

    def _refusal(self, response: httpx.Response) -> str:
        return (
            f"the webhook {self._config.name} refused the bundle: {_status_line(response)}: "
            f"{response.text[:200]!r}"
        )


@dataclass(frozen=True)
class _Retry:
    reason: str
    wait: float


def _retried(status: int) -> bool:
    return status >= 500 or status in RETRIED_STATUSES


def _status_line(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".rstrip()


def _without_credentials(url: str) -> str:
    """The URL as it may be recorded: no user-info, no query (either may carry a token)."""
    parts = urlsplit(url)
    host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
