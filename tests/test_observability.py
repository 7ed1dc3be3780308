"""Request ids, masked internal errors carrying them, one JSON log line per request with
operation, duration and Neo4j time, and Prometheus metrics at /metrics."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest

from graph.http.metrics import route_of
from graph.http.middleware import sane_request_id
from graph.logs import JsonFormatter

HEX_ID = re.compile(r"[0-9a-f]{32}")


def test_every_response_carries_a_request_id(http):
    for method, path in [
        ("GET", "/health"),
        ("GET", "/ready"),
        ("GET", "/nowhere"),
        ("GET", "/metrics"),
        ("POST", "/graphql"),
    ]:
        response = http.request(method, path, json={"query": "{ stats { sources } }"})
        assert HEX_ID.fullmatch(response.headers["x-request-id"]), (path, response.headers)


def test_a_sane_incoming_request_id_is_kept_and_another_replaced(http):
    kept = http.get("/health", headers={"X-Request-ID": "trace-42:abc.DEF_9"})
    assert kept.headers["x-request-id"] == "trace-42:abc.DEF_9"
    for bad in ["x" * 129, "has space", "semi;colon", "<script>", "é"]:
        response = http.get("/health", headers={"X-Request-ID": bad.encode("utf-8")})
        assert HEX_ID.fullmatch(response.headers["x-request-id"]), bad


def test_sane_request_id_rules():
    assert sane_request_id("abc-123") == "abc-123"
    assert HEX_ID.fullmatch(sane_request_id(None))
    assert HEX_ID.fullmatch(sane_request_id("a\nb"))


def test_an_unexpected_error_is_masked_with_the_request_id(http, monkeypatch, caplog):
    from graph.resolvers import search

    async def broken(*args, **kwargs):
        raise RuntimeError("bolt://secret-host driver detail")

    monkeypatch.setattr(search, "search_entities", broken)
    with caplog.at_level(logging.ERROR, logger="graph.errors"):
        response = http.post(
            "/graphql",
            json={"query": '{ search(text: "bank") { score } }'},
            headers={"X-Request-ID": "report-me-1"},
        )
    [error] = response.json()["errors"]
    assert error["message"] == "internal error (request id report-me-1)"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "report-me-1"}
    assert "secret" not in response.text
    # The log has the stack, findable by the same id.
    [record] = [r for r in caplog.records if r.name == "graph.errors"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "report-me-1"
    assert "bolt://secret-host driver detail" in line["exception"]


def test_own_errors_keep_their_message_and_code(gql):
    error = gql.error('{ search(text: "") { score } }')
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    error = gql.error("{ nothingHere }")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nothingHere" in error["message"]


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "graph.access"]


def test_one_json_log_line_per_request(http, caplog):
    with caplog.at_level(logging.INFO, logger="graph.access"):
        http.post(
            "/graphql",
            json={"query": 'query Lender { entity(id: "potevio") { name } }'},
            headers={"X-Request-ID": "log-line-1"},
        )
        http.post(
            "/graphql",
            json={"query": '{ search(text: "") { score } }'},
            headers={"X-Request-ID": "log-line-2"},
        )
        http.get("/health", headers={"X-Request-ID": "log-line-3"})
        # The line is written once the response has gone out: the client can read the
        # response a moment before the server thread logs it.
        deadline = time.monotonic() + 10
        while True:
            lines = {line["request_id"]: line for line in access_lines(caplog)}
            if "log-line-3" in lines or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    first = lines["log-line-1"]
    assert first["message"] == "request"
    assert first["logger"] == "graph.access"
    assert first["method"] == "POST"
    assert first["path"] == "/graphql"
    assert first["status"] == 200
    assert first["operation"] == "Lender"
    assert first["operation_type"] == "query"
    assert first["neo4j_queries"] >= 1
    assert 0 < first["neo4j_ms"] <= first["duration_ms"]
    assert "errors" not in first
    assert lines["log-line-2"]["errors"] == ["BAD_USER_INPUT"]
    assert lines["log-line-3"]["path"] == "/health"
    assert lines["log-line-3"]["neo4j_queries"] == 0


def test_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("graph.db", logging.WARNING, __file__, 1, "a %s", ("b",), None)
    record.fields = {"extra": 1}
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "warning"
    assert entry["message"] == "a b"
    assert entry["extra"] == 1
    assert entry["ts"].endswith("+00:00")


def metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, value = line.rsplit(" ", 1)
        if series.split("{")[0] != name:
            continue
        if all(f'{k}="{v}"' in series for k, v in labels.items()):
            total += float(value)
    return total


def test_metrics_count_requests_errors_latency_and_neo4j_time(http, gql):
    before = http.get("/metrics").text
    gql('{ entity(id: "potevio") { name } }')
    gql.error('{ search(text: "") { score } }')
    response = http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text

    def grew(name: str, by: float = 1, **labels: str) -> None:
        assert metric(after, name, **labels) - metric(before, name, **labels) >= by, name

    grew("http_requests_total", 2, route="/graphql", method="POST", status="200")
    grew("http_request_duration_seconds_count", 2, route="/graphql")
    grew("graphql_operations_total", 2, type="query")
    grew("graphql_errors_total", 1, code="BAD_USER_INPUT")
    grew("neo4j_query_duration_seconds_count", 1)
    assert metric(after, "neo4j_query_duration_seconds_sum") > 0
    assert metric(after, "process_resident_memory_bytes") > 0
    assert metric(after, "http_requests_in_flight") >= 0
    assert 'http_request_duration_seconds_bucket{le="0.05",route="/graphql"}' in after


def test_unknown_paths_share_one_metrics_label():
    assert route_of("/graphql") == "/graphql"
    assert route_of("/static/vendor/x.js") == "/static"
    assert route_of("/") == "/"
    assert route_of("/wp-admin/x") == "other"


def test_an_error_outside_graphql_is_a_json_500_with_the_request_id():
    import asyncio

    import httpx
    from starlette.routing import Route

    from graph.http.app import create_app
    from graph.settings import Settings

    app = create_app(Settings.from_env({"NEO4J_URI": "bolt://127.0.0.1:9"}))

    async def boom(request):
        raise RuntimeError("secret detail")

    app.router.routes.append(Route("/boom", boom))

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/boom", headers={"X-Request-ID": "boom-1"})
        await app.state.db.close()
        return response

    response = asyncio.run(get())
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "boom-1"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "boom-1"}
    assert "secret" not in response.text
