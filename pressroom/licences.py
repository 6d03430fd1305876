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
