"""Hallucination and grounding (H1–H5): what the output claims must be in the source."""

from __future__ import annotations

from pressroom.compliance.base import PostRule

RULES: tuple[PostRule, ...] = ()
