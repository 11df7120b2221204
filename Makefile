# Two commands a new user needs: `make run` and `make test`. Both set up what is missing first,
# idempotently: a second run with nothing changed installs nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint build validate clean schemas

run: $(VENV)/.installed ## set up, validate and build every site, serve them on http://127.0.0.1:8000
	$(BIN)/recruit validate
	$(BIN)/recruit serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed ## set up and run the whole suite
	$(BIN)/ruff check generator forms_backend tests
	$(BIN)/pytest

install: $(VENV)/.installed

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

build: $(VENV)/.installed
	$(BIN)/recruit build

validate: $(VENV)/.installed
	$(BIN)/recruit validate

# Regenerate the committed JSON Schemas editors read (a test fails when they are stale).
schemas: $(VENV)/.installed
	$(BIN)/recruit schema --write

clean:
	rm -rf dist .recruit-cache
