# The two commands: `make run` sets up and serves the platform; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test unit e2e lint bench check clean oidc-provider pdf-libraries

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	@echo "Installing into $(VENV) (a minute or two the first time)..."
	@# setuptools warns about every template and migration folder it builds; a newcomer can do nothing about it.
	@PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  -e examples/pathway-review-practice-contacts
	@$(MAKE) --no-print-directory pdf-libraries
	@touch $@

# WeasyPrint (PDF consultation reports) needs Pango, HarfBuzz and a font from the system. Debian's packages
# are installed only when one is missing and apt-get exists; elsewhere the message names what to install.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libraries:
	@missing=""; for package in $(PDF_PACKAGES); do \
	  dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing WeasyPrint's system libraries:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || \
	  echo "PDF reports need Pango and HarfBuzz (Debian: apt-get install $(PDF_PACKAGES))"

# Sets up the instance (database, demo accounts, demo data once) and serves it with gunicorn until ctrl-C:
# scripts/run.py lists the processes it starts and stops together.
run: $(VENV)/.installed
	@HOST=$(HOST) PORT=$(PORT) $(BIN)/python scripts/run.py

# The whole suite: unit tests, then the browser journeys (skipped, with the reason, without Chromium).
test: $(VENV)/.installed oidc-provider
	$(BIN)/python -m pytest

unit: $(VENV)/.installed oidc-provider
	$(BIN)/python -m pytest -m "not e2e"

# The real OpenID Connect provider that single sign-on is tested against (npm's oidc-provider under
# Node.js; Debian: apt-get install nodejs npm). Without npm those tests are skipped and say why.
OIDC_PROVIDER := tests/oidc_provider
oidc-provider:
	@if command -v npm >/dev/null 2>&1; then \
	  test $(OIDC_PROVIDER)/node_modules/.package-lock.json -nt $(OIDC_PROVIDER)/package-lock.json \
	  || (cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error); \
	else echo "npm not found: OpenID Connect sign-in tests will be skipped (apt-get install nodejs npm)"; fi

e2e: $(VENV)/.installed
	$(BIN)/python -m pytest tests/e2e

# Mistakes a reader would trip over (pyflakes, pycodestyle errors, bugbear); see [tool.ruff] in pyproject.toml.
lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run_all.py

check: $(VENV)/.installed
	$(BIN)/pathway-review check

clean:
	rm -rf $(VENV) instance .pytest_cache $(OIDC_PROVIDER)/node_modules
