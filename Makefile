# backend-labs: `make lab LAB=sql-joins` to start a lab, `make test` for the project's own tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := $(VENV)/node/.installed-stamp
LAB ?=

.PHONY: setup lab check test lint bench docker-images services-up services-down

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "backend-labs needs Python 3.11 or newer: set PYTHON=python3.11")'
	@echo "setup 1/3: creating $(VENV) with $(PYTHON)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "setup 2/3: upgrading pip"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "setup 3/3: installing the grader and its dependencies (about a minute the first time; full log: $(VENV)/pip.log)"
	@{ $(BIN)/python -m pip install -e '.[dev]'; echo $$? > $(VENV)/.pip-status; } 2>&1 | tee $(VENV)/pip.log \
		| grep --line-buffered -E '^(Collecting|Successfully installed|ERROR)' | sed 's/^/  /'
	@test "$$(cat $(VENV)/.pip-status)" = 0 || { echo "setup failed: see $(VENV)/pip.log"; exit 1; }
	@touch $(STAMP)
	@echo "setup done: $(BIN)/grader --help lists the commands"

# npm packages a learner's Node.js app may require (API labs), installed once here and never at
# grading time: the sandboxed app finds them through NODE_PATH (grader/apps/environment.py).
$(NODE_STAMP): runtimes/node/package.json runtimes/node/package-lock.json | $(STAMP)
	@if command -v npm >/dev/null 2>&1; then \
		mkdir -p $(VENV)/node && cp runtimes/node/package.json runtimes/node/package-lock.json $(VENV)/node/ && \
		npm ci --prefix $(VENV)/node --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: Node.js apps in the API labs cannot run here (Python apps are unaffected)"; fi

setup: $(STAMP) $(NODE_STAMP)

lab: setup
	@test -n "$(LAB)" || { echo "usage: make lab LAB=<lab id>   (see: $(BIN)/grader list)"; exit 2; }
	$(BIN)/grader start $(LAB)

check: setup
	@test -n "$(LAB)" || { echo "usage: make check LAB=<lab id>"; exit 2; }
	$(BIN)/grader check $(LAB)

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# The speed figures side by side (warm, cold, a container per lab, the code before the speed work):
# writes benchmarks/RESULTS.md.
bench: setup
	$(BIN)/python benchmarks/bench_speed.py

docker-images:
	docker/build-images.sh

# Playground servers from compose/docker-compose.yml (the grader reaches them through GRADER_*_URL).
# SERVICES="postgres redis" starts only those; compose/.env (see compose/.env.example) sets ports and images.
SERVICES ?=
services-up:
	compose/services.sh up $(SERVICES)

services-down:
	compose/services.sh down
