# Two commands do everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
# axe-core for the accessibility browser test, pinned by package-lock.json.
# npm writes node_modules/.package-lock.json last, when an install completes.
AXE := node_modules/.package-lock.json
HOST ?= 127.0.0.1
PORT ?= 8000
# The local demo speaks plain HTTP on the loopback address: without HTTPS=0, cookies would be
# secure-only and every request redirected to https://, so nobody could sign in. No DEBUG: the
# demo shows Charter's own 404/403/500 pages, not Django's debug page listing every URL, and
# WhiteNoise serves the static files either way (tests/test_make_run.py).
RUN_ENV := DEBUG=0 HTTPS=0 SITE_URL=http://$(HOST):$(PORT)

.PHONY: run test test-browser lint format bench install clean

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Charter needs $(PYTHON) on PATH (set PYTHON=... to use another 3.11+)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.0.1"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# From the npm registry, at the locked version, when npm is here; the tests never fetch it.
# Without npm the accessibility test skips and says so, as the browser tests do without Chromium.
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund; \
	else echo "npm is not installed: the axe-core accessibility test will skip"; fi

## Create the virtualenv and install the locked dependencies.
install: $(STAMP)

## Set up everything, load the demo company (printing its logins) and serve it on
## http://127.0.0.1:8000 with a background worker. Ctrl-C stops it.
run: $(STAMP)
	$(RUN_ENV) $(BIN)/charter migrate --no-input -v 0
	$(RUN_ENV) $(BIN)/charter demo
	$(RUN_ENV) $(BIN)/charter serve --host $(HOST) --port $(PORT)

## Lint, format check, types, migrations check, the test suite, then the browser tests (these
## skip, saying why, when no Chromium is installed; the axe-core scan also without npm).
test: $(STAMP) $(AXE)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=charter.test_settings $(BIN)/python -m django makemigrations --check --dry-run
	$(BIN)/pytest -n 2 -m "not browser"
	$(BIN)/pytest -m browser -rs

## Only the browser tests (Playwright driving the system Chromium).
test-browser: $(STAMP) $(AXE)
	$(BIN)/pytest -m browser -rs

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## Fix what ruff can fix and format the code.
format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

## Run the benchmarks (slow: the KPI one builds 5 M deals and 20 M activities). Pick some and
## pass their options with BENCH_ARGS, e.g. make bench BENCH_ARGS="kpi_scorecards --scale 0.01".
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# What only the benchmarks need (DuckDB), kept out of requirements.lock.
$(BENCH_STAMP): $(STAMP) requirements-bench.lock
	$(BIN)/python -m pip install --quiet -r requirements-bench.lock
	touch $(BENCH_STAMP)

## Remove the virtualenv and caches (not the data folder: that holds your database).
clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache node_modules
