# The two commands: `make run` sets up and serves the platform; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test unit e2e bench check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m pip install --quiet -e examples/pathway-review-practice-contacts
	touch $@

run: $(VENV)/.installed
	$(BIN)/pathway-review init
	$(BIN)/pathway-review demo accounts
	@# Demo feedback, local notes and interface issues, added once per instance.
	@test -f instance/.demo-data || ( $(BIN)/pathway-review feedback demo 300 --seed 1 \
	  && $(BIN)/pathway-review local-notes demo && $(BIN)/pathway-review interface-log demo \
	  && touch instance/.demo-data )
	@# The worker delivers events, keeps search up to date and runs periodic tasks; it stops with the server.
	BIN=$(BIN) scripts/run-with-worker.sh --host $(HOST) --port $(PORT)

# The whole suite: unit tests, then the browser journeys (skipped, with the reason, without Chromium).
test: $(VENV)/.installed
	$(BIN)/python -m pytest

unit: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not e2e"

e2e: $(VENV)/.installed
	$(BIN)/python -m pytest tests/e2e

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run_all.py

check: $(VENV)/.installed
	$(BIN)/pathway-review check

clean:
	rm -rf $(VENV) instance .pytest_cache
