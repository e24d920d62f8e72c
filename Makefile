# Two commands do everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-browser lint format bench install clean

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Charter needs $(PYTHON) on PATH (set PYTHON=... to use another 3.11+)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.0.1"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Set up everything, load the demo company and serve it on http://127.0.0.1:8000 with a worker.
run: $(STAMP)
	$(BIN)/charter migrate --no-input -v 0
	$(BIN)/charter demo
	$(BIN)/charter serve --host 127.0.0.1 --port 8000

## Lint, types, migrations check and the whole test suite (browser tests skip without Chromium).
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=charter.test_settings $(BIN)/python -m django makemigrations --check --dry-run
	$(BIN)/pytest -n 2 -m "not browser"
	$(BIN)/pytest -m browser -p no:randomly

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
