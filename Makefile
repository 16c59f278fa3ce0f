# BackCare: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
CHROMIUM ?= /usr/bin/chromium

.PHONY: run serve test test-fast lint format bench screens install-run install-test install-lint chromium cjk-fonts gettext messages messages-extract

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements/base.txt requirements/constraints.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements/base.txt -c requirements/constraints.txt
	touch $@

$(VENV)/.test-deps: requirements/base.txt requirements/dev.txt requirements/constraints.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements/dev.txt -c requirements/constraints.txt
	touch $@

# Prettier and ESLint for `make lint`, and fake-indexeddb for the JavaScript tests, pinned in
# package-lock.json (the app itself needs no Node).
node_modules/.bin/prettier: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install-run: $(VENV)/.run-deps
install-test: $(VENV)/.test-deps
install-lint: $(VENV)/.test-deps node_modules/.bin/prettier

run: install-run messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_content
	$(PY) manage.py ensure_local_admin
	$(PY) manage.py runserver 127.0.0.1:8000

# Production: gunicorn (gunicorn.conf.py) with DEBUG off. Needs SECRET_KEY, ALLOWED_HOSTS and
# DATABASE_URL in the environment (see .env.example and docs/DEPLOY.md); REDIS_URL when
# more than one worker or server runs, so throttling counts are shared.
serve: install-run messages
	DEBUG=false $(PY) manage.py collectstatic --noinput
	DEBUG=false $(PY) manage.py migrate --noinput
	DEBUG=false $(PY) manage.py seed_content
	DEBUG=false $(VENV)/bin/gunicorn --config gunicorn.conf.py

# Debian's gettext (msgfmt) compiles the translations in locale/ (the .mo files are built,
# never committed: one source of truth, the .po files).
gettext:
	@if command -v msgfmt >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	else echo "gettext is missing: run 'sudo apt-get install gettext' (translations need it)." >&2; exit 1; fi

messages: gettext install-run
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# After changing a marked string: add it to locale/*/django.po and djangojs.po, then translate.
EXTRACT = --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests \
	--ignore=bench --ignore=harness --ignore=scripts --ignore=docs
messages-extract: gettext install-run
	$(PY) manage.py makemessages -l zh_Hans -d django $(EXTRACT)
	$(PY) manage.py makemessages -l zh_Hans -d djangojs $(EXTRACT)

# Debian's Chromium for the real-browser tests (Playwright must not download browsers).
chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is missing: run 'sudo apt-get install chromium' (browser tests need it)." >&2; exit 1; fi

# Debian's CJK fonts, so Chinese screens show characters, not boxes (make screens).
cjk-fonts:
	@if dpkg -s fonts-noto-cjk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	else echo "CJK fonts are missing: run 'sudo apt-get install fonts-noto-cjk' (Chinese screens need them)." >&2; exit 1; fi

# Every screen at 390 px, English and Chinese, light and dark, as PNGs in screens/ (and the
# summary's PDF): the walk tests/browser/test_screens_read.py reads (scripts/screens.py).
screens: install-test chromium cjk-fonts messages
	$(PY) scripts/screens.py

# The JavaScript tests (node --test tests/js/) run inside pytest (tests/test_scoring.py).
# CJK fonts too: tests/browser/test_screens_read.py measures Chinese screens with real glyphs.
test: install-test chromium cjk-fonts messages
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

# The loop while coding: everything but real browsers, fuzzing, gunicorn, the tests that
# start Django in a child process and the inherently slow ones (markers in pyproject.toml),
# Hypothesis's property tests with a tenth of their examples (tests/conftest.py), in a
# process per core (pytest-xdist; TEST_WORKERS=0 runs in one). `make test` runs everything.
# `make test-fast PYTEST_ARGS=--lf` reruns only what failed last time.
TEST_WORKERS ?= auto
test-fast: install-test messages
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --hypothesis-profile=fast \
		-m "not browser and not fuzz and not gunicorn and not subprocess and not slow" $(PYTEST_ARGS)

# Measure, not hope: every part in bench/ (each runs alone too), then docs/BENCHMARKS.md.
# Needs PostgreSQL and Redis on loopback (as the gunicorn test does) and Debian Chromium.
bench: install-test chromium messages
	$(PY) bench/fuzz.py
	$(PY) bench/ingest.py
	$(PY) bench/load.py
	$(PY) bench/server_cpu.py
	$(PY) bench/weight.py
	$(PY) bench/startup.py
	$(PY) bench/sync.py
	$(PY) bench/lighthouse.py
	$(PY) bench/scale_server.py
	$(PY) bench/scale_client.py
	$(PY) bench/report.py

# The same checks as .pre-commit-config.yaml, run straight from .venv and node_modules.
# Every Python file of the project (.ci/run checks a copy without .git, so not git ls-files).
PY_FILES = find . -name '*.py' -not -path './.venv/*' -not -path './node_modules/*' -print0
lint: install-lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY_FILES) | xargs -0 -r $(VENV)/bin/django-upgrade --target-version 5.2 --check
	node_modules/.bin/prettier --check static/js
	node_modules/.bin/eslint static/js tests/js eslint.config.mjs
	$(VENV)/bin/mypy

format: install-lint
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(PY_FILES) | xargs -0 -r $(VENV)/bin/django-upgrade --target-version 5.2
	node_modules/.bin/prettier --write static/js
