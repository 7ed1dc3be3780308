# Two commands for a newcomer: `make run` and `make test` (both do the set-up).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup neo4j web chromium lint schema clean

run: setup
	$(PY) -m graph.cli run

test: setup chromium
	$(PY) -m pytest $(PYTEST_ARGS)

setup: $(STAMP) neo4j web

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

# Resolves Neo4j from Maven Central and builds the launcher (skipped when up to date).
neo4j: $(STAMP)
	@if [ -z "$$NEO4J_URI" ]; then $(PY) -m graph.cli neo4j build; fi

# GraphiQL's and the explorer's assets, from the npm registry, served by the service itself.
web:
	@bash scripts/vendor_web.sh

# The browser tests (tests/browser) drive Debian's Chromium; Playwright downloads none.
# Part of `make test` only: `make run` needs no browser.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "make: /usr/bin/chromium is missing; the browser tests need it: run 'apt-get install -y chromium' as root" >&2; exit 1; \
	  fi; \
	  echo "make: installing Debian's chromium for the browser tests ..."; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
	    || { echo "make: could not install chromium with apt-get" >&2; exit 1; }; \
	fi

lint: setup
	$(VENV)/bin/ruff check graph seed tests
	$(VENV)/bin/ruff format --check graph seed tests

schema: setup
	$(PY) -m graph.cli export-schema > schema.graphql

clean:
	rm -rf $(VENV) neo4j/target graph/static/vendor web/node_modules
