"""The cost ledger: prices applied to usage, summaries per step, the pre-run estimate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pressroom.costs import (
    PROMPT_OVERHEAD_TOKENS,
    UNKNOWN_MODEL,
    CostLine,
    Pricing,
    estimate,
    format_summary,
    format_usd,
    load_pricing,
    price,
    summarize,
)
from pressroom.errors import ConfigError
from pressroom.models import Generation
from pressroom.settings import PROJECT_ROOT

OPENAI_TEXT = {"text": "openai", "image": "offline"}
OPENAI_ALL = {"text": "openai", "image": "openai"}
OFFLINE = {"text": "offline", "image": "offline"}
MODELS = {"text": "writer-1", "image": "painter-1"}


@pytest.fixture
def pricing() -> Pricing:
    """Hand-made prices, so that the arithmetic below does not move with list prices."""
    return Pricing.model_validate(
        {
            "as_of": "2025-01-01",
            "free_providers": ["offline", "human"],
            "providers": {
                "openai": {
                    "text": {
                        "writer-1": {
                            "input_per_million_tokens": 2.0,
                            "output_per_million_tokens": 8.0,
                        }
                    },
                    "images": {
                        "painter-1": {
                            "per_image": 0.04,
                            "variants": {"hd/1024x1792": 0.12},
                            "tokens": {
                                "input_per_million_tokens": 5.0,
                                "output_per_million_tokens": 40.0,
                            },
                        }
                    },
                    "speech": {"voice-1": {"per_million_characters": 15.0}},
                },
                "elevenlabs": {"speech": {"voice-2": {"per_thousand_characters": 0.3}}},
            },
        }
    )


def generation(provider: str = "openai", model: str = "writer-1", **usage: object) -> Generation:
    return Generation(
        provider=provider, model=model, template_id="test", template_version="1", **usage
    )


# ---------------------------------------------------------------- pricing.yaml


def test_the_shipped_prices_load() -> None:
    shipped = load_pricing(PROJECT_ROOT / "configs")
    openai = shipped.providers["openai"]
    assert {"gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1"} <= set(openai.text)
    assert {"gpt-image-1", "dall-e-3"} <= set(openai.images)
    assert {"tts-1", "tts-1-hd", "gpt-4o-mini-tts"} <= set(openai.speech)
    assert {"eleven_multilingual_v2", "eleven_flash_v2_5"} <= set(
        shipped.providers["elevenlabs"].speech
    )
    assert shipped.is_free("offline")
    assert shipped.as_of <= date.today()


def test_a_broken_pricing_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    (tmp_path / "pricing.yaml").write_text(
        "as_of: 2025-01-01\n"
        "providers:\n"
        "  openai:\n"
        "    text:\n"
        "      gpt-4o: {input_per_million_tokens: 2.5, output_per_million_tokens: lots}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_pricing(tmp_path)
    message = str(error.value)
    assert str(tmp_path / "pricing.yaml") in message
    assert "providers.openai.text.gpt-4o.output_per_million_tokens" in message


def test_a_speech_price_has_exactly_one_unit(tmp_path: Path) -> None:
    (tmp_path / "pricing.yaml").write_text(
        "as_of: 2025-01-01\n"
        "providers:\n"
        "  elevenlabs:\n"
        "    speech:\n"
        "      voice-2: {per_thousand_characters: 0.3, per_million_characters: 300}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="providers.elevenlabs.speech.voice-2: .*exactly one"):
        load_pricing(tmp_path)


# ---------------------------------------------------------------- price


def test_tokens_are_priced_per_million_in_and_out(pricing: Pricing) -> None:
    priced = price(generation(input_tokens=1500, output_tokens=500), pricing)
    assert priced.cost_usd == pytest.approx(1500 * 2.0 / 1e6 + 500 * 8.0 / 1e6)  # $0.007


def test_an_image_is_priced_by_its_quality_and_size(pricing: Pricing) -> None:
    listed = generation(
        model="painter-1", units=2, parameters={"quality": "hd", "size": "1024x1792"}
    )
    assert price(listed, pricing).cost_usd == pytest.approx(0.24)


def test_an_image_of_an_unlisted_size_costs_the_default_price(pricing: Pricing) -> None:
    unlisted = generation(model="painter-1", units=3, parameters={"width": 1080, "height": 1080})
    assert price(unlisted, pricing).cost_usd == pytest.approx(0.12)


def test_an_image_billed_by_tokens_is_priced_by_its_usage(pricing: Pricing) -> None:
    image = generation(model="painter-1", units=1, input_tokens=200, output_tokens=4000)
    assert price(image, pricing).cost_usd == pytest.approx((200 * 5.0 + 4000 * 40.0) / 1e6)


def test_characters_are_priced_per_million_or_per_thousand(pricing: Pricing) -> None:
    openai = price(generation(model="voice-1", units=2000), pricing)
    elevenlabs = price(generation(provider="elevenlabs", model="voice-2", units=2000), pricing)
    assert openai.cost_usd == pytest.approx(2000 * 15.0 / 1e6)  # $0.03
    assert elevenlabs.cost_usd == pytest.approx(2000 * 0.3 / 1e3)  # $0.60


def test_an_embedded_provider_or_a_human_costs_nothing(pricing: Pricing) -> None:
    for provider in ("offline", "human"):
        priced = price(generation(provider=provider, model="any", input_tokens=10**6), pricing)
        assert priced.cost_usd == 0
        assert "pricing" not in priced.parameters


def test_an_unknown_model_costs_nothing_and_is_marked(pricing: Pricing) -> None:
    for unknown in (generation(model="writer-9"), generation(provider="newcorp", model="x")):
        priced = price(unknown.model_copy(update={"input_tokens": 1000}), pricing)
        assert priced.cost_usd == 0
        assert priced.parameters["pricing"] == UNKNOWN_MODEL


def test_a_dated_snapshot_is_priced_as_its_alias(pricing: Pricing) -> None:
    snapshot = generation(model="writer-1-2025-04-14", input_tokens=1000)
    assert price(snapshot, pricing).cost_usd == pytest.approx(1000 * 2.0 / 1e6)


def test_price_returns_a_copy(pricing: Pricing) -> None:
    original = generation(input_tokens=1000, parameters={"channel": "x"})
    priced = price(original, pricing)
    assert original.cost_usd == 0
    assert priced.cost_usd > 0
    assert priced.parameters == {"channel": "x"}


# ---------------------------------------------------------------- summary


def run_steps(pricing: Pricing) -> dict[str, list[Generation]]:
    def post(round_: int, channel: str) -> Generation:
        return generation(
            input_tokens=400,
            output_tokens=100,
            seconds=1.5,
            parameters={"channel": channel, "revision_round": round_},
        )

    steps = {
        "audience": [generation(input_tokens=50, output_tokens=25)],
        "plan": [generation(input_tokens=40, output_tokens=40)],
        "posts": [post(r, c) for r in (0, 1) for c in ("x", "linkedin")]
        + [generation(provider="human", model="reviewer-edit")],
        "cards": [generation(provider="offline", model="pillow-card", units=1)] * 2,
    }
    return {step: [price(g, pricing) for g in gens] for step, gens in steps.items()}


def test_a_summary_has_one_line_per_step_and_model_then_the_total(pricing: Pricing) -> None:
    lines = summarize(run_steps(pricing))
    assert [(line.step, line.provider) for line in lines] == [
        ("audience", "openai"),
        ("plan", "openai"),
        ("posts", "openai"),
        ("posts", "human"),
        ("cards", "offline"),
        ("total", ""),
    ]
    posts = lines[2]
    assert (posts.calls, posts.rounds, posts.input_tokens, posts.output_tokens) == (4, 2, 1600, 400)
    assert posts.cost_usd == pytest.approx(4 * (400 * 2.0 + 100 * 8.0) / 1e6)
    assert posts.seconds == pytest.approx(6.0)
    total = lines[-1]
    assert total.calls == sum(line.calls for line in lines[:-1]) == 9
    assert total.cost_usd == pytest.approx(sum(line.cost_usd for line in lines[:-1]))
    assert total.units == 2


def test_the_summary_is_one_log_line(pricing: Pricing) -> None:
    line = format_summary(summarize(run_steps(pricing)))
    # audience 0.0001 + 0.0002, plan 0.00008 + 0.00032, posts 4 x (0.0008 + 0.0008)
    assert line == (
        "cost: audience $0.0003, plan $0.0004, posts $0.0064 (2 rounds), cards $0 — total $0.0071"
    )


def test_an_unknown_model_is_noted_on_its_line(pricing: Pricing) -> None:
    lines = summarize({"posts": [price(generation(model="writer-9"), pricing)]})
    assert UNKNOWN_MODEL in lines[0].note


def test_amounts_are_written_short() -> None:
    assert [format_usd(a) for a in (0, 0.00004, 0.0028, 0.04, 1.5)] == [
        "$0",
        "<$0.0001",
        "$0.0028",
        "$0.04",
        "$1.5",
    ]


# ---------------------------------------------------------------- estimate


def total_cost(lines: list[CostLine]) -> float:
    assert lines[-1].step == "total"
    return lines[-1].cost_usd


def test_the_estimate_follows_the_documented_heuristic(pricing: Pricing) -> None:
    lines = estimate("a" * 4000, 3, OPENAI_ALL, MODELS, pricing, rounds=2)
    by_step = {line.step: line for line in lines}
    assert by_step["audience"].input_tokens == PROMPT_OVERHEAD_TOKENS + 1000
    assert by_step["audience"].output_tokens == 200
    assert by_step["plan"].output_tokens == 400
    posts = by_step["posts"]  # one call per round for the 3 channels, shared among their posts
    assert (posts.calls, posts.output_tokens) == (6, 6 * 150)
    assert posts.input_tokens == 2 * (PROMPT_OVERHEAD_TOKENS + 1000 + 400)
    assert by_step["cards"].units == 3
    assert by_step["cards"].cost_usd == pytest.approx(3 * 0.04)


def test_the_estimate_grows_with_the_source_and_the_channels(pricing: Pricing) -> None:
    short = total_cost(estimate("a" * 2000, 2, OPENAI_TEXT, MODELS, pricing))
    longer = total_cost(estimate("a" * 8000, 2, OPENAI_TEXT, MODELS, pricing))
    more_channels = total_cost(estimate("a" * 2000, 5, OPENAI_TEXT, MODELS, pricing))
    more_rounds = total_cost(estimate("a" * 2000, 2, OPENAI_TEXT, MODELS, pricing, rounds=3))
    assert 0 < short < longer
    assert short < more_channels
    assert short < more_rounds


def test_images_cost_nothing_with_the_offline_image_provider(pricing: Pricing) -> None:
    lines = estimate("a" * 2000, 4, OPENAI_TEXT, MODELS, pricing)
    cards = next(line for line in lines if line.step == "cards")
    assert (cards.units, cards.cost_usd) == (0, 0)


def test_the_estimate_with_offline_providers_is_zero(pricing: Pricing) -> None:
    lines = estimate("a" * 50_000, 5, OFFLINE, MODELS, pricing, rounds=3)
    assert total_cost(lines) == 0
    assert all(line.input_tokens == line.output_tokens == 0 for line in lines)
