# backend-labs: `make lab LAB=sql-joins` to start a lab, `make test` for the project's own tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LAB ?=

.PHONY: setup lab check test lint docker-images services-up services-down

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "backend-labs needs Python 3.11 or newer: set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

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

docker-images:
	docker/build-images.sh

# Playground servers from compose/docker-compose.yml (the grader reaches them through GRADER_*_URL).
# SERVICES="postgres redis" starts only those; compose/.env (see compose/.env.example) sets ports and images.
SERVICES ?=
services-up:
	compose/services.sh up $(SERVICES)

services-down:
	compose/services.sh down
