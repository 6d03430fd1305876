"""The composition root for generation providers: keys from the environment or Prefect Secret
blocks, `auto` resolved once per run and logged, one global concurrency limit per vendor.

Keys never become task inputs (inputs are hashed into cache keys and shown in the UI): each task
that needs a provider builds its context here, inside the task.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from prefect import get_run_logger, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import (
    GlobalConcurrencyLimitCreate,
    GlobalConcurrencyLimitUpdate,
)
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectNotFound

from pressroom.providers import ProviderContext, resolve_name
from pressroom.settings import ProviderSettings

KEY_SOURCES = {
    "openai": ("OPENAI_API_KEY", "openai"),
    "elevenlabs": ("ELEVENLABS_API_KEY", "elevenlabs"),
}


def _secret_block(name: str) -> str:
    from prefect.blocks.system import Secret

    block: Any = Secret.load(name)  # sync in a sync context
    return str(block.get())


def api_keys(settings: ProviderSettings) -> dict[str, str]:
    """Vendor → key, from the Secret block named in the config, else the environment."""
    keys: dict[str, str] = {}
    for vendor, (variable, section) in KEY_SOURCES.items():
        block = getattr(settings, section).api_key_block
        value = _secret_block(block) if block else os.environ.get(variable, "")
        if value:
            keys[vendor] = value
    return keys


def provider_context(settings: ProviderSettings) -> ProviderContext:
    return ProviderContext(settings=settings, api_keys=api_keys(settings))


def _model_of(provider: str, medium: str, settings: ProviderSettings) -> str:
    if provider == "openai":
        return {
            "text": settings.openai.text_model,
            "image": settings.openai.image_model,
            "voice": settings.openai.speech_model,
        }[medium]
    if provider == "elevenlabs":
        return settings.elevenlabs.model
    return "embedded"


def _limit_name(provider: str) -> str:
    return f"provider-{provider}"


def ensure_limit(name: str, limit: int) -> None:
    with get_client(sync_client=True) as client:
        try:
            current = client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=name, limit=limit)
            )
            return
        if current.limit != limit:
            client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=limit))


@task
def choose_providers(settings: ProviderSettings) -> dict[str, str]:
    """Resolve `auto`, log the choice, and set each vendor's concurrency limit."""
    context = provider_context(settings)
    chosen = {medium: resolve_name(medium, context) for medium in ("text", "image", "voice")}
    get_run_logger().info(
        "Providers: %s",
        ", ".join(
            f"{medium}={name} ({_model_of(name, medium, settings)})"
            for medium, name in chosen.items()
        ),
    )
    for name in set(chosen.values()) - {"offline"}:
        ensure_limit(_limit_name(name), getattr(settings, name).concurrency)
    return chosen


@contextmanager
def provider_slot(provider: str) -> Iterator[None]:
    """Hold one of the vendor's concurrency slots for a call; embedded providers need none."""
    guard = nullcontext() if provider == "offline" else concurrency(_limit_name(provider))
    with guard:
        yield
