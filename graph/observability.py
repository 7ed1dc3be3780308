"""Request ids, structured logs and Prometheus metrics.

Every HTTP request gets a request id: the caller's `X-Request-ID` when it is sane (1 to
128 characters of letters, digits and `-_.:`), a new one otherwise. It is echoed in the
response's `X-Request-ID` header, stamped on every log line written while the request
runs, and given with masked internal errors (graph/masking.py) so a report can be
matched to the log.

One JSON log line per request (logger `graph.access`): request id, method, path,
status, GraphQL operation name and type, duration, Neo4j time and query count, and the
error codes of the response. Neo4j time is measured in graph/db.py around each query
and added up here, per request, through a context variable.

`/metrics` serves the Prometheus text format: requests by route, method and status,
latency histograms by route, GraphQL operations by type, errors by `extensions.code`,
Neo4j query time, requests in flight, and the process's own figures (memory, CPU).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Routes named in metrics; any other path is counted as "other" (bounded label values).
ROUTES = ("/graphql", "/health", "/ready", "/metrics", "/explore", "/static", "/")
# The codes this service gives; any other is counted as "OTHER".
KNOWN_CODES = {
    "BAD_USER_INPUT",
    "NOT_FOUND",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "SERVICE_UNAVAILABLE",
    "INTERNAL_SERVER_ERROR",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_COMPLEX",
    "PAYLOAD_TOO_LARGE",
    "BAD_REQUEST",
    "PERSISTED_QUERY_NOT_FOUND",
    "PERSISTED_QUERY_NOT_ALLOWED",
    "CONFLICT",
}
access_log = logging.getLogger("graph.access")


@dataclass
class RequestInfo:
    """What one request did, filled in by the layers it passes through."""

    request_id: str
    method: str = ""
    path: str = ""
    metrics: Metrics | None = None
    started: float = field(default_factory=time.perf_counter)
    status: int = 0
    operations: list[str] = field(default_factory=list)
    operation_types: list[str] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)
    neo4j_seconds: float = 0.0
    neo4j_queries: int = 0


_current: ContextVar[RequestInfo | None] = ContextVar("graph_request", default=None)


def current() -> RequestInfo | None:
    return _current.get()


def request_id() -> str | None:
    info = _current.get()
    return info.request_id if info else None


def sane_request_id(raw: str | None) -> str:
    if raw and _SANE_ID.fullmatch(raw):
        return raw
    return uuid.uuid4().hex


def record_neo4j(seconds: float) -> None:
    """Called by graph/db.py after each query (successful or not)."""
    info = _current.get()
    if info is None:
        return
    info.neo4j_seconds += seconds
    info.neo4j_queries += 1
    if info.metrics is not None:
        info.metrics.neo4j.observe(seconds)


def record_errors(errors: list[Any] | None) -> None:
    """The `extensions.code` of each error of a response (formatted errors or GraphQL
    errors)."""
    info = _current.get()
    if info is None or not errors:
        return
    for error in errors:
        extensions = (
            error.get("extensions")
            if isinstance(error, dict)
            else getattr(error, "extensions", None)
        )
        code = (extensions or {}).get("code") or "INTERNAL_SERVER_ERROR"
        info.error_codes.append(str(code))


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
        self.requests.labels(route, info.method, str(info.status)).inc()
        self.latency.labels(route).observe(seconds)
        for kind in info.operation_types:
            self.operations.labels(kind).inc()
        for code in info.error_codes:
            self.errors.labels(code if code in KNOWN_CODES else "OTHER").inc()

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def route_of(path: str) -> str:
    for route in ROUTES:
        if route == "/" and path == "/":
            return "/"
        if route != "/" and (path == route or path.startswith(route + "/")):
            return route
    return "other"


class RequestMiddleware:
    """Outermost ASGI middleware: request id, timing, the access log line, metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = sane_request_id(Headers(scope=scope).get(HEADER))
        scope.setdefault("state", {})["request_id"] = rid
        info = RequestInfo(
            request_id=rid, method=scope.get("method", ""), path=scope.get("path", "")
        )
        info.metrics = self.metrics
        token = _current.set(info)
        self.metrics.in_flight.inc()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                info.status = message["status"]
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            info.status = info.status or 500
            raise
        finally:
            seconds = time.perf_counter() - info.started
            self.metrics.in_flight.dec()
            self.metrics.observe(info, seconds)
            if info.path != "/metrics":
                log_request(info, seconds)
            _current.reset(token)


def log_request(info: RequestInfo, seconds: float) -> None:
    fields: dict[str, Any] = {
        "method": info.method,
        "path": info.path,
        "status": info.status,
        "duration_ms": round(seconds * 1000, 2),
        "neo4j_ms": round(info.neo4j_seconds * 1000, 2),
        "neo4j_queries": info.neo4j_queries,
    }
    if info.operations or info.path.startswith("/graphql"):
        fields["operation"] = ",".join(info.operations) or None
        fields["operation_type"] = ",".join(info.operation_types) or None
    if info.error_codes:
        fields["errors"] = info.error_codes
    access_log.info("request", extra={"fields": fields, "request_id": info.request_id})


class ObserveOperations(SchemaExtension):
    """Notes each operation's name and type on the request (for the log and metrics)."""

    def on_execute(self) -> Iterator[None]:
        info = _current.get()
        if info is not None:
            ctx = self.execution_context
            try:
                name = ctx.operation_name
                kind = ctx.operation_type.value
            except Exception:  # noqa: BLE001 - an unusable document: nothing to note
                name, kind = None, None
            info.operations.append(name or "-")
            if kind:
                info.operation_types.append(kind)
        yield


# ---------------------------------------------------------------- logging


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id when a
    request is being answered, `extra={"fields": {...}}`, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            entry["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(log_format: str = "json", debug: bool = False) -> None:
    """The service's logging: JSON lines (or plain text) on stderr, uvicorn's loggers
    included (the app logs each request itself, so uvicorn's access log is off)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # The driver logs every retry; its errors reach us translated (graph/db.py).
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    # Strawberry logs every error of every response (a typo in a query, an id out of
    # range) at ERROR, with a stack: the request line has their codes, and the unexpected
    # ones are logged by graph/masking.py with their stack and request id.
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = request_id()
        fields = getattr(record, "fields", None)
        extra = " ".join(f"{k}={v}" for k, v in (fields or {}).items())
        return " ".join(part for part in (line, f"request_id={rid}" if rid else "", extra) if part)
