"""Configuration: YAML files under `configs/`, validated on load.

A validation error names the file and the dotted path of the field, e.g.
``configs/channels.yaml: channels.x.max_chars: Input should be greater than 0``.
"""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pressroom.errors import ConfigError
from pressroom.reviewers import ReviewersConfig

PROJECT_ROOT = Path(__file__).resolve().parents[1]

HexColor = str

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


def _unquoted_time(value: Any) -> Any:
    """YAML 1.1 reads an unquoted 10:00 as the sexagesimal number 600."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    return value


#: A local time of day in YAML: "10:00" (an unquoted 10:00 is read right too).
LocalTime = Annotated[time, BeforeValidator(_unquoted_time)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImageSize(_Strict):
    width: int = Field(gt=0, le=8192)
    height: int = Field(gt=0, le=8192)


class ChannelConfig(_Strict):
    label: str
    max_chars: int = Field(gt=0, description="Hard platform limit, counted as the platform counts")
    target_chars: int = Field(gt=0, description="What the writer aims for")
    max_hashtags: int = Field(ge=0)
    link_policy: Literal["inline", "bio", "none"] = Field(
        description="inline: the URL goes in the text; bio: links are not clickable, say so; "
        "none: no link at all"
    )
    counting: Literal["codepoints", "twitter"] = Field(
        default="codepoints",
        description="twitter: a URL counts 23, a character outside Latin and punctuation 2",
    )
    image: ImageSize
    disclosure: Literal["short", "long"] = "long"
    emoji: bool = True
    use: Literal["commercial", "non-commercial"] = Field(
        default="commercial", description="What a brand's post here is, for assets' licences (C3)"
    )
    max_video_seconds: int | None = Field(
        default=None, gt=0, description="The longest video the platform takes, if it takes video"
    )
    ai_flag: str | None = Field(
        default=None,
        description="The platform's API flag that marks a post as AI-generated (rule R2), "
        "e.g. is_aigc on TikTok",
    )
    rule_severity: dict[str, Literal["blocker", "warning", "info"]] = Field(
        default_factory=dict,
        description="Per rule id, a severity for posts on this channel; wins over the brand's",
    )
    best_times: list[LocalTime] = Field(
        default_factory=list,
        description="Local times of day when posts here go out (in the brief slot's zone); "
        "empty: at the slot itself",
    )
    best_days: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS),
        min_length=1,
        description="Days of the week when posts here go out",
    )

    @model_validator(mode="after")
    def _target_within_limit(self) -> ChannelConfig:
        if self.target_chars > self.max_chars:
            raise ValueError(
                f"target_chars ({self.target_chars}) exceeds max_chars ({self.max_chars})"
            )
        return self


class ChannelsFile(_Strict):
    channels: dict[str, ChannelConfig]


class DisclosureTexts(_Strict):
    short: str = Field(min_length=2)
    long: str = Field(min_length=2)


class BrandColors(_Strict):
    background: HexColor = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    foreground: HexColor = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    accent: HexColor = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class BrandConfig(_Strict):
    name: str = Field(min_length=1)
    tone: Literal["friendly", "formal"] = "friendly"
    banned_terms: list[str] = Field(default_factory=list)
    signature_hashtags: list[str] = Field(default_factory=list)
    call_to_action: dict[str, str]
    link_in_bio: dict[str, str]
    colors: BrandColors
    disclosure: dict[str, DisclosureTexts]
    logo: str | None = None
    rule_severity: dict[str, Literal["blocker", "warning", "info"]] = Field(
        default_factory=dict,
        description="Per rule id, a severity that replaces the rule's own for this brand",
    )
    competitors: list[str] = Field(
        default_factory=list, description="Names that are a warning in a post (rule S2)"
    )
    claims_requiring_proof: list[str] = Field(
        default_factory=list,
        description="Claims that are a warning in a post (rule S3), on top of the built-in lists",
    )
    allowed_handles: list[str] = Field(
        default_factory=list, description="@accounts a post may name besides the source's (I3)"
    )
    allowed_domains: list[str] = Field(
        default_factory=list,
        description="Sites (and their subdomains) a post may link to besides the source's (I3)",
    )
    # People whose names may go to an external provider without a G2 warning (politicians,
    # officials... named in the news as such). Surnames alone match too.
    public_figures: list[str] = Field(default_factory=list)

    @field_validator("signature_hashtags")
    @classmethod
    def _hashtags_start_with_hash(cls, tags: list[str]) -> list[str]:
        bad = [t for t in tags if not t.startswith("#") or " " in t]
        if bad:
            raise ValueError(f"hashtags must start with '#' and contain no space: {bad}")
        return tags

    @field_validator("disclosure")
    @classmethod
    def _english_disclosure_present(
        cls, texts: dict[str, DisclosureTexts]
    ) -> dict[str, DisclosureTexts]:
        if "en" not in texts:
            raise ValueError("an 'en' disclosure is required (the fallback for other languages)")
        return texts

    def localized(self, table: dict[str, str], language: str) -> str:
        return table.get(language) or table.get("en") or next(iter(table.values()))

    def disclosure_for(self, language: str) -> DisclosureTexts:
        return self.disclosure.get(language) or self.disclosure["en"]


class ReviewSettings(_Strict):
    timeout_seconds: int = Field(default=86_400, gt=0)
    poll_interval_seconds: int = Field(default=5, gt=0)
    max_revision_rounds: int = Field(default=3, ge=0, le=20)


class OpenAISettings(_Strict):
    base_url: str | None = Field(
        default=None, description="Any OpenAI-compatible server; else $OPENAI_BASE_URL or OpenAI"
    )
    api_key_block: str | None = Field(
        default=None, description="A Prefect Secret block holding the key; else $OPENAI_API_KEY"
    )
    text_model: str = "gpt-4o-mini"
    image_model: str = "gpt-image-2.5-flare"  # gpt-image-1 was shut down on 2026-10-23
    speech_model: str = "gpt-4o-mini-tts"
    speech_voice: str = "alloy"
    timeout_seconds: float = Field(default=60, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10)
    concurrency: int = Field(default=4, ge=1, le=64)


class ElevenLabsSettings(_Strict):
    api_key_block: str | None = Field(
        default=None, description="A Prefect Secret block holding the key; else $ELEVENLABS_API_KEY"
    )
    base_url: str | None = None
    voice_id: str = "JBFqnCBsd6RMkjVDRZzb"
    model: str = "eleven_multilingual_v2"
    output_format: str = "mp3_44100_128"
    plan: str | None = Field(
        default=None, description="Your ElevenLabs plan (free, starter...): it sets the licence"
    )
    timeout_seconds: float = Field(default=60, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10)
    concurrency: int = Field(default=2, ge=1, le=64)


class ProviderSettings(_Strict):
    """Per medium: a provider name, or `auto` (the real one when its key is set, else offline)."""

    text: str = "offline"
    image: str = "offline"
    voice: str = "offline"
    piper_voice: Path | None = Field(
        default=None,
        description="Your own Piper voice (.onnx, its .onnx.json beside it): the offline voice "
        "speaks its language with it",
    )
    openai: OpenAISettings = OpenAISettings()
    elevenlabs: ElevenLabsSettings = ElevenLabsSettings()


class SourceSettings(_Strict):
    min_words: int = Field(default=80, ge=1)
    max_bytes: int = Field(default=5_000_000, gt=0)


# ---------------------------------------------------------------- publish targets


class LocalTarget(_Strict):
    type: Literal["local"] = "local"


class S3Target(_Strict):
    type: Literal["s3"]
    bucket: str | None = Field(default=None, min_length=3, max_length=63)
    bucket_block: str | None = Field(
        default=None,
        description="Name of a prefect-aws S3Bucket block: bucket, folder and credentials",
    )
    prefix: str = Field(default="pressroom", description="Key prefix, without leading slash")
    region: str | None = None
    endpoint_url: str | None = Field(
        default=None, description="Any S3-compatible endpoint (MinIO, Ceph...); AWS when unset"
    )
    sse: Literal["AES256", "aws:kms", "none"] = "AES256"
    kms_key_id: str | None = None
    credentials_block: str | None = Field(
        default=None,
        description="Name of a prefect-aws AwsCredentials block; else the standard AWS "
        "environment (variables, profile, instance role)",
    )
    multipart_threshold_mb: int = Field(default=16, ge=5, le=5120)
    part_size_mb: int = Field(default=8, ge=5, le=5120)
    presign_seconds: int = Field(default=3600, gt=0, le=604_800)

    @model_validator(mode="after")
    def _one_bucket(self) -> S3Target:
        if (self.bucket is None) == (self.bucket_block is None):
            raise ValueError("name exactly one of bucket or bucket_block")
        if self.bucket_block and self.credentials_block:
            raise ValueError("a bucket_block carries its own credentials: drop credentials_block")
        return self


class WebhookTarget(_Strict):
    type: Literal["webhook"]
    name: str = Field(default="webhook", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    url: str = Field(pattern=r"^https?://")
    secret_env: str | None = Field(
        default=None, description="Environment variable holding the HMAC secret"
    )
    secret_block: str | None = Field(default=None, description="Name of a Prefect Secret block")
    timeout_seconds: float = Field(default=10, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=20)


TargetConfig = Annotated[LocalTarget | S3Target | WebhookTarget, Field(discriminator="type")]


def _local_target() -> TargetConfig:
    return LocalTarget()


class PublishSettings(_Strict):
    targets: list[TargetConfig] = Field(default_factory=lambda: [_local_target()])

    @model_validator(mode="after")
    def _unique_targets(self) -> PublishSettings:
        names = [t.name if isinstance(t, WebhookTarget) else t.type for t in self.targets]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"each target may appear once (webhooks by name): {duplicates}")
        return self


VideoFormat = Literal["9:16", "1:1", "16:9"]


class VideoSettings(_Strict):
    """How `pressroom video` renders (media issue): one ffmpeg filtergraph by default."""

    renderer: Literal["ffmpeg", "moviepy"] = "ffmpeg"
    formats: list[VideoFormat] = Field(default_factory=lambda: list[VideoFormat](["9:16"]))
    fps: int = Field(default=30, ge=12, le=60)
    preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] = "veryfast"
    music: bool = Field(default=True, description="A music bed ducked under the voice")
    channels: list[str] = Field(
        default_factory=lambda: ["tiktok", "instagram", "youtube"],
        description="Where the video goes: their length limits and AI flags apply",
    )
    render_concurrency: int = Field(
        default=1, ge=1, le=8, description="Renders at once on this machine (memory)"
    )


class PipelineConfig(_Strict):
    providers: ProviderSettings = ProviderSettings()
    review: ReviewSettings = ReviewSettings()
    source: SourceSettings = SourceSettings()
    output_dir: str = "out"
    default_channels: list[str] = Field(min_length=1)
    publish: PublishSettings = PublishSettings()
    video: VideoSettings = VideoSettings()


class ProviderTerms(_Strict):
    terms: str = Field(min_length=1)
    commercial_use: bool | None
    plans: dict[str, bool | None] = Field(
        default_factory=dict, description="Plans whose terms differ on commercial use"
    )


class LicenceCatalogue(_Strict):
    """configs/licences.yaml: each provider's terms per medium (rule C3)."""

    providers: dict[str, dict[Literal["image", "voice", "video"], ProviderTerms]] = Field(
        default_factory=dict
    )


