"""What the request being answered has done so far, in a context variable.

The HTTP layer (graph/http/middleware.py) opens a `RequestInfo` for each request; the
layers below add to it without knowing there is a web framework: graph/db.py the time
and count of each Neo4j query, graph/extensions/operations.py the operations run, the
error boundary the `extensions.code` of each error answered. Log lines carry its request
id (graph/logs.py). Outside a request every function here does nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from graph.errors import INTERNAL_SERVER_ERROR


@dataclass
class RequestInfo:
    """What one request did, filled in by the layers it passes through."""

    request_id: str
    method: str = ""
    path: str = ""
    # Told the time of each Neo4j query (the HTTP layer's metrics).
    on_neo4j: Callable[[float], None] | None = None
    started: float = field(default_factory=time.perf_counter)
    status: int = 0
    operations: list[str] = field(default_factory=list)
    operation_types: list[str] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)
    neo4j_seconds: float = 0.0
    neo4j_queries: int = 0


_current: ContextVar[RequestInfo | None] = ContextVar("graph_request", default=None)


def begin(info: RequestInfo) -> Token[RequestInfo | None]:
    return _current.set(info)


def end(token: Token[RequestInfo | None]) -> None:
    _current.reset(token)


def current() -> RequestInfo | None:
    return _current.get()


def request_id() -> str | None:
    info = _current.get()
    return info.request_id if info else None


def record_neo4j(seconds: float) -> None:
    """Called by graph/db.py after each query (successful or not)."""
    info = _current.get()
    if info is None:
        return
    info.neo4j_seconds += seconds
    info.neo4j_queries += 1
    if info.on_neo4j is not None:
        info.on_neo4j(seconds)


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
        code = (extensions or {}).get("code") or INTERNAL_SERVER_ERROR
        info.error_codes.append(str(code))
