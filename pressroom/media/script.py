"""Video scripts: a language, an optional title, and scenes of narration plus a visual idea.

A script is a YAML file::

    language: fr
    title: Qualité de l’air à Montreval      # optional
    source: article.html                     # optional: a URL, or a file beside the script
    scenes:
      - narration: Depuis le 1er mars, deux cents foyers mesurent les particules fines.
        visual: Un petit capteur fixé à un balcon, des toits en arrière-plan
        duration_hint: 8                     # optional, seconds

Every problem is reported at once, each named by file and field, with scenes counted from 1 as
everywhere else a scene is named: ``script.yaml: scenes[2].narration: empty``. Texts are
normalised on validation (Unicode NFC, runs of whitespace made one space), so a script folded
over several YAML lines is the same script as on one line.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from pressroom.errors import ScriptError

_LANGUAGE_TAG = re.compile(r"(?P<base>[A-Za-z]{2,3})(?P<rest>(?:[-_][A-Za-z0-9]{2,8})*)")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_WEB_SCHEMES = ("http://", "https://")


def normalise_text(text: str) -> str:
    """NFC, with every run of whitespace (newlines of a folded YAML string too) one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class _ScriptPart(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scene(_ScriptPart):
    narration: str = Field(description="What the voice says over this scene")
    visual: str = Field(description="What the scene shows: the idea its image is made from")
    duration_hint: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="Seconds, if the scene needs a pace"
    )

    @field_validator("narration", "visual")
    @classmethod
    def _not_empty(cls, text: str) -> str:
        text = normalise_text(text)
        if not text:
            raise ValueError("empty")
        return text


class VideoScript(_ScriptPart):
    language: str = Field(description='A language tag: "fr", "en", "fr-CA"...')
    title: str | None = None
    scenes: list[Scene] = Field(min_length=1)
    source: str | None = Field(
        default=None, description="The http(s) URL or file the script is grounded in"
    )

    @field_validator("language")
    @classmethod
    def _language_tag(cls, language: str) -> str:
        match = _LANGUAGE_TAG.fullmatch(language.strip())
        if match is None:
            raise ValueError(f"{language!r} is not a language tag such as fr, en or fr-CA")
        region = match["rest"].replace("_", "-")
        return match["base"].lower() + (region.upper() if len(region) == 3 else region)

    @field_validator("title")
    @classmethod
    def _title_or_none(cls, title: str | None) -> str | None:
        if title is None:
            return None
        return normalise_text(title) or None

    @field_validator("source")
    @classmethod
    def _url_or_path(cls, source: str | None) -> str | None:
        source = source.strip() if source else None
        if source and _URL_SCHEME.match(source) and not source.startswith(_WEB_SCHEMES):
            raise ValueError(f"{source!r}: only http(s) URLs or file paths")
        return source or None

    def content_key(self) -> str:
        """A sha256 over what the media are made from: language, title and scenes.

        The source is left out: it grounds the compliance checks, not the pictures or the voice,
        and a file source is an absolute path that differs from one checkout to the next.
        """
        content = self.model_dump(mode="json", include={"language", "title", "scenes"})
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def source_is_url(self) -> bool:
        return self.source is not None and self.source.startswith(_WEB_SCHEMES)


def load_script(path: Path | str) -> VideoScript:
    """Read and validate a script file; a file `source` is resolved against the script's folder.

    Raises `ScriptError` naming the file and every failing field.
    """
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ScriptError(
            f"{path}: a script is a mapping with language, scenes and optionally title and "
            f"source; this file holds {_describe_yaml(data)}"
        )
    try:
        script = VideoScript.model_validate(data)
    except ValidationError as error:
        raise ScriptError(f"{path}: " + "; ".join(map(_problem, error.errors()))) from None
    return _with_source_resolved(script, path)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScriptError(f"{path}: file not found") from None
    except UnicodeDecodeError as error:
        raise ScriptError(f"{path}: not UTF-8 text: {error}") from None
    except yaml.YAMLError as error:
        raise ScriptError(f"{path}: not valid YAML: {_yaml_problem(error)}") from None


def _yaml_problem(error: yaml.YAMLError) -> str:
    """Where and what: "line 4, column 1: expected ',' or ']' (while parsing … at line 3)"."""
    if not isinstance(error, yaml.MarkedYAMLError) or error.problem_mark is None:
        return str(error)
    mark, context = error.problem_mark, error.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    during = f" ({error.context} at line {context.line + 1})" if context and error.context else ""
    return f"{where}: {error.problem}{during}"


def _describe_yaml(data: object) -> str:
    if data is None:
        return "nothing"
    if isinstance(data, list):
        return "a list (put the scenes under a 'scenes:' key)"
    return f"a single value ({data!r})"


def _with_source_resolved(script: VideoScript, path: Path) -> VideoScript:
    if script.source is None or script.source_is_url:
        return script
    source = (path.parent / Path(script.source).expanduser()).resolve()
    if not source.is_file():
        raise ScriptError(f"{path}: source: file not found: {source}")
    return script.model_copy(update={"source": str(source)})


def _problem(error: ErrorDetails) -> str:
    return f"{_field_path(error['loc'])}: {_message(error)}"


def _field_path(location: tuple[int | str, ...]) -> str:
    """("scenes", 1, "narration") -> "scenes[2].narration": scenes are counted from 1."""
    path = ""
    for part in location:
        path += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if path else part
    return path or "(top level)"


def _message(error: ErrorDetails) -> str:
    kind, value = error["type"], error.get("input")
    in_scene = any(isinstance(part, int) for part in error["loc"])
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        known = ", ".join((Scene if in_scene else VideoScript).model_fields)
        return f"unknown field (a {'scene' if in_scene else 'script'} has {known})"
    if kind == "too_short" and error["loc"] == ("scenes",):
        return "no scenes: a script needs at least one"
    if kind == "list_type":
        return "must be a list of scenes, each with narration and visual"
    if kind in ("model_type", "dict_type"):
        return f"must be a mapping with narration and visual, got {_short(value)}"
    if kind == "string_type":
        return f"must be text, got {_short(value)} (quote it in the YAML)"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
