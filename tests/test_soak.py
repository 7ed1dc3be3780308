"""A short soak in the suite: 2,000 mixed requests at concurrency 64 against the service
run as its own process on the suite's Neo4j (seed graph), every answer checked, the
service's memory sampled. The full run (20,000 requests, and the generated graph) is
`make soak`, whose figures are in docs/reliability.md."""

from __future__ import annotations

import asyncio
import subprocess

from graph.settings import Settings
from tests import soak
from tests.conftest import free_port

REQUESTS = 2_000
CONCURRENCY = 64


def test_short_soak_has_no_errors_and_stable_memory(settings: Settings):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    service = soak.start_service(settings, port)
    try:
        report = asyncio.run(
            soak.load(f"http://127.0.0.1:{port}", service.pid, REQUESTS, CONCURRENCY, [], 300)
        )
    finally:
        service.terminate()
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
    soak.read_service_log(report, settings.data_dir / "soak-service.log")
    print(soak.summary(report, "pytest tests/test_soak.py"))
    assert len(report.outcomes) == REQUESTS
    assert not report.errors, [o.detail for o in report.errors[:5]]
    assert report.memory_stable, report.rss
