# Two commands for a newcomer: `make run` and `make test` (both do the set-up).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup neo4j web lint schema clean

run: setup
	$(PY) -m graph.cli run

test: setup
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

# GraphiQL's assets, from the npm registry, served by the service itself.
web:
	@bash scripts/vendor_web.sh

lint: setup
	$(VENV)/bin/ruff check graph seed tests
	$(VENV)/bin/ruff format --check graph seed tests

schema: setup
	$(PY) -m graph.cli export-schema > schema.graphql

clean:
	rm -rf $(VENV) neo4j/target graph/static/vendor web/node_modules
