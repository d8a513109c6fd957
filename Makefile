# PolicyWatch. `make demo` and `make test` do all the set-up themselves from a fresh clone:
# they need only Python 3.11+ on PATH (as python3) and access to PyPI.
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# pytest workers; the suite is sized for 2 cores.
PYTEST_WORKERS ?= 2

export PREFECT_HOME ?= $(CURDIR)/var/prefect
export PYTHONUNBUFFERED := 1

.PHONY: help install demo test soak lint format bench clean

help:
	@echo "make demo    run the monitor against the local replica sites (govsim) and show the alerts"
	@echo "make test    lint + the whole test suite (SQLite; PostgreSQL too when it runs on 127.0.0.1:5432)"
	@echo "make soak    the long variants of the kill, race and fuzz tests (tens of minutes)"
	@echo "make bench   run the benchmarks and write docs/benchmarks.md"
	@echo "make lint    ruff (lint and format) + mypy"

$(UV):
	$(PYTHON) -c 'import sys; sys.exit("PolicyWatch needs Python 3.11+, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The lockfile is the source of truth: --locked fails if uv.lock and pyproject.toml disagree.
# --compile-bytecode: every crawler, CLI and worker process would otherwise compile its imports
# again (about 2 s of CPU each) wherever bytecode is not written (PYTHONDONTWRITEBYTECODE).
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --compile-bytecode --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/policywatch demo

TYPED := config sites notices changes ingest alerts storage policywatch flows spiders govsim

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(TYPED)

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(TYPED)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

# The long variants; `make test` runs a short variant of each.
soak: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -m soak --timeout 3600

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache .ruff_cache .mypy_cache
