"""The error boundary of the GraphQL layer.

The project's own errors (graph.errors) keep their message and `extensions.code`;
validation and syntax errors keep graphql-core's message (and the limits' errors their
QUERY_TOO_COMPLEX code); anything else is replaced by "internal error" with the
request's id, in the message and as `extensions.requestId`, and logged with its stack
and the same id, so a report can be matched to the log (graph.errors.client_error).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph import request_context
from graph.errors import GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, client_error


def engine_error_code(message: str) -> str:
    """The code of one of graphql-core's own errors, which carry none: a document that is
    not GraphQL (a syntax error), else one that does not fit the schema. Also used for
    the errors a subscription's WebSocket sends (graph/http/websocket.py)."""
    syntax = message.startswith("Syntax Error")
    return GRAPHQL_PARSE_FAILED if syntax else GRAPHQL_VALIDATION_FAILED


def mask(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        extensions = dict(error.extensions or {})
        extensions.setdefault("code", engine_error_code(error.message))
        error.extensions = extensions
        return error
    if isinstance(original, GraphQLError):  # e.g. variable coercion inside a resolver
        return mask(original)
    seen = client_error(original, request_context.request_id(), where=error.path)
    return GraphQLError(
        seen["message"], nodes=error.nodes, path=error.path, extensions=seen["extensions"]
    )


class MaskErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result and result.errors:
            result.errors = [mask(e) for e in result.errors]
