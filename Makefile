# The two front doors: `make run` and `make test`. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck clean-db help

help:
	@echo "make run   - set up and start SATgen at http://127.0.0.1:8000"
	@echo "make test  - set up and run the whole test suite"
	@echo "make lint  - ruff"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.deps-run: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.deps-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.deps-run

run: $(VENV)/.deps-run
	DEBUG=1 $(PY) manage.py migrate --no-input --verbosity 0
	DEBUG=1 $(PY) manage.py seed_bank
	DEBUG=1 $(PY) manage.py ensure_local_admin
	DEBUG=1 $(PY) manage.py serve_local

test: $(VENV)/.deps-dev lint
	$(VENV)/bin/pytest

lint: $(VENV)/.deps-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.deps-dev
	$(VENV)/bin/mypy questions generation satgen