class Settings(BaseModel):
    """Everything a run needs from `configs/`, loaded once."""

    model_config = ConfigDict(frozen=True)

    config_dir: Path
    pipeline: PipelineConfig
    channels: dict[str, ChannelConfig]
    brand: BrandConfig
    reviewers: ReviewersConfig = ReviewersConfig()
    licences: LicenceCatalogue = LicenceCatalogue()

    def channel(self, name: str) -> ChannelConfig:
        return self.channels[name]

    def select_channels(self, names: list[str] | None) -> list[str]:
        """The channels to produce, in config order; unknown names are a ConfigError."""
        wanted = names or self.pipeline.default_channels
        unknown = [n for n in wanted if n not in self.channels]
        if unknown:
            known = ", ".join(self.channels)
            raise ConfigError(f"unknown channel(s) {', '.join(unknown)}; known channels: {known}")
        return [n for n in self.channels if n in wanted]


def default_config_dir() -> Path:
    return Path(os.environ.get("PRESSROOM_CONFIG_DIR") or PROJECT_ROOT / "configs")


ModelT = TypeVar("ModelT", bound=BaseModel)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None


def load_model(path: Path, model: type[ModelT]) -> ModelT:
    """Load and validate one YAML file; errors name the file and each failing field."""
    data = _read_yaml(path)
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None


