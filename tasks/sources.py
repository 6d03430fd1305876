"""Fetching (network I/O, retried) and extraction (parsing, pure) are separate tasks."""

from __future__ import annotations

from prefect import task
from prefect.tasks import exponential_backoff

from pressroom.errors import FetchFailed
from pressroom.models import FetchedPage, Source
from pressroom.sources import extract_source, fetch_page


def _retry_only_transient(task, task_run, state) -> bool:  # type: ignore[no-untyped-def]
    """Retry connection problems and 5xx answers; a refused URL or a 404 will not improve."""
    try:
        state.result()
    except FetchFailed as failure:
        return failure.transient
    except Exception:
        return False
    return False


@task(
    retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=_retry_only_transient,
    persist_result=True,
)
def fetch_source(url: str, max_bytes: int) -> FetchedPage:
    return fetch_page(url, max_bytes=max_bytes)


@task(persist_result=True)
def extract_article(page: FetchedPage, min_words: int) -> Source:
    return extract_source(page, min_words=min_words)
