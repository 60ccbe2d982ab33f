# Zhili: `make demo` runs the demo, `make test` runs the whole suite. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
PYTEST_ARGS ?=
BENCH_ARGS ?=
# The suite runs on every core (pytest-xdist; each worker loads its own test database) unless
# PYTEST_ARGS chooses: "-n 4", "-n 0" (one process) or "-p no:xdist". The browser tests (one
# server) and the access matrix each stay on one worker (XDIST_GROUPS in conftest.py).
XDIST_ARGS = $(if $(filter -n -n% --numprocesses% no:xdist,$(PYTEST_ARGS)),,-n auto)

.PHONY: setup messages demo demo-env test lint bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "需要 Python ≥ 3.12（可用 PYTHON=/path/to/python3.12 指定）"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The English catalogues: every .po newer than its .mo is compiled (pure Python, no gettext needed).
PO_FILES := $(shell find src/zhili -path '*/locale/*/LC_MESSAGES/*.po' 2>/dev/null)
MO_FILES := $(PO_FILES:.po=.mo)

%.mo: %.po $(STAMP)
	$(BIN)/python tools/compile_messages.py

messages: $(MO_FILES)

setup: $(STAMP) $(NODE_STAMP) messages

# The demo's settings file (DEBUG=1, a generated SECRET_KEY), read by every zhili command, so the
# README's commands work in a new shell. Kept under var/ (never committed); written once.
demo-env:
	@f="$${ZHILI_VAR:-var}/zhili.env"; mkdir -p "$$(dirname "$$f")"; test -f "$$f" || { \
	  printf '# make demo: settings read by every zhili command (the environment wins)\nDEBUG=1\nSECRET_KEY=%s\n' \
	    "$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > "$$f"; chmod 600 "$$f"; \
	  echo "已写入演示配置 $$f"; }

# demo_data runs, in one process, the steps an operator can run one by one: migrate, load_areas,
# load_demo, demo_matters, demo_cases, load_targets_demo, demo_outreach, demo_villages,
# demo_cockpit, demo_points, demo_wages (each skips what is already there).
demo: setup demo-env
	DEBUG=1 $(BIN)/zhili demo_data
	DEBUG=1 $(BIN)/zhili demo_serve

test: setup
	ZHILI_TESTING=1 $(BIN)/python -m pytest $(XDIST_ARGS) $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m zhili.bench.run $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	ZHILI_TESTING=1 $(BIN)/mypy src
	$(BIN)/python tools/lint_layers.py

clean:
	rm -rf $(VENV) node_modules var
