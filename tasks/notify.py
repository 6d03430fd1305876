"""Review reminders: who waits too long, whether they were reminded lately, and the POST.

When each gate was last reminded is kept on the Prefect server (one Variable per run and gate,
`pressroom-review-reminder-<run>-<gate>`), so reminders survive the process and any worker
sees them; variables of gates nobody waits at any more are removed.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime

import httpx
from prefect import get_run_logger, task
from prefect.client.orchestration import get_client
from prefect.variables import Variable
from pydantic import BaseModel

from pressroom.errors import ConfigError, PressroomError
from pressroom.notifications import ReminderWebhook, Waiting, reminder_payload
from pressroom.publishing.webhook import USER_AGENT, sign
from pressroom.settings import WebhookTarget
from tasks.publish import _secret
from tasks.review import PendingReview, list_pending_reviews

VARIABLE_PREFIX = "pressroom-review-reminder-"


class Reminded(BaseModel):
    at: datetime
    count: int


def reminder_variable(run_id: str, gate: str) -> str:
    return f"{VARIABLE_PREFIX}{run_id}-{re.sub(r'[^a-z0-9_-]+', '-', gate.lower())}"


@task
def waiting_reviews() -> list[PendingReview]:
    return list_pending_reviews()


def reminder_key(waiting: Waiting) -> str:
    return f"{waiting.run_id} {waiting.gate}"


@task
def last_reminders(waiting: list[PendingReview]) -> dict[str, Reminded]:
    """`reminder_key` → the last reminder about that gate, for the gates given."""
    found: dict[str, Reminded] = {}
    for review in waiting:
        value = Variable.get(reminder_variable(review.run_id, review.gate))
        if isinstance(value, dict):
            found[reminder_key(review)] = Reminded.model_validate(value)
    return found


def webhook_url(webhook: ReminderWebhook) -> str:
    url = os.environ.get(webhook.url_env, "") if webhook.url_env else webhook.url
    if not url:
        raise ConfigError(
            f"pending_reviews.webhook: {webhook.url_env} is not set"
            if webhook.url_env
            else "pending_reviews.webhook: no url"
        )
    return url


def _headers(webhook: ReminderWebhook, url: str, body: bytes, key: str) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Idempotency-Key": key}
    if webhook.secret_env or webhook.secret_block:
        target = WebhookTarget(
            type="webhook",
            name="review-reminders",
            url=url,
            secret_env=webhook.secret_env,
            secret_block=webhook.secret_block,
        )
        timestamp = str(int(datetime.now().timestamp()))
        headers["X-Pressroom-Timestamp"] = timestamp
        headers["X-Pressroom-Signature"] = sign(_secret(target), timestamp, body)
    return headers


@task(retries=2, retry_delay_seconds=5)
def send_reminder(
    webhook: ReminderWebhook, review: PendingReview, count: int, now: datetime
) -> None:
    """POST one reminder, then record it. The Idempotency-Key is the same for the same gate and
    reminder number: a receiver that keeps keys drops a repeat after a crash between the two.
    The URL is read here, never passed in: a Slack URL is a secret, and task inputs are shown."""
    url = webhook_url(webhook)
    body = json.dumps(reminder_payload(review, now), ensure_ascii=False).encode()
    key = f"{reminder_variable(review.run_id, review.gate)}-{count}"
    try:
        response = httpx.post(
            url,
            content=body,
            headers=_headers(webhook, url, body, key),
            timeout=webhook.timeout_seconds,
        )
    except httpx.HTTPError as error:
        raise PressroomError(
            f"the review reminder webhook failed: {type(error).__name__}"
        ) from None
    if not response.is_success:
        raise PressroomError(
            f"the review reminder webhook answered HTTP {response.status_code}: "
            f"{response.text[:200]!r}"
        )
    Variable.set(
        reminder_variable(review.run_id, review.gate),
        Reminded(at=now, count=count).model_dump(mode="json"),
        overwrite=True,
    )
    get_run_logger().info("Reminded about %s at gate %s", review.run_name, review.gate)


@task
def forget_answered(waiting: list[PendingReview]) -> int:
    """Remove the reminder records of gates nobody waits at any more; how many went."""
    current = {reminder_variable(review.run_id, review.gate) for review in waiting}
    with get_client(sync_client=True) as client:
        stale = [
            v.name
            for v in client.read_variables()
            if v.name.startswith(VARIABLE_PREFIX) and v.name not in current
        ]
        for name in stale:
            client.delete_variable_by_name(name)
    return len(stale)
