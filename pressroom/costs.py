"""The cost ledger: what each step of a run cost, and what a run would cost before it starts.

Providers report usage in their `Generation` (tokens, images, characters); prices live in
`configs/pricing.yaml` and are applied here, so a price change needs no code change. A dated
snapshot (``gpt-4o-mini-2024-07-18``, what the API reports) is priced as its alias. A model
missing from the prices costs $0 and is marked ``parameters["pricing"] = "unknown model"``: a new
model never breaks a run.

`estimate` is a heuristic, not a quote:

* tokens ≈ characters / 4 (rounded up), for the source text;
* every text call sends a fixed prompt of ``PROMPT_OVERHEAD_TOKENS`` (instructions, brand, output
  schema) on top of the source and of what earlier steps produced;
* expected output tokens per call: ``EXPECTED_OUTPUT_TOKENS`` (audience ~200, plan ~400, each
  post ~150);
* the writer drafts every channel in one call per review round, and that call's tokens are
  shared among the channels' posts (as the OpenAI writer records them);
* images: one per channel, priced at the model's ``per_image``;
* providers listed in ``free_providers`` use nothing and cost nothing.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pressroom.models import Generation
from pressroom.settings import ProviderSettings, default_config_dir, load_model

PRICING_FILE = "pricing.yaml"
UNKNOWN_MODEL = "unknown model"
TOTAL = "total"

CHARACTERS_PER_TOKEN = 4
PROMPT_OVERHEAD_TOKENS = 600
EXPECTED_OUTPUT_TOKENS = {"audience": 200, "plan": 400, "posts": 150}

_SNAPSHOT_DATE = re.compile(r"-\d{4}-\d{2}-\d{2}$")


class _PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextPrice(_PriceTable):
    input_per_million_tokens: float = Field(ge=0)
    output_per_million_tokens: float = Field(ge=0)


class ImagePrice(_PriceTable):
    per_image: float = Field(ge=0, description="When the quality/size is not among the variants")
    variants: dict[str, float] = Field(
        default_factory=dict, description='Per image by "quality/size", e.g. "hd/1024x1792"'
    )
    tokens: TextPrice | None = Field(
        default=None, description="Models billed by tokens: used when the API reported usage"
    )

    def for_variant(self, variant: str | None) -> float:
        return self.variants.get(variant, self.per_image) if variant else self.per_image


class SpeechPrice(_PriceTable):
    per_million_characters: float | None = Field(default=None, ge=0)
    per_thousand_characters: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_unit(self) -> Self:
        if (self.per_million_characters is None) == (self.per_thousand_characters is None):
            raise ValueError("give exactly one of per_million_characters, per_thousand_characters")
        return self

    @property
    def per_character(self) -> float:
        if self.per_million_characters is not None:
            return self.per_million_characters / 1_000_000
        return (self.per_thousand_characters or 0.0) / 1_000


class ProviderPrices(_PriceTable):
    text: dict[str, TextPrice] = Field(default_factory=dict)
    images: dict[str, ImagePrice] = Field(default_factory=dict)
    speech: dict[str, SpeechPrice] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _each_model_once(self) -> Self:
        names = [*self.text, *self.images, *self.speech]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"a model may have one kind of price: {repeated}")
        return self


class Pricing(_PriceTable):
    as_of: date = Field(description="When the prices were taken from the providers' pages")
    free_providers: list[str] = Field(default_factory=lambda: ["offline"])
    providers: dict[str, ProviderPrices] = Field(default_factory=dict)

    def is_free(self, provider: str) -> bool:
        return provider in self.free_providers


class CostLine(BaseModel):
    """What one step spent with one provider model; the `total` line sums every step."""

    step: str
    provider: str
    model: str
    calls: int
    input_tokens: int = 0
    output_tokens: int = 0
    units: float = 0.0
    cost_usd: float = 0.0
    seconds: float = 0.0
    rounds: int = Field(default=1, description="Review rounds the step ran in")
    note: str = ""


def load_pricing(config_dir: Path | None = None) -> Pricing:
    """`pricing.yaml` of the config directory, validated; errors name the file and field.

    Read once per version of the file: every priced generation asks for it."""
    path = (config_dir or default_config_dir()) / PRICING_FILE
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        return load_model(path, Pricing)  # says, naming the file, that it is missing
    return _pricing_at(path, version)


@lru_cache(maxsize=8)
def _pricing_at(path: Path, version: int) -> Pricing:
    return load_model(path, Pricing)


# ---------------------------------------------------------------- pricing a generation


def price(generation: Generation, pricing: Pricing) -> Generation:
    """A copy of `generation` with `cost_usd` set from its usage; an unknown model costs 0."""
    if pricing.is_free(generation.provider):
        return generation.model_copy(update={"cost_usd": 0.0})
    cost = _cost(generation, pricing)
    if cost is None:
        marked = {**generation.parameters, "pricing": UNKNOWN_MODEL}
        return generation.model_copy(update={"cost_usd": 0.0, "parameters": marked})
    return generation.model_copy(update={"cost_usd": cost})


def _cost(generation: Generation, pricing: Pricing) -> float | None:
    prices = pricing.providers.get(generation.provider)
    if prices is None:
        return None
    model = _listed_name(generation.model, prices)
    if model in prices.text:
        return _token_cost(generation, prices.text[model])
    if model in prices.images:
        return _image_cost(generation, prices.images[model])
    if model in prices.speech:
        return generation.units * prices.speech[model].per_character
    return None


def _listed_name(model: str, prices: ProviderPrices) -> str:
    """The model, or the alias of a dated snapshot when only the alias is listed."""
    alias = _SNAPSHOT_DATE.sub("", model)
    listed = {*prices.text, *prices.images, *prices.speech}
    return alias if model not in listed and alias in listed else model


def _token_cost(generation: Generation, prices: TextPrice) -> float:
    return (
        generation.input_tokens * prices.input_per_million_tokens
        + generation.output_tokens * prices.output_per_million_tokens
    ) / 1_000_000


def _image_cost(generation: Generation, prices: ImagePrice) -> float:
    if prices.tokens and generation.output_tokens:
        return _token_cost(generation, prices.tokens)
    return generation.units * prices.for_variant(_image_variant(generation))


def _image_variant(generation: Generation) -> str | None:
    """The "quality/size" variant named by `quality` and `size` (or `width` x `height`)."""
    parameters = generation.parameters
    quality = parameters.get("quality")
    size = parameters.get("size")
    if size is None and parameters.get("width") and parameters.get("height"):
        size = f"{parameters['width']}x{parameters['height']}"
    return f"{quality}/{size}" if quality and size else None


# ---------------------------------------------------------------- the ledger


def summarize(steps: dict[str, list[Generation]]) -> list[CostLine]:
    """One line per step and provider model, in step order, then the total line."""
    lines = [
        _line(step, provider, model, generations)
        for step, step_generations in steps.items()
        for (provider, model), generations in _by_provider_model(step_generations).items()
    ]
    return [*lines, _total(lines)]


def _by_provider_model(generations: list[Generation]) -> dict[tuple[str, str], list[Generation]]:
    groups: dict[tuple[str, str], list[Generation]] = defaultdict(list)
    for generation in generations:
        groups[(generation.provider, generation.model)].append(generation)
    return groups


def _line(step: str, provider: str, model: str, generations: list[Generation]) -> CostLine:
    rounds = {g.parameters.get("revision_round") for g in generations} - {None}
    unknown = any(g.parameters.get("pricing") == UNKNOWN_MODEL for g in generations)
    return CostLine(
        step=step,
        provider=provider,
        model=model,
        calls=len(generations),
        input_tokens=sum(g.input_tokens for g in generations),
        output_tokens=sum(g.output_tokens for g in generations),
        units=sum(g.units for g in generations),
        cost_usd=sum(g.cost_usd for g in generations),
        seconds=sum(g.seconds for g in generations),
        rounds=max(len(rounds), 1),
        note=f"{UNKNOWN_MODEL}: counted as $0" if unknown else "",
    )


def _total(lines: list[CostLine]) -> CostLine:
    return CostLine(
        step=TOTAL,
        provider="",
        model="",
        calls=sum(line.calls for line in lines),
        input_tokens=sum(line.input_tokens for line in lines),
        output_tokens=sum(line.output_tokens for line in lines),
        units=sum(line.units for line in lines),
        cost_usd=sum(line.cost_usd for line in lines),
        seconds=sum(line.seconds for line in lines),
        rounds=max((line.rounds for line in lines), default=1),
    )


def step_lines(lines: Iterable[CostLine]) -> list[CostLine]:
    """The lines without the total."""
    return [line for line in lines if line.step != TOTAL]


# ---------------------------------------------------------------- presentation


def format_usd(amount: float) -> str:
    """$0, <$0.0001, or dollars to four decimals without trailing zeros."""
    if amount == 0:
        return "$0"
    if amount < 0.0001:
        return "<$0.0001"
    return "$" + f"{amount:.4f}".rstrip("0").rstrip(".")


def format_summary(lines: list[CostLine]) -> str:
    """One log line: cost per step (with its review rounds), then the total."""
    cost_by_step: dict[str, float] = defaultdict(float)
    rounds_by_step: dict[str, int] = defaultdict(lambda: 1)
    for line in step_lines(lines):
        cost_by_step[line.step] += line.cost_usd
        rounds_by_step[line.step] = max(rounds_by_step[line.step], line.rounds)
    parts = [
        f"{step} {format_usd(cost)}{_rounds_label(rounds_by_step[step])}"
        for step, cost in cost_by_step.items()
    ]
    total = sum(cost_by_step.values())
    return f"cost: {', '.join(parts)} — total {format_usd(total)}"


def _rounds_label(rounds: int) -> str:
    return f" ({rounds} rounds)" if rounds > 1 else ""


def cost_rows(lines: list[CostLine]) -> list[dict[str, str]]:
    """The lines as table rows of text (a Prefect table artifact, the estimate's table)."""
    return [
        {
            "step": line.step,
            "provider": line.provider,
            "model": line.model,
            "calls": str(line.calls),
            "input tokens": _count(line.input_tokens),
            "output tokens": _count(line.output_tokens),
            "units": _count(line.units),
            "cost": format_usd(line.cost_usd),
            "note": line.note,
        }
        for line in lines
    ]


def _count(value: float) -> str:
    if value == 0:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def format_table(lines: list[CostLine]) -> str:
    """The lines as an aligned text table, numbers right-aligned."""
    rows = cost_rows(lines)
    headers = list(rows[0]) if rows else []
    widths = {h: max(len(h), *(len(row[h]) for row in rows)) for h in headers}
    left = {"step", "provider", "model", "note"}

    def render(cells: dict[str, str]) -> str:
        return "  ".join(
            cells[h].ljust(widths[h]) if h in left else cells[h].rjust(widths[h]) for h in headers
        ).rstrip()

    return "\n".join([render({h: h for h in headers}), *(render(row) for row in rows)])


def format_estimate(lines: list[CostLine], pricing: Pricing) -> str:
    """The estimate's table, then what it rests on (or that embedded providers cost nothing)."""
    if all(pricing.is_free(line.provider) for line in step_lines(lines)):
        footer = "embedded providers: no cost"
    else:
        footer = (
            f"An estimate: tokens ≈ characters / {CHARACTERS_PER_TOKEN}, "
            f"{PROMPT_OVERHEAD_TOKENS} prompt tokens per call, prices as of {pricing.as_of} "
            "(configs/pricing.yaml: keep it current)."
        )
    return f"{format_table(lines)}\n{footer}"


# ---------------------------------------------------------------- estimate


def estimated_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARACTERS_PER_TOKEN)


