"""Fake services for tests and benchmarks: real wire formats on 127.0.0.1."""
