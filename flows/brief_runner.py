"""The per-brief flow: the ONE place that says what running a brief means — the editorial
chain (flows/editorial.py) on the brief. The weekly batch, `pressroom run` and the "brief"
deployment all call `run_brief`.

The chain runs in this flow's own run (`editorial_chain.fn`), not as a subflow, so that inside
a deployment its review gates suspend *this* run (a subflow's gate can only pause in place and
would hold the worker); the body only composes tasks, so a resumed run re-runs it cheaply.
"""

from __future__ import annotations

from prefect import flow

from flows.editorial import editorial_chain
from pressroom.briefs import Brief, BriefOutcome

BRIEF_DEPLOYMENT_NAME = "brief"


@flow(name="run-brief", persist_result=True)
def run_brief(brief: Brief) -> BriefOutcome:
    """Make and publish, after review, what a brief asks for."""
    result = editorial_chain.fn(brief)
    published = [g for g in result.gates if g.receipt is not None]
    publishing = [g for g in result.gates if g.gate != "plan"]
    status = "published" if len(published) == len(publishing) else "partly published"
    return BriefOutcome(
        brief_id=result.brief_id,
        status=status,
        reviewer=published[-1].reviewer,
        bundle_uri=published[0].receipt.uri if published[0].receipt else None,
        gates=[g.summary() for g in result.gates] + result.unusable_sources,
    )


BRIEF_DEPLOYMENT = f"{run_brief.name}/{BRIEF_DEPLOYMENT_NAME}"
