"""The per-brief flow: the ONE place that says what running a brief means.

Today a brief's first URL source goes through the URL → social chain with the brief's brand,
channels and language; a brief with only files or notes needs the editorial chain, which is not
there yet. The weekly batch, `pressroom run` and the "brief" deployment all call `run_brief`.

The chain runs in this flow's own run (`url_to_social.fn`), not as a subflow, so that inside a
deployment its review gate suspends *this* run (a subflow's gate can only pause in place and
would hold the worker); the body only composes tasks, so a resumed run re-runs it cheaply.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from pydantic import BaseModel

from flows.url_to_social import url_to_social
from pressroom.briefs import Brief, check_brief
from pressroom.errors import BriefError

BRIEF_DEPLOYMENT_NAME = "brief"
NEEDS_CHAIN = "needs the editorial chain (not yet available)"


class BriefOutcome(BaseModel):
    brief_id: str
    status: str  # "published"
    reviewer: str
    bundle_uri: str | None = None


@flow(name="run-brief", persist_result=True)
def run_brief(brief: Brief) -> BriefOutcome:
    """Make and publish, after review, what a brief asks for."""
    check_brief(brief)
    urls = brief.urls()
    if not urls:
        raise BriefError(f"brief {brief.key()}: {NEEDS_CHAIN}: it has no URL source")
    if len(brief.sources) > 1:
        get_run_logger().warning(
            "Brief %s: only its first URL source (%s) is used until the editorial chain lands",
            brief.key(),
            urls[0],
        )
    result = url_to_social.fn(
        url=urls[0], brand=brief.brand, channels=brief.channels or None, language=brief.language
    )
    return BriefOutcome(
        brief_id=brief.key(),
        status=result.status,
        reviewer=result.reviewer,
        bundle_uri=result.bundle_uri,
    )


BRIEF_DEPLOYMENT = f"{run_brief.name}/{BRIEF_DEPLOYMENT_NAME}"
