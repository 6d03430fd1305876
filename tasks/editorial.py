"""Editorial steps, each through the configured text provider (never a vendor SDK)."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import TASK_SOURCE, CacheKeyFnPolicy
from prefect.utilities.hashing import hash_objects

from pressroom.models import (
    AudienceProfile,
    ChannelPost,
    EditorialPlan,
    Generation,
    Revision,
    Source,
)
from pressroom.providers import TextProvider, text_provider
from pressroom.settings import BrandConfig, ChannelConfig, ProviderSettings
from pressroom.text import code_block
from tasks.costs import priced
from tasks.providers import provider_context, provider_slot


def _content_key(context: Any, inputs: dict[str, Any]) -> str | None:
    """The inputs with each Source reduced to what it says (url, sha256 of its text): a source
    fetched again with the same content must hit the cache, whatever its fetch time."""
    stable = {
        name: (value.url, value.sha256, value.language) if isinstance(value, Source) else value
        for name, value in inputs.items()
    }
    return hash_objects(stable, raise_on_failure=True)


#: Paid steps are cached on their inputs across runs (results persisted): a re-run, a retry or a
#: resumed suspension with the same inputs makes no provider call.
PAID_STEP = TASK_SOURCE + CacheKeyFnPolicy(cache_key_fn=_content_key)


def _writer(provider: str, providers: ProviderSettings) -> TextProvider:
    return text_provider(provider, provider_context(providers))


@task(persist_result=True, cache_policy=PAID_STEP)
def analyse_audience(source: Source, provider: str, providers: ProviderSettings) -> AudienceProfile:
    with provider_slot(provider):
        audience = _writer(provider, providers).analyse_audience(source)
    if audience.generation is None:
        return audience
    return audience.model_copy(update={"generation": priced(audience.generation)})


@task(persist_result=True, cache_policy=PAID_STEP)
def plan_posts(
    source: Source,
    audience: AudienceProfile,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    provider: str,
    providers: ProviderSettings,
) -> EditorialPlan:
    with provider_slot(provider):
        plan = _writer(provider, providers).plan_posts(source, audience, brand, channels)
    if plan.generation is None:
        return plan
    return plan.model_copy(update={"generation": priced(plan.generation)})


@task(persist_result=True, cache_policy=PAID_STEP)
def write_posts(
    source: Source,
    plan: EditorialPlan,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    revision: Revision,
    provider: str,
    providers: ProviderSettings,
) -> list[ChannelPost]:
    """Draft one post per channel; a reviewer's edit replaces the draft of its channel."""
    with provider_slot(provider):
        posts = _writer(provider, providers).write_posts(source, plan, brand, channels, revision)
    posts = [p.model_copy(update={"generation": priced(p.generation)}) for p in posts]
    posts = [_apply_edit(post, revision) for post in posts]
    create_markdown_artifact(
        key="social-drafts",
        markdown="\n\n".join(f"### {p.channel}\n\n{code_block(p.text)}" for p in posts),
        description=f"Drafts, revision round {revision.round}",
    )
    return posts


def _apply_edit(post: ChannelPost, revision: Revision) -> ChannelPost:
    edited = revision.edits.get(post.channel)
    if edited is None or edited == post.text:
        return post
    return post.model_copy(
        update={
            "text": edited,
            "hashtags": [h for h in post.hashtags if h in edited],
            "generation": Generation(
                provider="human",
                model="reviewer-edit",
                template_id="edit",
                template_version="1",
                parameters={
                    "revision_round": revision.round,
                    "edited_from": post.generation.provider,
                },
            ),
        }
    )
