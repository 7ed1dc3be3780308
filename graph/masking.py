"""The error boundary of the GraphQL layer.

The project's own errors (graph.errors) keep their message and `extensions.code`;
validation and syntax errors keep graphql-core's message (and the limits' errors their
QUERY_TOO_COMPLEX code); anything else is replaced by "internal error" with the
request's id, in the message and as `extensions.requestId`, and logged here with its
stack and the same id, so a report can be matched to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph import observability
from graph.errors import GraphError

log = logging.getLogger("graph.errors")
INTERNAL = "INTERNAL_SERVER_ERROR"


def internal_error_message(request_id: str | None) -> str:
    return f"internal error (request id {request_id})" if request_id else "internal error"


def internal_extensions(request_id: str | None) -> dict[str, str]:
    extensions = {"code": INTERNAL}
    if request_id:
        extensions["requestId"] = request_id
    return extensions


def mask(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        extensions = dict(error.extensions or {})
        syntax = error.message.startswith("Syntax Error")
        extensions.setdefault(
            "code", "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
        )
        error.extensions = extensions
        return error
    if isinstance(original, GraphError):
        if original.code == INTERNAL:  # e.g. an unexpected Neo4j error, translated
            request_id = observability.request_id()
            log.error(
                "internal error in %s: %s",
                error.path,
                original.message,
                extra={"request_id": request_id},
            )
            return GraphQLError(
                internal_error_message(request_id),
                nodes=error.nodes,
                path=error.path,
                extensions=internal_extensions(request_id),
            )
        error.extensions = {"code": original.code}
        return error
    if isinstance(original, GraphQLError):  # e.g. variable coercion inside a resolver
        return mask(original)
    request_id = observability.request_id()
    log.error(
        "unexpected error in %s", error.path, exc_info=original, extra={"request_id": request_id}
    )
    return GraphQLError(
        internal_error_message(request_id),
        nodes=error.nodes,
        path=error.path,
        extensions=internal_extensions(request_id),
    )


class MaskErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result and result.errors:
            result.errors = [mask(e) for e in result.errors]
