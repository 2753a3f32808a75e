# Kvalitetsplan: the two commands are `make run` and `make test`.
#
# Every step leaves a stamp file, so a second run installs nothing unless the
# requirements, the front-end packages or the translations have changed.
# Stamps for the Python side live inside .venv/, so deleting .venv starts over.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
VENDOR := static/vendor/designsystemet
DS := node_modules/@digdir
FONTS := static/vendor/fonts
INTER := node_modules/@fontsource/inter
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po */locale/*/LC_MESSAGES/*.po)
PYTEST_ARGS ?=

.PHONY: help run test lint format prereqs install install-dev vendor messages migrate demo \
	worker bench clean

help:
	@echo "make run     install what is missing, migrate, load the demo data, start the"
	@echo "             web server and a background worker (Ctrl-C stops both)"
	@echo "make test    install the test tools, then ruff and the whole pytest suite"
	@echo "             (PYTEST_ARGS='-m \"not e2e\"' passes arguments to pytest)"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make format  ruff format and ruff check --fix"
	@echo "make bench   run the benchmarks in bench/"
	@echo "make clean   remove .venv, node_modules, static/vendor and collected static files"

run: prereqs install vendor messages migrate demo
	@PY=$(PY) scripts/run_dev.sh

test: prereqs install-dev vendor messages lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

prereqs:
	@scripts/check_prereqs.sh $(if $(filter test,$(MAKECMDGOALS)),--tests)

install: $(VENV)/.stamp-requirements
install-dev: $(VENV)/.stamp-requirements-dev
vendor: $(VENDOR)/.stamp $(VENDOR)/index.js.map $(FONTS)/.stamp
messages: $(VENV)/.stamp-messages

# The prerequisite check runs first but, being order-only, never forces a reinstall.
$(PY): | prereqs
	"$$(scripts/find_python.sh)" -m venv $(VENV)

$(VENV)/.stamp-requirements: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

# requirements-dev.txt includes requirements.txt, so both stamps are now current.
$(VENV)/.stamp-requirements-dev: requirements-dev.txt requirements.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	touch $@ $(VENV)/.stamp-requirements

# Designsystemet's CSS, theme and web components, served by the app itself.
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp $(DS)/designsystemet-css/dist/src/index.css $(VENDOR)/designsystemet.css
	cp $(DS)/designsystemet-theme/brand/digdir.css $(VENDOR)/theme.css
	cp $(DS)/designsystemet-web/dist/umd/index.js $(VENDOR)/designsystemet-web.js
	cp $(DS)/designsystemet-css/LICENSE $(VENDOR)/LICENSE-css.txt
	cp $(DS)/designsystemet-web/LICENSE $(VENDOR)/LICENSE-web.txt
	touch $@

# The web components name their source map; collectstatic in production
# refuses a file whose references are missing, so the map comes along.
$(VENDOR)/index.js.map: $(VENDOR)/.stamp
	cp $(DS)/designsystemet-web/dist/umd/index.js.map $@

# Inter, embedded in the PDF report from these files (WeasyPrint never fetches a font):
# Latin and Latin Extended (Sami letters), regular, italic, semibold and bold.
$(FONTS)/.stamp: $(VENDOR)/.stamp
	mkdir -p $(FONTS)
	cp $(INTER)/files/inter-latin{,-ext}-{400,600,700}-normal.woff2 $(FONTS)/
	cp $(INTER)/files/inter-latin{,-ext}-400-italic.woff2 $(FONTS)/
	cp $(INTER)/LICENSE $(FONTS)/LICENSE-inter.txt
	touch $@

# compilemessages refuses to run where there is no locale folder at all yet.
$(VENV)/.stamp-messages: $(PO_FILES) | $(VENV)/.stamp-requirements
	$(if $(PO_FILES),$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules \
		--verbosity 0,@echo "No translations to compile.")
	touch $@

migrate: install
	$(PY) manage.py migrate --noinput

# load_demo is idempotent and prints the demo logins.
demo: migrate
	$(PY) manage.py load_demo

# A worker on its own, for when the web server runs elsewhere.
worker: install
	$(PY) -m celery -A qualityplan worker --loglevel info --queues celery,reports

# Every bench/*.py (but _helpers.py) runs as a script from the project root.
bench: install-dev
	@set -e; found=""; for script in bench/*.py; do \
		case "$${script##*/}" in _*|\*.py) continue;; esac; \
		found=1; echo "== $$script"; \
		PYTHONPATH=$(CURDIR) DJANGO_SETTINGS_MODULE=qualityplan.settings $(PY) "$$script"; \
	done; [ -n "$$found" ] || echo "No benchmarks in bench/ yet."

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles
