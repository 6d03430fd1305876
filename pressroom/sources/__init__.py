"""Getting a source article: fetch a URL safely, then extract its text and metadata."""

from __future__ import annotations

from collections.abc import Sequence

from pressroom.models import Source
from pressroom.sources.extract import extract_source
from pressroom.sources.fetch import fetch_page, fetch_policy

__all__ = ["extract_source", "fetch_page", "fetch_policy", "load_source"]


def load_source(
    url: str, *, allow_hosts: Sequence[str] | None = None, min_words: int = 80
) -> Source:
    """Fetch ``url`` and extract its article (see ``fetch_page`` and ``extract_source``)."""
    return extract_source(fetch_page(url, allow_hosts=allow_hosts), min_words=min_words)
