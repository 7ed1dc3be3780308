"""The error boundary of the GraphQL layer.

The project's own errors (graph.errors) keep their message and `extensions.code`;
validation and syntax errors keep graphql-core's message; anything else is replaced by
"internal error" with a request-independent code, and logged here with its stack.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import GraphError

log = logging.getLogger("graph.errors")


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
        error.extensions = {"code": original.code}
        return error
    if isinstance(original, GraphQLError):  # e.g. variable coercion inside a resolver
        return mask(original)
    log.error("unexpected error in %s", error.path, exc_info=original)
    return GraphQLError(
        "internal error",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class MaskErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result and result.errors:
            result.errors = [mask(e) for e in result.errors]
