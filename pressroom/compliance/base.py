"""What every compliance rule works on, and the shape of a rule."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pressroom.models import Finding
from pressroom.settings import BrandConfig, ChannelConfig

EVIDENCE_CONTEXT = 40


@dataclass(frozen=True)
class PostContent:
    """One post as it will be published: read back from the bundle's bytes."""

    channel: str
    text: str
    disclosure: str
    image_alt_text: str | None
    platform_flags: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class BundleContent:
    content_sha256: str
    posts: list[PostContent]
    digest_markdown: str
    source_text: str
    language: str = "en"
    source_url: str = ""
    protected_text: str | None = None  # see RuleContext


@dataclass(frozen=True)
class RuleContext:
    brand: BrandConfig
    channels: dict[str, ChannelConfig]
    source_text: str
    language: str = "en"
    source_url: str = ""  # the article's URL: links to its site are the post's own (rule I3)
    #: The part of source_text somebody else wrote (None: all of it). Copying is checked
    #: against it only: reusing the user's own notes word for word is no infringement.
    protected_text: str | None = None

    @property
    def copyright_text(self) -> str:
        return self.source_text if self.protected_text is None else self.protected_text


PostRule = Callable[[PostContent, ChannelConfig, RuleContext], Iterator[Finding]]


def excerpt(text: str, start: int, end: int) -> str:
    """The offending span in brackets, with some context either side, on one line."""
    before = text[max(0, start - EVIDENCE_CONTEXT) : start]
    after = text[end : end + EVIDENCE_CONTEXT]
    return f"…{before}[{text[start:end]}]{after}…".replace("\n", " ")
