# Rapport: `make run` sets everything up and starts the server; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format clean install extension browser-deps bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Rapport needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The loadable extension in build/extension/ and its zip.
extension: $(STAMP)
	$(BIN)/python tools/build_extension.py

run: $(STAMP) extension
	$(BIN)/rapport serve

browser-deps:
	@sh tools/ensure-browser.sh

test: $(STAMP) extension browser-deps
	node --test tests/extension/
	$(BIN)/python -m pytest

# Benchmarks (docs/performance.md): `make bench` at 100,000 people, `make bench SCALE=small` in
# seconds. The table goes to the terminal, the records to bench/results/latest.json.
SCALE ?= full
bench: $(STAMP) extension browser-deps
	$(BIN)/python -m tools.bench --scale $(SCALE)

lint: $(STAMP) extension
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
	npx --no-install web-ext lint --source-dir build/extension

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache backend/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
