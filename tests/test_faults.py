"""Neo4j going away and coming back: clear SERVICE_UNAVAILABLE errors, /ready 503, fast
failure (also under a load of concurrent requests), recovery without restarting the
service, and a service started before Neo4j that waits with backoff and says so.

The tests run their own Neo4j (separate port and store) so they can stop it freely. With
an external NEO4J_URI there is nothing these tests may stop, so they are skipped.
"""

import json
import logging
import os
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    Server,
    free_port,
    poll,
    serve_command,
)
from tests.scratch import scratch_neo4j

# Each test starts and stops a Neo4j of its own (not through the `settings` fixture).
pytestmark = pytest.mark.neo4j

QUERY = '{ entity(id: "bank-of-beijing") { name } }'


@pytest.fixture(scope="module")
def own_neo4j():
    with scratch_neo4j("faults", query_timeout_s=5.0) as own:
        yield own


def test_neo4j_down_then_back(own_neo4j):
    settings, local = own_neo4j
    with Server(settings) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        assert http.post("/graphql", json={"query": QUERY}).json()["data"]["entity"]["name"]
        assert http.get("/ready").status_code == 200

        local.stop()
        started = time.monotonic()
        body = http.post("/graphql", json={"query": QUERY}).json()
        took = time.monotonic() - started
        [error] = body["errors"]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert "neo4j" not in error["message"].lower() or "unreachable" in error["message"]
        assert "Traceback" not in str(body)
        assert took < settings.query_timeout_s, f"failing took {took:.1f}s"
        assert http.get("/ready").status_code == 503
        assert http.get("/health").status_code == 200

        local.start()
        deadline = time.monotonic() + 60
        while http.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, "the service did not recover"
            time.sleep(0.5)
        body = http.post("/graphql", json={"query": QUERY}).json()
        assert body["data"]["entity"]["name"] == "Bank of Beijing"


def _outcome(response: httpx.Response) -> str:
    body = response.json()
    errors = body.get("errors") or []
    if not errors and (body.get("data") or {}).get("entity", {}).get("name") == "Bank of Beijing":
        return "data"
    if errors and all(e.get("extensions", {}).get("code") == "SERVICE_UNAVAILABLE" for e in errors):
        return "unavailable"
    return f"other: {response.status_code} {body}"


