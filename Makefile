# Tryghed: `make demo` runs the product with a demo organisation; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV       := .venv
PY         := $(VENV)/bin/python
# The product (make demo) and the product plus the development tools (make test): two
# stamps, so a demo installs no test tools and a test run after a demo adds them.
STAMP      := $(VENV)/.installed
DEV_STAMP  := $(VENV)/.installed-dev
DATA_DIR   := data
HOST       ?= 127.0.0.1
PORT       ?= 8000
# PostgreSQL for the second test run: DATABASE_URL if set, else the local server.
PG_URL     ?= $(if $(DATABASE_URL),$(DATABASE_URL),postgres://postgres@127.0.0.1:5432/tryghed)

.PHONY: help install install-dev demo serve test lint typecheck test-sqlite test-postgres check-deploy bench clean messages

help:
	@echo "make demo   install, migrate, load the demo organisation and serve it on http://$(HOST):$(PORT)"
	@echo "make test   install and run ruff, mypy, the tests on SQLite and PostgreSQL, check --deploy"
	@echo "make bench  run the benchmarks under bench/"

$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then \
	  rm -rf $(VENV); \
	  python=$$(scripts/find-python); \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@rm -f $(DEV_STAMP)
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# The demo as a user meets it: DEBUG off (the product's own error pages, never Django's
# technical ones), static files served by runserver --insecure, and e-mail links that
# point at the HOST and PORT it runs on.
DEMO_ENV := DEBUG=0 TRYGHED_SITE_URL=http://$(HOST):$(PORT) \
	ALLOWED_HOSTS=$(HOST),127.0.0.1,localhost

demo: $(STAMP)
	@mkdir -p $(DATA_DIR)
	$(DEMO_ENV) $(PY) -m tryghed.manage migrate --no-input
	$(DEMO_ENV) $(PY) -m tryghed.manage load_demo
	@# The task worker sends the e-mails (printed to data/worker.log in the demo).
	@$(DEMO_ENV) $(PY) -m tryghed.manage db_worker --no-startup-delay --interval 2 > $(DATA_DIR)/worker.log 2>&1 & \
	worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) -m tryghed.manage demo_banner --url http://$(HOST):$(PORT)/; \
	$(DEMO_ENV) $(PY) -m tryghed.manage runserver $(HOST):$(PORT) --noreload --insecure

serve: $(STAMP)
	$(PY) -m tryghed.manage runserver $(HOST):$(PORT)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy

test-sqlite: $(DEV_STAMP)
	env -u DATABASE_URL $(VENV)/bin/pytest -q

test-postgres: $(DEV_STAMP)
	@if $(PY) scripts/pg_ready.py "$(PG_URL)"; then \
	  DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest -q -m "not browser and not bench_smoke"; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL at $(PG_URL) does not answer, and CI=true requires it." >&2; exit 1; \
	else \
	  echo "SKIPPED: the PostgreSQL run: no server answers at $(PG_URL) (set DATABASE_URL to use another)."; \
	fi

check-deploy: $(STAMP)
	TRYGHED_ENV=production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	TRYGHED_ANSWER_KEYS=check:$$($(PY) -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())') \
	ALLOWED_HOSTS=tryghed.example DATABASE_URL=sqlite:///:memory: \
	$(PY) -m tryghed.manage check --deploy --fail-level WARNING

test: lint typecheck test-sqlite test-postgres check-deploy
	@echo "All checks passed."

bench: $(DEV_STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

messages: $(STAMP)
	cd src/tryghed && ../../$(PY) -m tryghed.manage makemessages -l en -l da --no-obsolete && ../../$(PY) -m tryghed.manage compilemessages

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
