"""Pending reviews: remind (a Slack-compatible webhook) about runs that wait too long at a gate,
once per run and gate, again only after `renotify_minutes`. Scheduled hourly.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger

from pressroom.notifications import is_due, is_overdue, load_notifications
from tasks.notify import (
    Reminded,
    forget_answered,
    last_reminders,
    reminder_key,
    send_reminder,
    waiting_reviews,
)


@flow(name="pending-reviews")
def pending_reviews() -> list[str]:
    """Remind about every overdue gate not reminded lately; returns them as `run: gate`."""
    settings = load_notifications()
    webhook = settings.webhook
    now = datetime.now(UTC)
    waiting = waiting_reviews()
    overdue = [w for w in waiting if is_overdue(w, now, settings.after_minutes)]
    reminded = last_reminders(overdue)
    due = [
        review
        for review in overdue
        if is_due(_last_at(reminded.get(reminder_key(review))), now, settings.renotify_minutes)
    ]
    logger = get_run_logger()
    if due and not (webhook.url or webhook.url_env):
        logger.warning("%d review(s) wait too long; no webhook is configured", len(due))
        return []
    for review in due:
        send_reminder(webhook, review, _next_count(reminded.get(reminder_key(review))), now)
    forget_answered(waiting)
    logger.info("%d waiting, %d overdue, %d reminded", len(waiting), len(overdue), len(due))
    return [f"{review.run_name}: {review.gate}" for review in due]


def _last_at(last: Reminded | None) -> datetime | None:
    return last.at if last else None


def _next_count(last: Reminded | None) -> int:
    return (last.count if last else 0) + 1
