# Local development: `make run` (SQLite + eager Celery, no services needed), `make test`,
# `make bench`, `make lint`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench lint venv

venv: $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled only when requirements.lock is newer than the stamp.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.lock
	touch $@

run: $(VENV)/.installed
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py certificate_keys init
	$(BIN)/python manage.py certificate_fonts
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test:
	scripts/test.sh

bench:
	scripts/bench.sh

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
