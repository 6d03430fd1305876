"""Prefect tasks: one module per editorial step; retries, caching, artifacts, the review gate."""
