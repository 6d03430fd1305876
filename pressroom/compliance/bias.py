"""Bias (B1–B4) and brand safety: coded, discriminatory or offensive words; claims to back."""

from __future__ import annotations

from pressroom.compliance.base import PostRule

RULES: tuple[PostRule, ...] = ()
