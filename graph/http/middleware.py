"""The outermost ASGI middleware: a request id, timing, one access log line and the
metrics of each HTTP request.

Every request gets a request id: the caller's `X-Request-ID` when it is sane (1 to 128
characters of letters, digits and `-_.:`), a new one otherwise. It is echoed in the
response's `X-Request-ID` header, stamped on every log line written while the request
runs (graph/logs.py), and given with masked internal errors (graph/errors.py) so a report
can be matched to the log.

One JSON log line per request (logger `graph.access`): request id, method, path,
status, GraphQL operation name and type, duration, Neo4j time and query count, and the
error codes of the response, gathered by the layers below in graph/request_context.py.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import request_context
from graph.http.metrics import Metrics
from graph.request_context import RequestInfo

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
access_log = logging.getLogger("graph.access")


def sane_request_id(raw: str | None) -> str:
    if raw and _SANE_ID.fullmatch(raw):
        return raw
    return uuid.uuid4().hex


class RequestMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = sane_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = rid
        info = RequestInfo(
            request_id=rid,
            method=scope.get("method", ""),
            path=scope.get("path", ""),
            on_neo4j=self.metrics.neo4j.observe,
        )
        token = request_context.begin(info)
        self.metrics.in_flight.inc()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                info.status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
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
            request_context.end(token)


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
