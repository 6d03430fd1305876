"""Reminders for reviews that wait too long (`configs/notifications.yaml`): who to tell, when, and
the Slack-compatible message (`{"text": ..., "blocks": [...]}`) that tells them.

A Prefect pause timeout cannot be caught by the paused run, so the reminder must come first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pressroom.settings import default_config_dir, load_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReminderWebhook(_Strict):
    url: str | None = Field(default=None, pattern=r"^https?://")
    url_env: str | None = Field(
        default=None, description="Environment variable holding the URL (Slack's carries a token)"
    )
    secret_env: str | None = Field(
        default=None, description="Environment variable holding an HMAC secret to sign with"
    )
    secret_block: str | None = Field(default=None, description="Or a Prefect Secret block")
    timeout_seconds: float = Field(default=10, gt=0)

    @model_validator(mode="after")
    def _one_url(self) -> ReminderWebhook:
        if self.url and self.url_env:
            raise ValueError("give url or url_env, not both")
        return self


class PendingReviewSettings(_Strict):
    after_minutes: float = Field(default=240, ge=0, description="Remind once a review waits this")
    renotify_minutes: float = Field(
        default=1440, gt=0, description="Remind again about the same gate after this long"
    )
    webhook: ReminderWebhook = ReminderWebhook()


class NotificationsFile(_Strict):
    pending_reviews: PendingReviewSettings = PendingReviewSettings()


def load_notifications(config_dir: Path | None = None) -> PendingReviewSettings:
    path = (config_dir or default_config_dir()) / "notifications.yaml"
    if not path.exists():
        return PendingReviewSettings()
    return load_model(path, NotificationsFile).pending_reviews


class Waiting(Protocol):
    """One run waiting at one gate (as `tasks.review.PendingReview` describes it)."""

    @property
    def run_id(self) -> str: ...
    @property
    def run_name(self) -> str: ...
    @property
    def flow_name(self) -> str: ...
    @property
    def gate(self) -> str: ...
    @property
    def waiting_since(self) -> datetime | None: ...
    @property
    def timeout_at(self) -> datetime | None: ...
    @property
    def ui_url(self) -> str | None: ...


def is_overdue(waiting: Waiting, now: datetime, after_minutes: float) -> bool:
    since = waiting.waiting_since
    return since is not None and now - since >= timedelta(minutes=after_minutes)


def is_due(last_notified: datetime | None, now: datetime, renotify_minutes: float) -> bool:
    return last_notified is None or now - last_notified >= timedelta(minutes=renotify_minutes)


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def reminder_payload(waiting: Waiting, now: datetime) -> dict[str, Any]:
    """A Slack-compatible message: `text` for notifications, `blocks` for the channel."""
    waited = _hours(now - waiting.waiting_since) if waiting.waiting_since else "a while"
    name = f"<{waiting.ui_url}|{waiting.run_name}>" if waiting.ui_url else waiting.run_name
    deadline = (
        f" It times out in {_hours(waiting.timeout_at - now)}; then nothing is published."
        if waiting.timeout_at and waiting.timeout_at > now
        else ""
    )
    text = (
        f"Review waiting for {waited}: {waiting.run_name} ({waiting.flow_name}), "
        f"gate {waiting.gate}.{deadline}"
    )
    return {
        "text": text,
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*A review has waited {waited}*: {name} ({waiting.flow_name}), "
                    f"gate `{waiting.gate}`.{deadline}",
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"Open it in the Prefect UI and click Resume, or: `pressroom "
                        f"review show {waiting.run_id}`",
                    }
                ],
            },
        ],
    }
