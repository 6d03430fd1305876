"""Briefs: what a user wants made, as a YAML file or as a flow's parameters in the Prefect UI.

One pydantic model serves both, so its constraints are those JSON schema can express (`Literal`,
`Field`, a union tagged by `kind`); the checks that need `configs/` (channels, brand) and the
disk (source files) run when a brief is loaded, and again when a flow receives one.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from pressroom.errors import BriefError, ConfigError
from pressroom.settings import ChannelsFile, default_config_dir, load_model

Format = Literal["posts", "article", "newsletter", "video", "voiceover"]
SOURCE_KINDS = ("url", "file", "notes")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UrlSource(_Part):
    model_config = ConfigDict(title="Web page")

    kind: Literal["url"] = "url"
    url: str = Field(
        pattern=r"^https?://\S+$", max_length=2000, title="URL", description="An http(s) address"
    )


class FileSource(_Part):
    model_config = ConfigDict(title="File")

    kind: Literal["file"] = "file"
    file: str = Field(
        min_length=1,
        max_length=1000,
        title="File",
        description="A .html, .htm or .txt file, relative to the brief's folder",
    )


class NotesSource(_Part):
    model_config = ConfigDict(title="Notes")

    kind: Literal["notes"] = "notes"
    notes: str = Field(
        min_length=1, max_length=20_000, title="Notes", description="Facts in your own words"
    )


def _posts_only() -> list[Format]:
    return ["posts"]


SourceRef = Annotated[UrlSource | FileSource | NotesSource, Field(discriminator="kind")]


class Brief(BaseModel):
    """A brief. In YAML a source may omit `kind` when it has exactly one of url, file, notes."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
        title="Id",
        description="Short name, e.g. air-quality-week (default: from the file or slot)",
    )
    sources: list[SourceRef] = Field(
        min_length=1, title="Sources", description="Articles, files or notes to work from"
    )
    goal: str = Field(
        min_length=1, max_length=2000, title="Goal", description="What this content should achieve"
    )
    audience: str = Field(
        default="", max_length=2000, title="Audience hint", description="Who it is for"
    )
    channels: list[str] = Field(
        default_factory=list,
        title="Channels",
        description="Networks, e.g. linkedin, x (empty: the pipeline's default channels)",
    )
    formats: list[Format] = Field(default_factory=_posts_only, min_length=1, title="Formats wanted")
    language: Literal["fr", "en"] = Field(title="Language")
    brand: str = Field(
        default="default",
        pattern=r"^[A-Za-z0-9_-]+$",
        title="Brand",
        description="A brand under configs/brands/",
    )
    slot: AwareDatetime | None = Field(
        default=None,
        title="Slot",
        description="When the article goes live, with its zone (e.g. 2026-10-19T10:00:00+02:00); "
        "each channel's post follows at its best time. Empty: everything on approval",
    )

    @field_validator("sources", mode="before")
    @classmethod
    def _kind_from_the_only_key(cls, sources: Any) -> Any:
        """`- url: https://…` in YAML stands for `- {kind: url, url: https://…}`."""
        if not isinstance(sources, list):
            return sources
        return [_with_kind(source) for source in sources]

    def key(self) -> str:
        """The id, or one derived from the goal (stable for the same goal)."""
        if self.id:
            return self.id
        slug = re.sub(r"[^a-z0-9]+", "-", self.goal.lower()).strip("-")[:40].strip("-")
        digest = hashlib.sha256(self.goal.encode()).hexdigest()[:8]
        return f"{slug}-{digest}" if slug else f"brief-{digest}"

    def urls(self) -> list[str]:
        return [s.url for s in self.sources if isinstance(s, UrlSource)]


def _with_kind(source: Any) -> Any:
    if isinstance(source, dict) and "kind" not in source:
        present = [k for k in SOURCE_KINDS if k in source]
        if len(present) == 1:
            return {"kind": present[0], **source}
    return source


class BriefOutcome(BaseModel):
    """What running a brief gave. Defined here, not beside the flow: a deployment loads the
    flow's file as a top-level module, and a result class of that module could not be read
    back (unpickled) by any other process."""

    brief_id: str
    status: str  # "published" | "partly published" (the chain fails when nothing is)
    reviewer: str
    bundle_uri: str | None = None
    gates: list[str] = []  # one line per review gate, in order


