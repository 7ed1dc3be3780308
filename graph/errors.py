"""The project's errors. Each carries the GraphQL `extensions.code` a client sees.

    GraphError
    ├── BadUserInput            BAD_USER_INPUT: an argument out of range or malformed
    ├── NotFound                NOT_FOUND: a named thing that does not exist
    ├── Unauthenticated         UNAUTHENTICATED: a bad token, or none where one is needed
    ├── Forbidden               FORBIDDEN: a valid token whose role is too low
    └── ServiceUnavailable      SERVICE_UNAVAILABLE: Neo4j cannot be reached right now
        └── QueryTimeout        SERVICE_UNAVAILABLE: a query ran past its time budget

Errors from the driver are translated to these in exactly one place, `graph.db`;
anything else that escapes a resolver is masked as INTERNAL_SERVER_ERROR by
`graph.masking`, so no stack trace or driver message reaches a client.
"""

from __future__ import annotations


class GraphError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, str]:
        # graphql-core copies an original error's `extensions` onto the GraphQL error.
        return {"code": self.code}


class BadUserInput(GraphError):
    code = "BAD_USER_INPUT"


class NotFound(GraphError):
    code = "NOT_FOUND"


class Unauthenticated(GraphError):
    code = "UNAUTHENTICATED"


class Forbidden(GraphError):
    code = "FORBIDDEN"


class ServiceUnavailable(GraphError):
    code = "SERVICE_UNAVAILABLE"


class QueryTimeout(ServiceUnavailable):
    pass
