"""The run's cost ledger: each step's generations priced, published as a table artifact."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact

from pressroom.costs import (
    CostLine,
    Pricing,
    cost_rows,
    format_summary,
    load_pricing,
    price,
    summarize,
)
from pressroom.models import Generation


def priced(generation: Generation, pricing: Pricing | None = None) -> Generation:
    """`generation` with its `cost_usd` from `pricing` (default: `configs/pricing.yaml`)."""
    return price(generation, pricing or load_pricing())


@task(persist_result=True)
def report_costs(
    steps: dict[str, list[Generation]], pricing: Pricing | None = None
) -> list[CostLine]:
    """Price each step's generations (with `configs/pricing.yaml` unless `pricing` is given),
    publish the ledger as the "run-costs" table artifact and log it in one line."""
    prices = pricing or load_pricing()
    lines = summarize({step: [price(g, prices) for g in gens] for step, gens in steps.items()})
    summary = format_summary(lines)
    create_table_artifact(key="run-costs", table=cost_rows(lines), description=summary)
    logger = get_run_logger()
    for line in lines:
        if line.note:
            logger.warning("%s: %s/%s: %s", line.step, line.provider, line.model, line.note)
    logger.info(summary)
    return lines
