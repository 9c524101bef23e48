# Everything a newcomer needs: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app gardenhub

.PHONY: run test test-postgres e2e bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,e2e]'
	touch $@

run: $(VENV)/.installed
	GARDENHUB_ENV=development $(FLASK) db upgrade
	GARDENHUB_ENV=development $(FLASK) demo
	GARDENHUB_ENV=development $(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed
	$(BIN)/ruff check gardenhub tests migrations $(wildcard bench)
	$(BIN)/bandit --quiet --recursive gardenhub --severity-level high --confidence-level medium
	$(BIN)/pytest

# Needs GARDENHUB_TEST_DATABASE_URL; .ci/run provides a throw-away database.
test-postgres: $(VENV)/.installed
	$(BIN)/pytest -m 'not browser'

e2e: $(VENV)/.installed
	bash tests/browser/setup.sh
	$(BIN)/pytest -m browser tests/browser

bench: $(VENV)/.installed
	bash bench/run.sh

lint: $(VENV)/.installed
	$(BIN)/ruff check gardenhub tests migrations $(wildcard bench)
	$(BIN)/ruff format --check gardenhub tests migrations $(wildcard bench)

clean:
	rm -rf $(VENV) .pytest_cache
