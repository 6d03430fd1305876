"""The data that flows through Pressroom, as pydantic models (DESIGN.md: "The data that flows")."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def utc_now() -> datetime:
    return datetime.now(UTC)


class FetchedPage(BaseModel):
    """Raw bytes of a fetched page: network I/O ends here, parsing starts from here."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime = Field(default_factory=utc_now)


class RemovedText(BaseModel):
    """Text taken out of a source before anything read it (rule I1), kept for the reviewer."""

    kind: Literal["hidden element", "invisible characters"]
    where: str = Field(description="The element (`<div style=display:none>`) or the field")
    text: str = Field(default="", description="What it said, cut to a few hundred characters")
    count: int = 1


class Source(BaseModel):
    url: str
    title: str
    text: str
    language: str
    sha256: str
    fetched_at: datetime
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    description: str | None = None
    removed: list[RemovedText] = Field(default_factory=list)
    third_party_text: str | None = Field(
        default=None,
        description="The part of `text` somebody else wrote, None when all of it is: the user's "
        "own notes are nobody's protected work, so the copying rules (C1, C2) skip them",
    )

    @property
    def protected_text(self) -> str:
        """What the copying rules compare with: the source's text but the user's own words."""
        return self.text if self.third_party_text is None else self.third_party_text

    @property
    def public_url(self) -> str | None:
        """The address a reader can follow: None for a local file or the user's own notes."""
        return self.url if self.url.startswith(("http://", "https://")) else None


class Generation(BaseModel):
    """How a piece of content was made: enough to reproduce and to audit it."""

    provider: str
    model: str
    template_id: str
    template_version: str
    parameters: dict[str, str | int | float | bool | list[str] | None] = Field(default_factory=dict)
    cost_usd: float = 0.0
    seconds: float = 0.0
    created_at: datetime = Field(default_factory=utc_now)
    input_tokens: int = 0
    output_tokens: int = 0
    units: float = Field(default=0.0, description="Images generated, or characters spoken")
    redacted: dict[str, int] = Field(
        default_factory=dict, description="Personal data replaced before sending: counts by kind"
    )
    attempts: int = 1


ReadingLevel = Literal["general", "informed", "expert"]


class AudienceProfile(BaseModel):
    """Who the content is for, derived from the source and the brief's audience hint.

    The lists default to empty so that profiles persisted before they existed still load."""

    summary: str
    interests: list[str] = Field(default_factory=list)
    reading_level: ReadingLevel = "general"
    language: str
    needs: list[str] = Field(
        default_factory=list, description="What these readers want to know or be able to do"
    )
    objections: list[str] = Field(
        default_factory=list, description="Their doubts or reservations the content should meet"
    )
    vocabulary: list[str] = Field(
        default_factory=list, description="Terms they use, or should see, in what they read"
    )
    generation: Generation | None = None


class ChannelStrategy(BaseModel):
    channel: str
    goal: str
    include_link: bool
    max_chars: int


class EditorialPlan(BaseModel):
    angle: str
    key_messages: list[str]
    keywords: list[str]
    hashtags: list[str]
    channels: list[ChannelStrategy]
    generation: Generation | None = None


class CardImage(BaseModel):
    """A rendered card: PNG bytes plus what a screen reader says about it."""

    png: bytes
    width: int
    height: int
    alt_text: str
    generation: Generation


class SpeechAudio(BaseModel):
    """Spoken audio as a provider returned it."""

    audio: bytes
    sample_rate: int
    media_type: str = Field(description="audio/mpeg, audio/wav...")
    generation: Generation


class ChannelPost(BaseModel):
    channel: str
    language: str
    text: str
    hashtags: list[str] = Field(default_factory=list)
    link: str | None = None
    disclosure: str
    generation: Generation


class Revision(BaseModel):
    """Reviewers' requests so far: each round's comments, oldest first, and their rewrites."""

    round: int = 0
    comments: list[str] = Field(default_factory=list)
    edits: dict[str, str] = Field(default_factory=dict)


Severity = Literal["blocker", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"blocker": 0, "warning": 1, "info": 2}


class Finding(BaseModel):
    rule_id: str
    severity: Severity
    message: str
    evidence: str = ""
    location: str = ""


class ComplianceReport(BaseModel):
    content_sha256: str
    findings: list[Finding] = Field(default_factory=list)
    checked_at: datetime = Field(default_factory=utc_now)

    @property
    def blockers(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "blocker"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def passed(self) -> bool:
        return not self.blockers

    @property
    def quarantined(self) -> bool:
        """The source speaks to a model (rule I2): a reviewer must confirm they checked it."""
        return any(f.rule_id == "I2" for f in self.findings)


Decision = Literal["approve", "reject", "request_changes"]


class ReviewDecision(BaseModel):
    """What a reviewer answered at a gate; `edits` holds only the posts they changed."""

    gate: str
    round: int
    decision: Decision
    reviewer: str
    comments: str = ""
    edits: dict[str, str] = Field(default_factory=dict)
    waive_blockers: bool = False
    waiver_justification: str = ""
    source_checked: bool = False


class Waiver(BaseModel):
    """A blocker a reviewer allowed to stand, with their role and their reason."""

    rule_id: str
    location: str
    evidence: str = ""
    reviewer: str
    roles: list[str]
    justification: str

    def covers(self, finding: Finding) -> bool:
        return (finding.rule_id, finding.location) == (self.rule_id, self.location)


class Approval(BaseModel):
    """A named human's decision about exactly one bundle content hash."""

    content_sha256: str
    reviewer: str
    decision: Decision
    comments: str = ""
    run_id: str | None = None
    gate: str
    decided_at: datetime = Field(default_factory=utc_now)
    waivers: list[Waiver] = Field(default_factory=list)
    source_checked: bool = Field(
        default=False, description="The reviewer confirmed they read a quarantined source"
    )


class LicenceRecord(BaseModel):
    """What may be done with an asset (rule C3): where it came from and on what terms."""

    origin: Literal["generated", "stock", "own"]
    provider: str
    model: str = ""
    plan: str | None = None
    terms: str
    commercial_use: bool | None = Field(description="None: the terms are unclear, verify them")


class BundleFile(BaseModel):
    path: str
    sha256: str
    size: int
    media_type: str
    generation: Generation | None = None
    alt_text: str | None = None
    licence: LicenceRecord | None = None


class StagedBundle(BaseModel):
    """Content written to the staging area, waiting for compliance and review."""

    path: str
    slug: str
    content_sha256: str
    files: list[BundleFile]
    post_generations: dict[str, Generation] = Field(default_factory=dict)


class PublishReceipt(BaseModel):
    target: str
    uri: str
    content_sha256: str
    approval_reviewer: str
    approval_decided_at: datetime
    published_at: datetime = Field(default_factory=utc_now)
    version: str | None = Field(
        default=None, description="ETag or version id where the target has one"
    )
    already_published: bool = Field(
        default=False, description="True when this content was found already published (a retry)"
    )
