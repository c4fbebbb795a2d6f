# Set-up in two commands: `make run` and `make test` (see README.md).
# The first interpreter that runs and is Python 3.12+ (pyenv shims may exist but not run).
PYTHON ?= $(shell for p in python3 python3.13 python3.12; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The compiled catalogue (locale/*/LC_MESSAGES/*.mo) is committed, so a machine without
# GNU gettext still runs in Finnish; where msgfmt exists the catalogue is recompiled.
COMPILE_MESSAGES = $(if $(and $(shell command -v msgfmt),$(wildcard locale/*/LC_MESSAGES/*.po)),\
	$(BIN)/python manage.py compilemessages --ignore=$(VENV) -v0,@true)

.PHONY: run test install migrate seed worker beat bench lint typecheck messages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required (Django 6)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# run_demo = runserver plus Celery beat's periodic jobs in a thread of the same process
# (surveys, reminders, SLA warnings, auto-close, rollups, digest): docs/demo.md.
run: migrate
	$(COMPILE_MESSAGES)
	$(BIN)/python manage.py seed_demo --once
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py run_demo 127.0.0.1:8000

test: install
	$(COMPILE_MESSAGES)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A helpdesk worker -l info --without-gossip --without-mingle --without-heartbeat

beat: install
	$(BIN)/celery -A helpdesk beat -l info

bench: migrate
	$(BIN)/python manage.py bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

# mypy with django-stubs on the services, queries and API modules ([tool.mypy] in
# pyproject.toml); its cache in .mypy_cache makes a second run take seconds.
typecheck: install
	$(BIN)/mypy

messages: install
	$(BIN)/python manage.py makemessages -l fi --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py makemessages -d djangojs -l fi --ignore=.venv --ignore=staticfiles --ignore=static/vendor

clean:
	rm -rf $(VENV) staticfiles
