# The two commands: `make run` sets up and serves the platform; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test unit e2e lint bench check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	@echo "Installing into $(VENV) (a minute or two the first time)..."
	@# setuptools warns about every template and migration folder it builds; a newcomer can do nothing about it.
	@PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  -e examples/pathway-review-practice-contacts
	@touch $@

# Sets up the instance (database, demo accounts, demo data once) and serves it with gunicorn until ctrl-C:
# scripts/run.py lists the processes it starts and stops together.
run: $(VENV)/.installed
	@HOST=$(HOST) PORT=$(PORT) $(BIN)/python scripts/run.py

# The whole suite: unit tests, then the browser journeys (skipped, with the reason, without Chromium).
test: $(VENV)/.installed
	$(BIN)/python -m pytest

unit: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not e2e"

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
	rm -rf $(VENV) instance .pytest_cache
