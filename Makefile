# plein: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
# Test runs keep their caches (the webwatch lexicon, chromium's profile) in the repository, not in ~.
TEST_ENV := XDG_CACHE_HOME=$(CURDIR)/.cache/xdg XDG_CONFIG_HOME=$(CURDIR)/.cache/xdg-config
WORKERS ?= auto
# pytest exits with 5 when a marker selects no tests; that is not a failure here.
NONE_SELECTED_OK := || [ $$? -eq 5 ]

.PHONY: run test test-fast bench lint install lock serve clean

# The exact versions of requirements.lock (hash-checked), then plein itself without resolving again.
$(PY_STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(PY_STAMP) $(NPM_STAMP)

## lock: resolve requirements.lock again after pyproject.toml changed (other pins kept; UPGRADE=1 takes the newest)
lock: $(PY_STAMP)
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --generate-hashes --python-version 3.11.5 --no-header \
		$(if $(UPGRADE),--upgrade) -o $(LOCK)

## run: install, create var/plein.db, seed the small demo world (once), serve at http://127.0.0.1:8000
run: install
	$(BIN)/plein init
	$(BIN)/plein demo seed --size small --if-empty
	$(BIN)/plein serve

## test: install, lint, type-check and run the whole test suite (SQLite and PostgreSQL): the independent
## tests in parallel, then those marked serial on their own
test: install lint
	$(TEST_ENV) $(BIN)/pytest -q -n $(WORKERS) --dist loadscope -m "not serial" $(NONE_SELECTED_OK)
	$(TEST_ENV) $(BIN)/pytest -q -m serial $(NONE_SELECTED_OK)

## test-fast: the inner loop, no lint, no slow or browser tests
test-fast: install
	$(TEST_ENV) $(BIN)/pytest -q -n $(WORKERS) --dist loadscope -m "not slow and not browser and not serial" $(NONE_SELECTED_OK)
	$(TEST_ENV) $(BIN)/pytest -q -m "serial and not slow and not browser" $(NONE_SELECTED_OK)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## bench: run every benchmark, each figure beside its baseline from the same run
bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules .cache .pytest_cache .mypy_cache .ruff_cache
