# Two commands do all set-up: `make serve` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
PORT ?= 8000
# The suite in a process per core, at most four (pytest-xdist); an idle process takes tests from a busy one.
PYTEST := $(BIN)/pytest -n auto --maxprocesses 4 --dist worksteal

.PHONY: serve test check lint browser-deps services-deps bench

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

serve: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py reload_timeline || echo "Serving without reloading: see the message above."
	$(BIN)/python manage.py render_events
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

browser-deps:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }
	@test node_modules/.package-lock.json -nt package-lock.json || npm ci --no-audit --no-fund --loglevel=error

services-deps:
	@test -x /usr/lib/postgresql/15/bin/initdb || { apt-get update -qq && apt-get install -y -qq postgresql-15; }
	@test -f /usr/share/postgresql/15/extension/rum.control || { apt-get update -qq && apt-get install -y -qq postgresql-15-rum; }
	@command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }
	@test -x /usr/sbin/varnishd || { apt-get update -qq && apt-get install -y -qq varnish; }

test: $(STAMP) lint browser-deps services-deps
	$(BIN)/python manage.py makemigrations --check --dry-run
	@echo "== Test suite on SQLite =="
	$(PYTEST)
	@echo "== Test suite on a throwaway PostgreSQL 15 cluster and Redis =="
	$(BIN)/python tests/services.py --postgres --redis -- $(PYTEST)

# The inner loop: lint, then the tests that need no browser, no server of their own and are not slow, on SQLite.
check: $(STAMP) lint
	$(BIN)/pytest -n auto --maxprocesses 2 --dist worksteal -m "not browser and not services and not slow"

bench: $(STAMP) browser-deps services-deps
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py
