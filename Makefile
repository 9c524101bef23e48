# Everything a newcomer needs: `make run` serves the demo, `make test` runs the suite.
# Each target installs only what it uses: serving needs the runtime, the tests
# add their tools, the browser journeys add Playwright. A stamp per layer means
# a second run installs nothing, and a changed pyproject.toml reinstalls.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app gardenhub
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test test-postgres e2e bench lint clean messages catalogs

# Translations: the .po catalogs live in the repository; the .mo files they
# compile to are built here (by every target that serves or tests), never kept.
I18N := gardenhub/translations
CATALOGS := $(wildcard $(I18N)/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
EXTRACT := $(BIN)/pybabel --quiet extract -F $(I18N)/babel.cfg -k _l -k _ln:1,2 \
	--add-comments=Translators: --strip-comment-tags --add-location=file --sort-by-file \
	--project=GardenHub --copyright-holder="GardenHub contributors"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(PIP) -e '.[test]'
	touch $@

$(VENV)/.e2e: $(VENV)/.test
	$(PIP) -e '.[test,e2e]'
	touch $@

%.mo: %.po | $(VENV)/.runtime
	$(BIN)/pybabel --quiet compile -i $< -o $@

# After changing strings: extract them anew and merge them into every catalog
# (new ones empty, changed ones marked fuzzy); then translate what is new.
messages: $(VENV)/.runtime
	$(EXTRACT) -o $(I18N)/messages.pot .
	$(BIN)/pybabel --quiet update -i $(I18N)/messages.pot -d $(I18N) --ignore-obsolete

catalogs: $(COMPILED)

run: $(VENV)/.runtime $(COMPILED)
	GARDENHUB_ENV=development $(FLASK) db upgrade
	GARDENHUB_ENV=development $(FLASK) demo
	GARDENHUB_ENV=development $(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.test $(COMPILED)
	$(BIN)/ruff check gardenhub tests migrations $(wildcard bench)
	$(BIN)/bandit --quiet --recursive gardenhub --severity-level high --confidence-level medium
	$(BIN)/pytest

# Needs GARDENHUB_TEST_DATABASE_URL; .ci/run provides a throw-away database.
test-postgres: $(VENV)/.test $(COMPILED)
	$(BIN)/pytest -m 'not browser'

e2e: $(VENV)/.e2e $(COMPILED)
	bash tests/browser/setup.sh
	$(BIN)/pytest -m browser tests/browser

bench: $(VENV)/.test $(COMPILED)
	bash bench/run.sh

lint: $(VENV)/.test
	$(BIN)/ruff check gardenhub tests migrations $(wildcard bench)
	$(BIN)/ruff format --check gardenhub tests migrations $(wildcard bench)

clean:
	rm -rf $(VENV) .pytest_cache