def configured_models(providers: dict[str, str], settings: ProviderSettings) -> dict[str, str]:
    """The model each medium's provider is configured with ("-" when the settings name none)."""
    return {medium: _model_of(medium, name, settings) for medium, name in providers.items()}


def _model_of(medium: str, provider: str, settings: ProviderSettings) -> str:
    if provider == "openai":
        openai = settings.openai
        by_medium = {
            "text": openai.text_model,
            "image": openai.image_model,
            "voice": openai.speech_model,
        }
        return by_medium.get(medium, "-")
    if provider == "elevenlabs":
        return settings.elevenlabs.model
    return "-"


def estimate(
    source_text: str,
    channels: int,
    providers: dict[str, str],
    models: dict[str, str],
    pricing: Pricing,
    rounds: int = 1,
) -> list[CostLine]:
    """Expected cost of one run, per step and in total (see the module's heuristic).

    `providers` and `models` map the media "text" and "image" to provider and model names: no
    provider is built or called.
    """
    source_tokens = estimated_tokens(source_text)
    output = EXPECTED_OUTPUT_TOKENS
    text = (providers["text"], models["text"])
    image = (providers["image"], models["image"])
    audience = _text_call(*text, PROMPT_OVERHEAD_TOKENS + source_tokens, output["audience"])
    plan_input = PROMPT_OVERHEAD_TOKENS + source_tokens + output["audience"]
    posts_input = PROMPT_OVERHEAD_TOKENS + source_tokens + output["plan"]
    steps = {
        "audience": [audience],
        "plan": [_text_call(*text, plan_input, output["plan"])],
        "posts": [
            _text_call(*text, _share(posts_input, channel, channels), output["posts"], round_)
            for round_ in range(rounds)
            for channel in range(channels)
        ],
        "cards": [_image_call(*image) for _channel in range(channels)],
    }
    return summarize({step: [_expected(g, pricing) for g in gens] for step, gens in steps.items()})


def _share(total: int, index: int, parts: int) -> int:
    """Part `index` of `total` split in `parts` whole shares that add up to `total`."""
    return total // parts + (1 if index < total % parts else 0)


def _text_call(
    provider: str, model: str, input_tokens: int, output_tokens: int, revision_round: int = 0
) -> Generation:
    return Generation(
        provider=provider,
        model=model,
        template_id="estimate",
        template_version="1",
        parameters={"revision_round": revision_round},
        input_tokens=input_tokens,
        output_tokens=output_tokens,
    )


def _image_call(provider: str, model: str) -> Generation:
    return Generation(
        provider=provider, model=model, template_id="estimate", template_version="1", units=1
    )


def _expected(generation: Generation, pricing: Pricing) -> Generation:
    """Priced; a free provider uses no tokens and makes no paid image."""
    if pricing.is_free(generation.provider):
        generation = generation.model_copy(
            update={"input_tokens": 0, "output_tokens": 0, "units": 0.0}
        )
    return price(generation, pricing)
