# QI Portal: `make run` sets up and serves the app; `make test` sets up and runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEMO_PASSWORD ?= qi-portal-demo
# The embedded set-up: SQLite, eager Celery, console email, DEBUG on for local serving only.
RUN_ENV := DEBUG=true

.PHONY: help run serve test lint format bench frontend clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(VENV): $(VENV)/.installed

run: $(VENV)  ## set up and serve on http://127.0.0.1:8000 with the demo trust
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo --password "$(DEMO_PASSWORD)"
	@echo "Sign in at http://127.0.0.1:8000 as qilead, sponsor, wardmanager, staff, coach, admin or hca, password: $(DEMO_PASSWORD)"
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)  ## what CI runs: migrations check, lint, import layers, compose validation, the whole pytest suite
	TESTING=true DEBUG=false SECRET_KEY=test-only ALLOWED_HOSTS=testserver,localhost,127.0.0.1 \
		$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	$(BIN)/bandit -q -r qiportal projects ffit runcharts excellence hub -c pyproject.toml --severity-level medium
	@# pytest exits 5 when it collected no tests: for us that is a failure, not a pass.
	$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
		if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

lint: $(VENV)  ## ruff check and format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)  ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: $(VENV)  ## benchmarks (see bench/README.md); writes bench/results/
	$(PY) bench/run.py

frontend:  ## rebuild the committed NHS.UK frontend assets in static/ (needs Node and npm)
	npm ci && npm run build

clean:  ## remove the virtualenv and local database
	rm -rf $(VENV) db.sqlite3
