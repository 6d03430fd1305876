"""Hostile sources and outputs (I2–I4): instructions aimed at a model, smuggled links."""

from __future__ import annotations

from pressroom.compliance.base import PostRule

RULES: tuple[PostRule, ...] = ()
