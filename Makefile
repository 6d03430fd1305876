# Everything a fresh machine needs: `make demo` and `make test` set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench install server stop-server clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Pressroom needs Python >= 3.11 (set PYTHON=...)" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## The sample article through URL → social; waits for your review, then publishes to out/.
demo: $(STAMP)
	$(BIN)/pressroom demo

## Lint, types, then every test (unit and integration, on a real Prefect backend).
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/social.py
	$(BIN)/python benchmarks/publish.py
	$(BIN)/python benchmarks/providers.py
	$(BIN)/python benchmarks/compliance.py
	$(BIN)/python benchmarks/provenance.py
	$(BIN)/python benchmarks/chain.py    # ~10 min: one brief, then a weekly batch of 10
	$(BIN)/python benchmarks/render.py   # ~5-8 min: moviepy is the slow baseline

server: $(STAMP)
	$(BIN)/pressroom server start

stop-server: $(STAMP)
	$(BIN)/pressroom server stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