def load_settings(brand: str = "default", config_dir: Path | None = None) -> Settings:
    directory = config_dir or default_config_dir()
    if not brand.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"brand name {brand!r} may hold only letters, digits, '-' and '_'")
    brand_path = directory / "brands" / f"{brand}.yaml"
    if not brand_path.exists():
        available = sorted(p.stem for p in (directory / "brands").glob("*.yaml"))
        raise ConfigError(f"{brand_path}: no such brand; available: {', '.join(available)}")
    pipeline = load_model(directory / "pipeline.yaml", PipelineConfig)
    channels = load_model(directory / "channels.yaml", ChannelsFile).channels
    unknown = [c for c in pipeline.default_channels if c not in channels]
    if unknown:
        raise ConfigError(
            f"{directory / 'pipeline.yaml'}: default_channels: unknown channel(s) {unknown}"
        )
    return Settings(
        config_dir=directory,
        pipeline=pipeline,
        channels=channels,
        brand=load_model(brand_path, BrandConfig),
        reviewers=(
            load_model(reviewers_path, ReviewersConfig)
            if (reviewers_path := directory / "reviewers.yaml").exists()
            else ReviewersConfig()
        ),
        licences=(
            load_model(licences_path, LicenceCatalogue)
            if (licences_path := directory / "licences.yaml").exists()
            else LicenceCatalogue()
        ),
    )
