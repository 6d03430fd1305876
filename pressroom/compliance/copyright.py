"""Copyright (C1–C2): no long unquoted copies of the source; short, attributed quotations."""

from __future__ import annotations

from pressroom.compliance.base import PostRule

RULES: tuple[PostRule, ...] = ()