# ---------------------------------------------------------------- checks that need configs/


def _field_path(loc: tuple[int | str, ...]) -> str:
    """('sources', 1, 'url', 'url') → 'sources[1].url' (the union's tag is not a field)."""
    parts: list[str] = []
    previous: int | str | None = None
    for i, element in enumerate(loc):
        if isinstance(element, int):
            parts.append(f"[{element}]")
        elif isinstance(previous, int) and element in SOURCE_KINDS and i + 1 < len(loc):
            pass  # the tag pydantic inserts for a tagged union member
        else:
            parts.append(f".{element}" if parts else str(element))
        previous = element
    return "".join(parts) or "(top level)"


def _describe(error: ErrorDetails) -> str:
    if error["type"] == "union_tag_not_found" or error["type"] == "union_tag_invalid":
        return "give exactly one of url, file or notes"
    return error["msg"]


def known_channels(config_dir: Path) -> list[str]:
    return list(load_model(config_dir / "channels.yaml", ChannelsFile).channels)


def known_brands(config_dir: Path) -> list[str]:
    return sorted(p.stem for p in (config_dir / "brands").glob("*.yaml"))


def config_problems(data: dict[str, Any], config_dir: Path, base_dir: Path | None) -> list[str]:
    """What configs/ and the disk say about a brief's channels, brand and files."""
    problems: list[str] = []
    channels = data.get("channels") or []
    if isinstance(channels, list):
        known = known_channels(config_dir)
        for i, name in enumerate(channels):
            if isinstance(name, str) and name not in known:
                problems.append(
                    f"channels[{i}]: unknown channel {name!r}; known channels: {', '.join(known)}"
                )
    brand = data.get("brand", "default")
    brands = known_brands(config_dir)
    if isinstance(brand, str) and brand not in brands:
        problems.append(f"brand: no brand {brand!r} in configs/brands; known: {', '.join(brands)}")
    sources = data.get("sources")
    if base_dir is not None and isinstance(sources, list):
        for i, source in enumerate(sources):
            file = source.get("file") if isinstance(source, dict) else None
            if isinstance(file, str) and file and not (base_dir / file).is_file():
                problems.append(f"sources[{i}].file: no such file {base_dir / file}")
    return problems


def brief_problems(
    data: object, config_dir: Path | None = None, base_dir: Path | None = None
) -> list[str]:
    """Every problem with a brief's data, each as `field: message`; empty when it can run."""
    if not isinstance(data, dict):
        return ["(top level): a brief is a mapping of fields (sources, goal, language...)"]
    problems: list[str] = []
    try:
        Brief.model_validate(data)
    except ValidationError as invalid:
        problems += [f"{_field_path(e['loc'])}: {_describe(e)}" for e in invalid.errors()]
    try:
        problems += config_problems(data, config_dir or default_config_dir(), base_dir)
    except ConfigError as error:
        problems.append(f"(configs): {error}")
    return problems


def check_brief(brief: Brief, where: str = "brief", base_dir: Path | None = None) -> Brief:
    """The brief itself, or BriefError naming every problem (for briefs from the UI or API)."""
    problems = brief_problems(brief.model_dump(mode="json", exclude_none=True), base_dir=base_dir)
    if problems:
        raise BriefError("\n".join(f"{where}: {p}" for p in problems))
    return brief


def load_brief(path: Path | str, config_dir: Path | None = None) -> Brief:
    """Read and validate a brief file; BriefError names every problem as `file: field: ...`.

    File sources are resolved against the brief's folder and returned as absolute paths.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BriefError(f"{path}: no such brief file") from None
    except yaml.YAMLError as error:
        raise BriefError(f"{path}: not valid YAML: {error}") from None
    return brief_from_data(data, str(path), path.parent, config_dir)


def brief_from_data(
    data: object, where: str, base_dir: Path, config_dir: Path | None = None
) -> Brief:
    """A brief from parsed YAML (a file, or inline in the calendar)."""
    problems = brief_problems(data, config_dir, base_dir)
    if problems:
        raise BriefError("\n".join(f"{where}: {p}" for p in problems))
    brief = Brief.model_validate(data)
    return brief.model_copy(
        update={
            "sources": [
                FileSource(file=str((base_dir / s.file).resolve()))
                if isinstance(s, FileSource)
                else s
                for s in brief.sources
            ]
        }
    )