def test_a_load_through_an_outage(own_neo4j):
    """8 clients loop (bounded: 30,000 requests or the test's phases, whichever ends first)
    while Neo4j is stopped and started again: every answer is the data or
    SERVICE_UNAVAILABLE, none takes longer than the query timeout (plus a second of
    grace), failing is fast (half the outage answers within 4 s, the driver's own
    retries included), and answers are data again once Neo4j is back, without
    restarting the service."""
    settings, local = own_neo4j
    outcomes: list[tuple[float, str, float]] = []  # (when, outcome, seconds taken)
    stop = threading.Event()
    lock = threading.Lock()

    def client(url: str) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            while not stop.is_set() and len(outcomes) < 30_000:
                started = time.monotonic()
                try:
                    outcome = _outcome(http.post("/graphql", json={"query": QUERY}))
                except httpx.HTTPError as exc:
                    outcome = f"other: {exc!r}"
                with lock:
                    outcomes.append((started, outcome, time.monotonic() - started))

    with Server(settings) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.get("/ready").status_code == 200
        threads = [threading.Thread(target=client, args=(server.url,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(2)
            stopped_at = time.monotonic()
            local.stop()
            poll(http, "/ready", lambda r: r.status_code == 503, 30, "/ready did not say 503")
            local.start()
            deadline = time.monotonic() + 90
            while http.get("/ready").status_code != 200:
                assert time.monotonic() < deadline, "the service did not recover"
                time.sleep(0.25)
            recovered_at = time.monotonic()
            time.sleep(3)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "a request hung"

    kinds = Counter(outcome.split(":")[0] for _, outcome, _ in outcomes)
    others = [outcome for _, outcome, _ in outcomes if outcome.startswith("other")]
    assert not others, others[:5]
    assert kinds["unavailable"] > 0, kinds
    assert kinds["data"] > 0, kinds
    # Bounded by the query timeout (plus the client-side grace of graph/db.py): the
    # driver's connection attempts and retries included.
    slowest = max(took for _, _, took in outcomes)
    assert slowest < settings.query_timeout_s + 2, f"an answer took {slowest:.1f}s"
    during = sorted(took for when, outcome, took in outcomes if outcome == "unavailable")
    print(
        f"outage answers: {len(during)}, median {during[len(during) // 2]:.2f}s, "
        f"max {during[-1]:.2f}s; all answers: {dict(kinds)}"
    )
    assert during[len(during) // 2] < 4.0, "failing is not fast"
    # Before the outage and after recovery: data.
    assert all(o == "data" for when, o, _ in outcomes if when < stopped_at - 0.5)
    after = [o for when, o, _ in outcomes if when > recovered_at + 1]
    assert after, "no requests after recovery"
    assert all(o == "data" for o in after), Counter(after)


def test_service_started_before_neo4j_waits_with_backoff(own_neo4j, caplog):
    settings, local = own_neo4j
    local.stop()
    try:
        with (
            caplog.at_level(logging.INFO, logger="graph.db"),
            Server(settings) as server,
            httpx.Client(base_url=server.url, timeout=30) as http,
        ):
            assert http.get("/health").status_code == 200
            assert http.get("/ready").status_code == 503
            body = http.post("/graphql", json={"query": QUERY}).json()
            assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            deadline = time.monotonic() + 20
            while len([r for r in caplog.records if "retrying in" in r.getMessage()]) < 3:
                assert time.monotonic() < deadline, "no retries in the log"
                time.sleep(0.2)
            delays = [
                float(r.getMessage().rsplit("retrying in ", 1)[1].rstrip("s"))
                for r in caplog.records
                if "retrying in" in r.getMessage()
            ]
            assert delays[:3] == [0.5, 1.0, 2.0], delays  # backoff

            local.start()
            deadline = time.monotonic() + 90
            while http.get("/ready").status_code != 200:
                assert time.monotonic() < deadline, "the service did not recover"
                time.sleep(0.25)
            body = http.post("/graphql", json={"query": QUERY}).json()
            assert body["data"]["entity"]["name"] == "Bank of Beijing"
            deadline = time.monotonic() + 40
            while not any("is answering" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, "the log never said Neo4j answered"
                time.sleep(0.2)
    finally:
        if local.running_pid() is None:
            local.start()


def test_serve_command_logs_its_waiting_as_json(tmp_path):
    """`python -m graph.cli serve` with no Neo4j behind it: it serves /health, /ready is
    503, and its stderr has JSON log lines saying it retries."""
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}",  # nothing listens there
        "PORT": str(port),
        "LOG_FORMAT": "json",
    }
    with (tmp_path / "stderr").open("w+") as err:
        with (
            serve_command(env, err),
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http,
        ):
            health = poll(
                http,
                "/health",
                lambda r: True,
                30,
                "serve did not start",
                headers={"X-Request-ID": "serve-check"},
            )
            assert health.status_code == 200
            assert http.get("/ready").status_code == 503
            # Wait for the first retry to be logged (bounded), rather than sleeping.
            deadline = time.monotonic() + 30
            while "retrying in" not in Path(err.name).read_text():
                assert time.monotonic() < deadline, "no retry was logged"
                time.sleep(0.1)
        err.seek(0)
        text = err.read()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    waiting = [line for line in lines if "retrying in" in line["message"]]
    assert waiting, lines
    assert waiting[0]["level"] == "warning"
    assert waiting[0]["logger"] == "graph.db"
    [access] = [line for line in lines if line.get("request_id") == "serve-check"]
    assert access["path"] == "/health"
    assert access["status"] == 200
