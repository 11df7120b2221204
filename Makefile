# Two commands a new user needs: `make run` and `make test`. Both set up what is missing first,
# idempotently: a second run with nothing changed installs nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite's temporary files go to memory where the machine has it: its databases commit with
# a real fsync each time, which tmpfs makes free (crash safety is tested by killing processes).
TEST_TMPDIR ?= $(if $(wildcard /dev/shm/.),/dev/shm,$(or $(TMPDIR),/tmp))

.PHONY: run test install browser axe postgres build validate verify clean schemas bench

run: $(VENV)/.installed ## set up, validate and build every site, serve them on http://127.0.0.1:8000
	$(BIN)/recruit validate
	$(BIN)/recruit db migrate
	$(BIN)/recruit serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed browser axe postgres ## set up and run the whole suite
	$(BIN)/ruff check .
	TMPDIR=$(TEST_TMPDIR) $(BIN)/pytest

install: $(VENV)/.installed

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# A Chromium for the browser tests: $RECRUIT_CHROMIUM, else the system's headless shell (Debian's
# `chromium-headless-shell`, installed here when missing and we are root), else the system's
# full `chromium`, else Playwright's own download.
browser: $(VENV)/.installed
	@if [ -n "$$RECRUIT_CHROMIUM" ] || command -v chromium-headless-shell >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium-headless-shell package for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null \
	    && exit 0; \
	fi; \
	if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then exit 0; fi; \
	$(BIN)/python -m playwright install chromium || { \
	  echo "No Chromium found: install your system's chromium-headless-shell or chromium package, or set RECRUIT_CHROMIUM"; exit 1; }

# PostgreSQL for the suite's second engine: Debian's postgresql package, installed when missing and
# we are root. The suite makes its own throwaway cluster (tests/postgres_cluster.py); nothing here
# starts a server, and the package is told not to create and start a cluster of its own.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's postgresql package for the suite's PostgreSQL tests"; \
	  mkdir -p /etc/postgresql-common/createcluster.d \
	    && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/recruit.conf \
	    && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
	    && exit 0; \
	fi; \
	echo "PostgreSQL is not installed: the suite skips its PostgreSQL half (install your system's postgresql package)"

# axe-core for `recruit verify`, as package-lock.json pins it (node_modules/ is never committed).
# npm runs only when node_modules is missing or package.json/package-lock.json changed.
axe: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for axe-core (recruit verify): install Node.js"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Check every site in Chromium; the report goes to reports/index.html.
verify: $(VENV)/.installed browser axe
	$(BIN)/recruit verify

build: $(VENV)/.installed
	$(BIN)/recruit build

validate: $(VENV)/.installed
	$(BIN)/recruit validate

# Regenerate the committed JSON Schemas editors read (a test fails when they are stale).
schemas: $(VENV)/.installed
	$(BIN)/recruit schema --write

clean:
	rm -rf dist reports .recruit-cache

# The benchmarks (bench/): full build against Hugo, incremental rebuild, page weight, Lighthouse,
# backend throughput; a table, and bench/results.json. BENCH_SCALE=0.1 shrinks the synthetic region.
# Hugo is Debian's `hugo` package (installed here when missing and we are root). Lighthouse comes
# from bench/package-lock.json into bench/node_modules, so `make test` never installs it.
bench: $(VENV)/.installed browser postgres bench/node_modules/.installed
	@if ! command -v hugo >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's hugo package for the build comparison"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >/dev/null; \
	  else echo "Hugo is needed for the build comparison: install your system's hugo package"; exit 1; fi; \
	fi
	@if ! command -v chromium >/dev/null 2>&1 && [ -z "$$RECRUIT_CHROMIUM" ] \
	    && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium package for Lighthouse"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	$(BIN)/python -m bench

bench/node_modules/.installed: bench/package.json bench/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for Lighthouse (make bench): install Node.js"; exit 1; }
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	@touch $@
