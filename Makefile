# Two commands do all set-up: `make run` serves the app, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 4
THREADS ?= 4
GUNICORN_FLAGS ?= --access-logfile -
PIP_FLAGS ?= -q
# pytest-xdist processes; loadfile keeps each test file (and its module-scoped servers) on one of them.
TEST_WORKERS ?= auto

.PHONY: run test lint format serve-prod clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_FLAGS) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_FLAGS) -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/crosscheck upgrade-db
	-$(BIN)/crosscheck load-exercises
	$(BIN)/crosscheck serve --host $(HOST) --port $(PORT)

# Production-style: gunicorn with $(WORKERS) workers on DATABASE_URL (PostgreSQL), rate limits in Redis.
# app/serving.py holds gunicorn's hooks (each worker freezes its start-up heap).
# gunicorn trusts X-Forwarded-Proto from no address (its default trusts loopback): the app alone reads
# forwarded headers, and only when TRUSTED_PROXIES says how many proxies are in front.
serve-prod: $(VENV)/.installed-run
	@test -n "$$DATABASE_URL" || { echo "serve-prod needs DATABASE_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/crosscheck"; exit 2; }
	$(BIN)/crosscheck upgrade-db
	-$(BIN)/crosscheck load-exercises
	RATELIMIT_STORAGE_URI=$${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379} \
	  $(BIN)/gunicorn --workers $(WORKERS) --threads $(THREADS) --bind $(HOST):$(PORT) --no-control-socket \
	  --forwarded-allow-ips '' --graceful-timeout 10 --config python:app.serving $(GUNICORN_FLAGS) 'app:create_app()'

test: $(VENV)/.installed-test
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# ruff (lint and format check) and mypy, configured in pyproject.toml; CI runs this before the tests.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
