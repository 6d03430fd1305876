"""Getting a source article: fetch a URL safely, then extract its text and metadata."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pressroom.errors import SourceError
from pressroom.models import FetchedPage, Source
from pressroom.sources.extract import extract_source
from pressroom.sources.fetch import fetch_page, fetch_policy

__all__ = [
    "extract_source",
    "fetch_page",
    "fetch_policy",
    "load_source",
    "local_page",
    "read_article",
]

LOCAL_MEDIA_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}


def load_source(
    url: str, *, allow_hosts: Sequence[str] | None = None, min_words: int = 80
) -> Source:
    """Fetch ``url`` and extract its article (see ``fetch_page`` and ``extract_source``)."""
    return extract_source(fetch_page(url, allow_hosts=allow_hosts), min_words=min_words)


def local_page(path: Path) -> FetchedPage:
    """A local .html, .htm or .txt file as if it had been fetched."""
    media_type = LOCAL_MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise SourceError(f"{path}: only .html, .htm and .txt files can be read")
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    uri = path.resolve().as_uri()
    return FetchedPage(
        url=uri, final_url=uri, status=200, content_type=media_type, body=path.read_bytes()
    )


def read_article(url_or_file: str, *, min_words: int, max_bytes: int) -> Source:
    """A local .html/.txt file, or a URL through the safe fetcher."""
    path = Path(url_or_file)
    if path.is_file():
        page = local_page(path)
    elif "://" in url_or_file:
        page = fetch_page(url_or_file, max_bytes=max_bytes)
    else:
        raise SourceError(f"{url_or_file}: no such file, and not an http(s) URL")
    return extract_source(page, min_words=min_words)
