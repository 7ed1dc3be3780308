# Two commands for a newcomer: `make run` and `make test` (both do the set-up).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: duplicates run test check setup neo4j web chromium compliance clients soak lint types schema clean

run: setup
	$(PY) -m graph.cli run

test: setup chromium compliance clients lint types
	$(PY) -m pytest $(PYTEST_ARGS)

# Fast feedback for the edit-test loop: lint, types, and the tests that need no Neo4j
# (every test that uses the database is marked `neo4j` by tests/conftest.py) and no
# Node.js packages (the client tests are marked `clients`).
check: $(STAMP) lint types
	$(PY) -m pytest -q -m "not neo4j and not clients" $(PYTEST_ARGS)

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

# graphql-http's GraphQL-over-HTTP audit suite, run by tests/compliance/test_audit.py
# (from the npm registry, pinned by tests/compliance/package-lock.json).
compliance: tests/compliance/node_modules/.package-lock.json

tests/compliance/node_modules/.package-lock.json: tests/compliance/package-lock.json
	npm ci --no-audit --no-fund --loglevel=error --prefix tests/compliance
	@touch $@

# The JavaScript clients frontend apps use (graphql-ws, Apollo Client, GraphQL Code
# Generator, Apollo Federation), run by tests/clients/test_clients.py (from the npm
# registry, pinned by tests/clients/package-lock.json).
clients: tests/clients/node_modules/.package-lock.json

tests/clients/node_modules/.package-lock.json: tests/clients/package-lock.json
	npm ci --no-audit --no-fund --loglevel=error --prefix tests/clients
	@touch $@

# The soak run (20,000 mixed requests at concurrency 64 against a service and Neo4j it
# starts itself); figures go to docs/reliability.md. Not part of `make test`.
soak: setup
	$(PY) -m tests.soak --write-docs

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

lint: $(STAMP)
	$(VENV)/bin/ruff check graph seed tests bench
	$(VENV)/bin/ruff format --check graph seed tests bench

# mypy over graph/ and seed/ ([tool.mypy] in pyproject.toml).
types: $(STAMP)
	$(VENV)/bin/mypy

# The benchmark (bench/run.py, docs/benchmarks.md): this service, @neo4j/graphql and the
# raw driver on a generated graph of BENCH_SIZE entities, in its own Neo4j (port 7692,
# one store per size in data/bench/store-<size>). Not part of `make test`. E.g.
# `make bench BENCH_SIZE=1000000` (10^7 relationships; BENCH_ARGS="--requests 60" keeps
# its slowest cells short).
# Its plotting and profiling tools live in .venv-bench (bench/requirements.txt), not in
# the service's .venv.
BENCH_SIZE ?= 100000
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

bench: setup $(BENCH_STAMP)
	$(PY) -m bench.run --size $(BENCH_SIZE) $(BENCH_ARGS)

$(BENCH_STAMP): bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q -r bench/requirements.txt
	touch $@

# Precision and recall of duplicateCandidates on a generated graph with planted duplicates
# (bench/duplicates.py, README.md "Duplicate candidates"), in a Neo4j of its own (port
# DUPLICATES_NEO4J_PORT, 7693; data/duplicates). Not part of `make test`.
duplicates: setup
	$(PY) -m bench.duplicates $(DUPLICATES_ARGS)

schema: setup
	$(PY) -m graph.cli export-schema > schema.graphql
	$(PY) -m graph.cli export-schema --federation > schema.federation.graphql

clean:
	rm -rf $(VENV) $(BENCH_VENV) launcher/target graph/static/vendor web/node_modules tests/compliance/node_modules tests/clients/node_modules
