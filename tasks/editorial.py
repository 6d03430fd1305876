"""Editorial steps, each through the configured text provider (never a vendor SDK)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import TASK_SOURCE, CacheKeyFnPolicy
from prefect.utilities.hashing import hash_objects
from pydantic import BaseModel

from pressroom.models import (
    AudienceProfile,
    ChannelPost,
    EditorialPlan,
    Generation,
    Revision,
    Source,
    StagedBundle,
    sha256_hex,
)
from pressroom.providers import TextProvider, text_provider
from pressroom.settings import BrandConfig, ChannelConfig, ProviderSettings
from pressroom.text import code_block
from tasks.costs import priced
from tasks.providers import provider_context, provider_slot


def _content_key(context: Any, inputs: dict[str, Any]) -> str | None:
    """The inputs with each Source reduced to what it says (url, sha256 of its text) and each
    staged bundle to its files' hashes: the same content must hit the cache, whatever its fetch
    time or the folder it was staged in. The code that generates is part of the key too: a
    changed writer, prompt or renderer must not serve what its previous version made."""
    stable = {name: _stable(value) for name, value in inputs.items()}
    return hash_objects([generator_fingerprint(), stable], raise_on_failure=True)


#: The code that decides what a paid step produces, and the models its results are read back
#: into: a result pickled before a model changed must not be served after (unpickling skips
#: validation, so a field added since would be missing).
GENERATORS = ("providers", "prompts", "editorial", "media", "models.py")
PACKAGE = Path(__file__).resolve().parents[1] / "pressroom"


def generator_files() -> list[Path]:
    return sorted(
        path
        for name in GENERATORS
        for path in ([PACKAGE / name] if name.endswith(".py") else (PACKAGE / name).rglob("*"))
        if path.suffix in {".py", ".yaml"}
    )


@cache
def generator_fingerprint() -> str:
    """sha256 over the source files of the generating code (once per process)."""
    return sha256_hex(
        b"".join(
            path.relative_to(PACKAGE).as_posix().encode() + path.read_bytes()
            for path in generator_files()
        )
    )


def _stable(value: Any) -> Any:
    """A plain, JSON-hashable form of an input. Models holding bytes (images, audio) would
    otherwise be hashed by pickling, which is not stable: a model read back from the result
    store pickles differently from the one first made, and a resumed run would pay again."""
    if isinstance(value, Source):
        return (value.url, value.sha256, value.language)
    if isinstance(value, StagedBundle):  # its files but source.json, which holds the fetch time
        return sorted((f.path, f.sha256) for f in value.files if f.path != "source.json")
    if isinstance(value, BaseModel):
        return {name: _stable(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, bytes):
        return sha256_hex(value)
    if isinstance(value, dict):
        return {str(key): _stable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


#: Paid steps are cached on their inputs across runs (results persisted): a re-run, a retry or a
#: resumed suspension with the same inputs makes no provider call.
PAID_STEP = TASK_SOURCE + CacheKeyFnPolicy(cache_key_fn=_content_key)


def writer(provider: str, providers: ProviderSettings) -> TextProvider:
    return text_provider(provider, provider_context(providers))


@task(persist_result=True, cache_policy=PAID_STEP)
def analyse_audience(
    source: Source, provider: str, providers: ProviderSettings, hint: str = ""
) -> AudienceProfile:
    """Who the content is for; `hint` is the brief's own description of its audience (part of
    the cache key, as every input)."""
    with provider_slot(provider):
        audience = writer(provider, providers).analyse_audience(source, hint)
    if audience.generation is not None:
        audience = audience.model_copy(update={"generation": priced(audience.generation)})
    create_markdown_artifact(
        key="audience", markdown=audience_markdown(audience, hint), description="Audience"
    )
    return audience


def audience_markdown(audience: AudienceProfile, hint: str = "") -> str:
    """The profile as the run shows it: summary, reading level, then each list."""

    def listed(title: str, items: list[str]) -> list[str]:
        return [f"**{title}:**", "", *([f"* {item}" for item in items] or ["* —"]), ""]

    lines = [audience.summary, "", f"**Reading level:** {audience.reading_level}", ""]
    if hint.strip():
        lines += [f"**Audience hint (from the brief):** {' '.join(hint.split())}", ""]
    lines += listed("Interests", audience.interests)
    lines += listed("Needs", audience.needs)
    lines += listed("Objections", audience.objections)
    lines += listed("Vocabulary", audience.vocabulary)
    return "\n".join(lines).rstrip() + "\n"


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
        plan = writer(provider, providers).plan_posts(source, audience, brand, channels)
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
        posts = writer(provider, providers).write_posts(source, plan, brand, channels, revision)
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
