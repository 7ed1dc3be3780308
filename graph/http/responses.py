"""The one place an error becomes an HTTP response: a JSON body of GraphQL errors (what
a client sees of each is graph.errors.client_error), the error's HTTP status, and the
headers that go with it.

A GraphQL result's own errors are answered by the view (graph/http/view.py) with the
result; these are requests refused whole: before any operation ran (a token, a batch, a
persisted query, a body too large) or by anything unexpected outside GraphQL. One result
is answered here too: one that holds nothing because the graph database is unavailable
(`unavailable`), so a query gets 503 in an outage whether its token was checked against
Neo4j before it ran (an API key) or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from graph import request_context
from graph.errors import (
    FORBIDDEN,
    INTERNAL_SERVER_ERROR,
    NOT_FOUND,
    PERSISTED_QUERY_NOT_ALLOWED,
    SERVICE_UNAVAILABLE,
    UNAUTHENTICATED,
    GraphError,
    HttpRefusal,
    ServiceUnavailable,
    Unauthenticated,
    client_error,
)
from graph.http.middleware import REQUEST_ID_HEADER

# Seconds a client is told to wait before asking again while Neo4j is unavailable: a
# refused connection is answered at once, so a sooner retry would only add load.
RETRY_AFTER_S = 1


def _response(
    error: BaseException,
    request_id: str | None,
    where: object,
    headers: Mapping[str, str] | None = None,
    status: int | None = None,
) -> JSONResponse:
    body = {"errors": [client_error(error, request_id, where)]}
    request_context.record_errors(body["errors"])
    all_headers = dict(headers or {})
    if isinstance(error, Unauthenticated):
        # RFC 6750 section 3: tell the client which scheme to use.
        all_headers["WWW-Authenticate"] = "Bearer"
    if status is None:
        status = error.status if isinstance(error, GraphError) else 500
    return _json(body, status, all_headers)


def _json(body: Any, status: int, headers: Mapping[str, str]) -> JSONResponse:
    # An error is never kept by a cache (graph/http/caching.py).
    all_headers = {"Cache-Control": "no-store", **headers}
    if status == ServiceUnavailable.status:
        all_headers["Retry-After"] = str(RETRY_AFTER_S)
    return JSONResponse(body, status_code=status, headers=all_headers)


# The HTTP status of an operation refused whole for an error with this code (else 400),
# when its errors come from GraphQL already formatted (graph/http/export.py).
_STATUS = {
    UNAUTHENTICATED: 401,
    FORBIDDEN: 403,
    PERSISTED_QUERY_NOT_ALLOWED: 403,
    NOT_FOUND: 404,
    INTERNAL_SERVER_ERROR: 500,
    SERVICE_UNAVAILABLE: 503,
}


def status_of(errors: list[Any]) -> int:
    """The status of a refusal for these formatted errors: the gravest code's."""
    codes = [str((e.get("extensions") or {}).get("code")) for e in errors]
    return max((_STATUS.get(code, 400) for code in codes), default=400)


def errors_response(formatted: list[Any]) -> JSONResponse:
    """An operation refused whole for these (already masked and formatted) GraphQL
    errors, with the gravest one's status."""
    request_context.record_errors(formatted)
    return _json({"errors": formatted}, status_of(formatted), {})


def unavailable(response_data: Any) -> bool:
    """A GraphQL result (or a batch of them) that holds nothing because the graph database
    is unavailable: every error SERVICE_UNAVAILABLE, and no data (`data` null, or null in
    each of its fields, every one of them failed). A result with any data keeps 200: it
    is a partial answer (GraphQL over HTTP: non-null `data` is 200)."""
    if isinstance(response_data, list):
        return bool(response_data) and all(map(unavailable, response_data))
    if not isinstance(response_data, dict):
        return False
    errors = response_data.get("errors") or []
    data = response_data.get("data")
    return (
        bool(errors)
        and all(
            isinstance(e, dict) and (e.get("extensions") or {}).get("code") == SERVICE_UNAVAILABLE
            for e in errors
        )
        and (data is None or (isinstance(data, dict) and all(v is None for v in data.values())))
    )


def unavailable_response(response_data: Any) -> JSONResponse:
    """The answer to an `unavailable` result: 503 with Retry-After, as a request refused
    whole (`error_response`) is, and its errors without `data` (nothing was answered;
    GraphQL over HTTP answers a response without `data` with 4xx or 5xx). Its errors were
    counted with the result."""

    def without_data(result: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in result.items() if key != "data"}

    body = (
        [without_data(result) for result in response_data]
        if isinstance(response_data, list)
        else without_data(response_data)
    )
    return _json(body, ServiceUnavailable.status, {})


def error_response(
    error: GraphError, headers: Mapping[str, str] | None = None, status: int | None = None
) -> JSONResponse:
    """The answer to a request refused before any operation ran, with the error's HTTP
    status unless `status` says otherwise."""
    info = request_context.current()
    return _response(
        error, info.request_id if info else None, info.path if info else None, headers, status
    )


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's handler of anything that escaped every other layer: no stack trace
    reaches the client. It runs outside graph/http/middleware.py (after the request's
    context is gone), so it sets the request id header itself."""
    request_id = getattr(request.state, "request_id", None)
    headers = {REQUEST_ID_HEADER: request_id} if request_id else None
    return _response(exc, request_id, request.url.path, headers)


async def http_refusal(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals (404 for a path, 405 for a method a route does not take)
    as JSON with a code, like every other error; their headers (`Allow`) kept."""
    assert isinstance(exc, HTTPException)
    request_id = getattr(request.state, "request_id", None)
    headers = dict(exc.headers or {})
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return _response(
        HttpRefusal(exc.detail, exc.status_code), request_id, request.url.path, headers
    )
