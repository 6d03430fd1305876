"""Calling a paid provider: bounded retries on what may pass, a clear error on what will not.

Each provider module classifies its SDK's exceptions into a `Failure`: transient failures
(429, 5xx, timeouts, dropped connections) are retried with backoff and jitter, honouring
Retry-After; anything else (400, 401, 403...) fails at once with a message a user can act on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from pressroom.errors import PressroomError
from pressroom.retry import backoff_seconds

T = TypeVar("T")


class ProviderError(PressroomError):
    """A provider could not do the step; the message says why and what to do."""


@dataclass(frozen=True)
class Failure:
    transient: bool
    message: str
    retry_after: float | None = None


def call_with_retries(
    call: Callable[[], T],
    *,
    provider: str,
    max_attempts: int,
    classify: Callable[[Exception], Failure | None],
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, int]:
    """``call()`` and the number of attempts it took. `classify` returns None for exceptions
    that are not the provider's (bugs), which propagate untouched."""
    for attempt in range(1, max_attempts + 1):
        try:
            return call(), attempt
        except Exception as error:
            failure = classify(error)
            if failure is None:
                raise
            if not failure.transient or attempt == max_attempts:
                tries = f" (after {attempt} attempts)" if attempt > 1 else ""
                raise ProviderError(f"{provider}: {failure.message}{tries}") from error
            wait = failure.retry_after if failure.retry_after is not None else None
            sleep(wait if wait is not None else backoff_seconds(attempt))
    raise AssertionError("unreachable: max_attempts >= 1")
