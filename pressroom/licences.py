"""Licence records for the assets Pressroom makes (`configs/licences.yaml`, rule C3)."""

from __future__ import annotations

from typing import Literal

from pressroom.models import Generation, LicenceRecord
from pressroom.settings import LicenceCatalogue, ProviderSettings

Medium = Literal["image", "voice", "video"]


def _plan(provider: str, providers: ProviderSettings) -> str | None:
    return providers.elevenlabs.plan if provider == "elevenlabs" else None


def licence_for(
    generation: Generation,
    medium: Medium,
    catalogue: LicenceCatalogue,
    providers: ProviderSettings,
) -> LicenceRecord | None:
    """The record for an asset a provider generated, or None when the catalogue does not know
    the provider's terms for that medium (which rule C3 reports as a blocker)."""
    terms = catalogue.providers.get(generation.provider, {}).get(medium)
    if terms is None:
        return None
    plan = _plan(generation.provider, providers)
    return LicenceRecord(
        origin="generated",
        provider=generation.provider,
        model=generation.model,
        plan=plan,
        terms=" ".join(terms.terms.split()),
        commercial_use=terms.plans.get(plan, terms.commercial_use)
        if plan
        else terms.commercial_use,
    )


def combined_licence(
    parts: list[LicenceRecord | None], *, provider: str, model: str
) -> LicenceRecord | None:
    """The licence of an asset made from others (a video from its images, voice and music):
    unknown if any part's is, forbidding commercial use if any part forbids it, unclear if any
    part is unclear."""
    if not parts or any(part is None for part in parts):
        return None
    known = [part for part in parts if part is not None]
    uses = [part.commercial_use for part in known]
    use = False if False in uses else None if None in uses else True
    terms = "; ".join(dict.fromkeys(f"{part.provider}: {part.terms}" for part in known))
    return LicenceRecord(
        origin="generated",
        provider=provider,
        model=model,
        terms=f"Made by Pressroom from parts licensed as follows. {terms}",
        commercial_use=use,
    )
