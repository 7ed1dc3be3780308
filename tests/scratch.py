"""A Neo4j and a service of a test module's own, for tests that change the graph in ways
the shared, seeded suite graph must not see (fault injection, fuzzed writes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graph.local_neo4j import LocalNeo4j
from graph.settings import Settings
from tests.conftest import free_port, make_test_settings, run, wipe_and_seed


@contextmanager
def scratch_neo4j(
    name: str, seed: bool = True, **overrides: Any
) -> Iterator[tuple[Settings, LocalNeo4j]]:
    """A local Neo4j on a free port, its store beside the suite's (`<data dir>-<name>`, so
    parallel suites with another TEST_DATA_DIR never share it), wiped and seeded. A Neo4j
    an interrupted run left on that store (on another free port) is stopped first; the
    seed loads with a generous query timeout (a freshly started Neo4j on a busy machine
    can take longer than a test's own), the tests keep theirs."""
    settings = make_test_settings()
    if not settings.uses_local_neo4j:
        pytest.skip("NEO4J_URI is set: this test needs a Neo4j of its own")
    settings = replace(
        settings,
        local_bolt_port=free_port(),
        data_dir=Path(f"{settings.data_dir}-{name}"),
        **overrides,
    )
    local = LocalNeo4j(settings)
    local.stop()
    local.start()
    try:
        if seed:  # else as found (a store of its own: empty, the first time)
            slow = replace(settings, query_timeout_s=max(settings.query_timeout_s, 120.0))
            run(wipe_and_seed(slow))
        yield settings, local
    finally:
        local.stop()
        # And one started on the store since by another process (the offline importer
        # stops the test's Neo4j and starts its own), which `local` leaves alone.
        LocalNeo4j(settings).stop()
