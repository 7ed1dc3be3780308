"""The project's errors, and every code a client sees (`CODES`), in one place.

HTTP is the status of a request the error refuses whole, before any operation runs
(graph/http/responses.py). Inside a GraphQL result an error is part of the answer: HTTP
200, or 400 without `data` for a client that accepts application/graphql-response+json
when no operation ran (graph/http/view.py), or 503 without `data` when the result holds
nothing and every error is SERVICE_UNAVAILABLE (Neo4j down: the status a request refused
whole for it gets, graph/http/responses.py `unavailable`).

    error                                 extensions.code              HTTP
    GraphError                            INTERNAL_SERVER_ERROR        500   anything unexpected
    ├── BadUserInput                      BAD_USER_INPUT                     an argument is wrong
    ├── NotFound                          NOT_FOUND                          no such thing
    ├── Unauthenticated                   UNAUTHENTICATED              401   bad or missing token
    ├── Forbidden                         FORBIDDEN                          the role is too low
    ├── ServiceUnavailable                SERVICE_UNAVAILABLE          503   Neo4j unreachable
    │   └── QueryTimeout                  SERVICE_UNAVAILABLE          503   past its time budget
    ├── QueryTooComplex                   QUERY_TOO_COMPLEX            400   over an abuse limit
    │   ├── TooManyOperations             QUERY_TOO_COMPLEX            400   a batch too large
    │   ├── TooManySubscriptions          QUERY_TOO_COMPLEX                  a worker's limit
    │   ├── ReplayTooLong                 REPLAY_TOO_LONG                    a subscription's
    │   │                                                                    `after` too far
    │   │                                                                    back: read again
    │   └── ExportTooLarge                EXPORT_TOO_LARGE             400   an export over its
    │                                                                        size limit
    ├── PayloadTooLarge                   PAYLOAD_TOO_LARGE            413   a body too large
    └── BadRequest                        BAD_REQUEST                  400   not GraphQL over HTTP
        ├── HttpRefusal                   BAD_REQUEST, NOT_FOUND (404) 4xx   refused by the HTTP
        │                                                                    layer: 405 for a
        │                                                                    method, 404 for a
        │                                                                    path, 400 for an
        │                                                                    unknown operationName
        └── PersistedQueryError           BAD_REQUEST                  400   bad persistedQuery
            ├── PersistedQueryNotFound    PERSISTED_QUERY_NOT_FOUND    200   unknown hash
            └── PersistedQueryNotAllowed  PERSISTED_QUERY_NOT_ALLOWED  403   unknown operation

    graphql-core's errors, coded by graph/extensions/masking.py:
    a document that is not GraphQL        GRAPHQL_PARSE_FAILED
    one that does not fit the schema      GRAPHQL_VALIDATION_FAILED

    A mutation's expected failures are typed results, not errors (graph/types/mutations.py):
    ValidationError                       VALIDATION
    NotFoundError                         NOT_FOUND
    ConflictError                         CONFLICT
    ForbiddenError                        FORBIDDEN

Errors from the driver are translated to these in exactly one place, `graph.db`. What a
client sees of any error is decided here, by `client_error`: the project's own keep
their message and extensions; anything else, and INTERNAL_SERVER_ERROR, becomes
"internal error" with the request's id, logged here with the same id (and the stack), so
a report can be matched to the log. graph/extensions/masking.py applies it to the errors
of a GraphQL result, graph/http/responses.py to a request refused outright.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
BAD_REQUEST = "BAD_REQUEST"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
EXPORT_TOO_LARGE = "EXPORT_TOO_LARGE"
REPLAY_TOO_LONG = "REPLAY_TOO_LONG"
# The `code` of a mutation's typed error results.
VALIDATION = "VALIDATION"
CONFLICT = "CONFLICT"

CODES = frozenset(
    {
        BAD_USER_INPUT,
        NOT_FOUND,
        UNAUTHENTICATED,
        FORBIDDEN,
        SERVICE_UNAVAILABLE,
        INTERNAL_SERVER_ERROR,
        QUERY_TOO_COMPLEX,
        PAYLOAD_TOO_LARGE,
        BAD_REQUEST,
        PERSISTED_QUERY_NOT_FOUND,
        PERSISTED_QUERY_NOT_ALLOWED,
        GRAPHQL_PARSE_FAILED,
        GRAPHQL_VALIDATION_FAILED,
        EXPORT_TOO_LARGE,
        REPLAY_TOO_LONG,
        VALIDATION,
        CONFLICT,
    }
)


class GraphError(Exception):
    code = INTERNAL_SERVER_ERROR
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, Any]:
        # graphql-core copies an original error's `extensions` onto the GraphQL error.
        return {"code": self.code}


class BadUserInput(GraphError):
    code = BAD_USER_INPUT


class NotFound(GraphError):
    code = NOT_FOUND


class Unauthenticated(GraphError):
    code = UNAUTHENTICATED
    status = 401


class Forbidden(GraphError):
    code = FORBIDDEN


class ServiceUnavailable(GraphError):
    code = SERVICE_UNAVAILABLE
    status = 503


class QueryTimeout(ServiceUnavailable):
    pass


class QueryTooComplex(GraphError):
    """A document over one of the limits of graph/extensions/limits.py; the extensions
    name the limit and carry `maximum` and `actual` for programs."""

    code = QUERY_TOO_COMPLEX
    status = 400

    def __init__(self, limit: str, maximum: int, actual: int, what: str = "") -> None:
        self.limit = limit
        self.maximum = maximum
        self.actual = actual
        super().__init__(self.explain(what))

    def explain(self, what: str) -> str:
        return (
            f"Query too complex: {what} {self.actual:,} is over the {self.limit} limit of "
            f"{self.maximum:,} (by {self.actual - self.maximum:,})."
        )

    @property
    def extensions(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "limit": self.limit,
            "maximum": self.maximum,
            "actual": self.actual,
        }


class TooManyOperations(QueryTooComplex):
    def __init__(self, count: int, maximum: int) -> None:
        super().__init__("operations", maximum, count)

    def explain(self, what: str) -> str:
        return (
            f"Too many operations in one request: {self.actual} is over the batch limit of "
            f"{self.maximum} (by {self.actual - self.maximum})."
        )


class TooManySubscriptions(QueryTooComplex):
    """A worker serves MAX_SUBSCRIPTIONS_PER_WORKER at once (graph/subscriptions/)."""

    def __init__(self, maximum: int) -> None:
        super().__init__("subscriptions", maximum, maximum + 1)

    def explain(self, what: str) -> str:
        return (
            f"This worker serves its limit of {self.maximum:,} subscriptions at once; "
            "try again later (another worker or instance may have room)."
        )


class ReplayTooLong(QueryTooComplex):
    """A subscription's `after` reaches back past more changes than a worker replays
    (SUBSCRIPTION_MAX_REPLAY; graph/subscriptions/feed.py). `latest` is the commit the
    feed is at: read the state again, then subscribe `after` the version it was read at."""

    code = REPLAY_TOO_LONG

    def __init__(self, maximum: int, after: int, latest: int) -> None:
        self.after = after
        self.latest = latest
        super().__init__("replay", maximum, maximum + 1)

    def explain(self, what: str) -> str:
        return (
            f"More than {self.maximum:,} changes committed after {self.after} (up to "
            f"{self.latest}), more than a subscription replays: read what you show again "
            "(its answer's X-Graph-Version), then subscribe `after` that version."
        )

    @property
    def extensions(self) -> dict[str, Any]:
        # No `actual`: the backlog is read no further than the limit.
        found = {k: v for k, v in super().extensions.items() if k != "actual"}
        return {**found, "after": self.after, "latest": self.latest}


class ExportTooLarge(QueryTooComplex):
    """An answer with more entities and relationships than an export may hold
    (MAX_EXPORT_ITEMS; graph/http/export.py)."""

    code = EXPORT_TOO_LARGE

    def __init__(self, count: int, maximum: int) -> None:
        super().__init__("exportItems", maximum, count)

    def explain(self, what: str) -> str:
        return (
            f"The answer holds {self.actual:,} entities and relationships, over the export "
            f"limit of {self.maximum:,} (by {self.actual - self.maximum:,}): ask for less "
            "(a smaller `limit`, `first` or `hops`) and export it in parts."
        )


class PayloadTooLarge(GraphError):
    code = PAYLOAD_TOO_LARGE
    status = 413

    def __init__(self, maximum: int, declared: int | None) -> None:
        """`declared`: the Content-Length; None when the bytes received passed the limit."""
        what = f"{declared:,} bytes" if declared is not None else "more bytes"
        super().__init__(
            f"The request body ({what}) is over the limit of {maximum:,} bytes"
            + (f" (by {declared - maximum:,})." if declared is not None else ".")
        )


class BadRequest(GraphError):
    code = BAD_REQUEST
    status = 400


class HttpRefusal(BadRequest):
    """A request the HTTP layer refuses (Starlette's routing: no such path, a method the
    route does not take; Strawberry's: a mutation over GET, an unknown `operationName`),
    with the status it chose, answered as JSON with a code like every other error."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status if 400 <= status < 500 else 400
        if self.status == 404:
            self.code = NOT_FOUND


class PersistedQueryError(BadRequest):
    """A refusal of the persisted-query protocol (graph/http/persisted.py)."""


class PersistedQueryNotFound(PersistedQueryError):
    # Apollo clients look for this exact message (or the code) to send the text.
    code = PERSISTED_QUERY_NOT_FOUND
    status = 200

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


class PersistedQueryNotAllowed(PersistedQueryError):
    code = PERSISTED_QUERY_NOT_ALLOWED
    status = 403


def internal_error_message(request_id: str | None) -> str:
    return f"internal error (request id {request_id})" if request_id else "internal error"


def client_error(error: BaseException, request_id: str | None, where: object) -> dict[str, Any]:
    """What a client sees of `error`, as a GraphQL error: {"message", "extensions"}.
    `where` (a field's path, a URL path) goes into the log line of an unexpected one."""
    if isinstance(error, GraphError) and error.code != INTERNAL_SERVER_ERROR:
        return {"message": error.message, "extensions": dict(error.extensions)}
    if isinstance(error, GraphError):  # e.g. an unexpected Neo4j error, translated
        log.error(
            "internal error in %s: %s", where, error.message, extra={"request_id": request_id}
        )
    else:
        log.error("unexpected error in %s", where, exc_info=error, extra={"request_id": request_id})
    extensions = {"code": INTERNAL_SERVER_ERROR}
    if request_id:
        extensions["requestId"] = request_id
    return {"message": internal_error_message(request_id), "extensions": extensions}
