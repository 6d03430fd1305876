"""Waiting between attempts at a remote service: backoff with jitter and Retry-After."""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime

BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
RETRY_AFTER_CAP_SECONDS = 30.0


def is_number(text: str) -> bool:
    """Plain ASCII digits: a unix timestamp or a Retry-After delay."""
    return text.isascii() and text.isdigit()


def backoff_seconds(attempt: int) -> float:
    """The wait after failed attempt 1, 2, 3...: half fixed, half random ("equal jitter"), so
    waits grow with each attempt while concurrent publishers spread out."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (delay in seconds or an HTTP date) as seconds, capped at 30."""
    value = (value or "").strip()
    if is_number(value):
        seconds = float(value)
    else:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_SECONDS)
