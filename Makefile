# Seller Desk. `make run` serves the desk with demo data; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install run serve migrate seed test lint format bench browser-deps clean messages

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## create .venv and install pinned dependencies

migrate: install ## apply migrations
	$(PY) manage.py migrate --noinput

seed: migrate ## load demo data (idempotent) and warm the suggestion cache
	$(PY) manage.py seed_demo
	$(PY) manage.py warm_suggestions

run: seed ## serve the desk on 127.0.0.1:8000 with demo data (SQLite + in-process tasks unless DATABASE_URL/REDIS_URL)
	@if [ -n "$$REDIS_URL" ]; then \
		STATIC_MANIFEST=1 $(PY) manage.py collectstatic --noinput -v 0 && \
		DEMO_MODE=1 STATIC_MANIFEST=1 $(VENV)/bin/honcho start -f Procfile; \
	elif [ -n "$$DATABASE_URL" ]; then \
		STATIC_MANIFEST=1 $(PY) manage.py collectstatic --noinput -v 0 && \
		DEMO_MODE=1 STATIC_MANIFEST=1 $(VENV)/bin/gunicorn seller_desk.wsgi -c gunicorn.conf.py; \
	else \
		DEMO_MODE=1 $(PY) manage.py runserver 127.0.0.1:8000; \
	fi

browser-deps: install ## install Chromium and the Noto fonts for browser tests (Debian, as root)
	@bash scripts/ensure_browser.sh

test: install browser-deps ## lint, migration check and the whole test suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(VENV)/bin/pytest

lint: install ## ruff check
	$(VENV)/bin/ruff check .

format: install ## ruff format and fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

MSG_IGNORE := --ignore=.venv --ignore=staticfiles --ignore=test-artifacts --ignore=tests --ignore=bench --ignore=media
messages: install ## extract the interface strings into locale/zh_Hans (.po) and compile them (.mo): docs/i18n.md
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location $(MSG_IGNORE)
	$(PY) manage.py makemessages -d djangojs -l zh_Hans --no-obsolete --no-location $(MSG_IGNORE) --ignore=static/desk/htmx.min.js
	$(PY) manage.py compilemessages -l zh_Hans $(MSG_IGNORE)

bench: install ## the benchmarks that need no database of their own (the scale ones: README, docs/benchmarks.md)
	@for f in bench/bench_guard.py bench/bench_suggestion.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean: ## remove the venv, the SQLite file and caches
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache
