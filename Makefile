# The two commands: `make run` (set up everything and serve the CMS with demo content) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The reference partner site (partner-site/), which the admin's "Partner site" preview shows.
FRONTEND_PORT ?= 3000
export FRONTEND_PORT
export DJANGO_SETTINGS_MODULE ?= cms.settings.dev

.PHONY: run test test-fast test-faults lint format hooks install serve worker seed clean serve-prod bench-load docs docs-build

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

# iCal cross-parser tests: Mozilla ical.js (Thunderbird's parser) from npm. Without npm that one comparison is
# skipped with a message (it fails under CI=true).
ICALJS := tests/events/icaljs
$(ICALJS)/node_modules/.package-lock.json: $(ICALJS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd $(ICALJS) && npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the ical.js feed comparison will be skipped"; fi

# The GraphiQL playground's browser test: the CDN files GraphiQL's page loads (React, ReactDOM, GraphiQL at the
# versions graphene-django pins), served to headless Chromium from npm. Without npm that test is skipped.
GRAPHIQL_CDN := tests/integrations/graphql/graphiql_cdn
$(GRAPHIQL_CDN)/node_modules/.package-lock.json: $(GRAPHIQL_CDN)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd $(GRAPHIQL_CDN) && npm ci --no-audit --no-fund --silent --ignore-scripts; \
	else echo "npm not found: the GraphiQL playground browser test will be skipped"; fi

install: $(VENV)/.installed $(ICALJS)/node_modules/.package-lock.json $(GRAPHIQL_CDN)/node_modules/.package-lock.json

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "CMS: http://127.0.0.1:$(PORT)/admin/  (demo logins above; health: /healthz)"
	@trap 'trap - INT TERM EXIT; kill 0 2>/dev/null' INT TERM EXIT; \
	  $(PY) manage.py run_worker & \
	  $(PY) partner-site/serve.py --port $(FRONTEND_PORT) --cms http://127.0.0.1:$(PORT) & \
	  $(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

# The production shape on this machine: gunicorn + run_worker + RQ worker, PostgreSQL (database cms_prod), Redis,
# moto_server for S3 (docs/operations.md, "Deploying to production"). PROD_PORT, DB_NAME, REDIS_DB override.
PROD_PORT ?= 8080
serve-prod: install
	PORT=$(PROD_PORT) deploy/serve-prod.sh

# The load suite against the production shape on its own ports, database (cms_load) and Redis db (bench/load/).
bench-load: install
	$(PY) bench/load/run.py

test: install
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) -m pytest

test-fast: install
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) -m pytest -m "not browser and not slow"

# Faults injected into private services (PostgreSQL, Redis, S3), gunicorn and workers (docs/operations.md).
test-faults: install
	CMS_FAULT_SUITE=1 DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) -m pytest tests/faults -p no:cacheprovider -s -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The lint checks as a git pre-commit hook (.pre-commit-config.yaml): the staged Python files, with the venv's ruff.
hooks: install
	$(VENV)/bin/pre-commit install

# The documentation in docs/ (mkdocs.yml): served with live reload, or built the way CI builds it (--strict: a broken
# link or anchor fails).
docs: install
	$(VENV)/bin/mkdocs serve -a 127.0.0.1:8001

docs-build: install
	$(VENV)/bin/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media static .pytest_cache site

# --- GraphQL API ----------------------------------------------------------------------------------------------
# schema.graphql is what partners read; tests/integrations/graphql/test_schema_file.py fails when it drifts.
.PHONY: schema
schema: install
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py graphql_schema --out schema.graphql

# Cut a release of the partner API (docs/partners.md, "Versioning and deprecations"): schema.graphql becomes
# schema.released.graphql, the copy tests/integrations/graphql/test_schema_changes.py checks for breaking changes,
# and CHANGELOG.md's Unreleased entries move under VERSION. Commit both files.
.PHONY: release
release: install
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z" >&2; exit 2; }
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py graphql_schema --out schema.graphql
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py graphql_release $(VERSION)
