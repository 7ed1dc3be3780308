"""`/metrics` in the Prometheus text format: requests by route, method and status,
latency histograms by route, GraphQL operations by type, errors by `extensions.code`,
Neo4j query time, requests in flight, and the process's own figures (memory, CPU)."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

from graph.errors import CODES
from graph.request_context import RequestInfo

# Routes named in metrics; any other path is counted as "other" (bounded label values).
ROUTES = ("/graphql", "/export", "/health", "/ready", "/metrics", "/explore", "/static", "/")
# Methods named in metrics; any other (a client may send any token) is counted as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    """The service's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        reg = self.registry
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"],
            registry=reg,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=reg,
        )
        self.in_flight = Gauge(
            "http_requests_in_flight", "HTTP requests being answered now.", registry=reg
        )
        self.operations = Counter(
            "graphql_operations_total",
            "GraphQL operations run, by type (query, mutation).",
            ["type"],
            registry=reg,
        )
        self.errors = Counter(
            "graphql_errors_total",
            "Errors in GraphQL responses, by extensions.code.",
            ["code"],
            registry=reg,
        )
        self.neo4j = Histogram(
            "neo4j_query_duration_seconds",
            "Time of each Neo4j query, sent to records received.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15),
            registry=reg,
        )

    def observe(self, info: RequestInfo, seconds: float) -> None:
        route = route_of(info.path)
        method = info.method if info.method in METHODS else "other"
        self.requests.labels(route, method, str(info.status)).inc()
        self.latency.labels(route).observe(seconds)
        for kind in info.operation_types:
            self.operations.labels(kind).inc()
        for code in info.error_codes:
            # Codes this service does not give are counted as "OTHER".
            self.errors.labels(code if code in CODES else "OTHER").inc()

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def route_of(path: str) -> str:
    for route in ROUTES:
        if route == "/" and path == "/":
            return "/"
        if route != "/" and (path == route or path.startswith(route + "/")):
            return route
    return "other"
