"""Documents parsed and validated once: clients send the same few operations again and
again, and graphql-core's validation (about thirty rules, each a walk of the document
with type information) was a fifth of a request's CPU time under load.

`DocumentCache` remembers, per query text, the parsed document and that it passed the
standard validation rules. Those depend on the schema and the text alone. Rules a
request adds for itself (graph/extensions/limits.py adds one that checks depth, breadth
and cost with that request's variables) still run on every request, on the remembered
document.

It must come after QueryLimits in the schema's extensions: that one looks at the raw
text before anything is parsed (a text over the token limit is refused, never cached).

Both memories are bounded by bytes as well as by count (graph/bounded.py): a parsed
document weighs about 60 bytes per character of a typical operation's text (measured
with tracemalloc on the playground's examples), and a text too large for the budget of
one entry (a document of one very long string literal) is parsed each time instead of
kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, TypeInfo, specified_rules, validate
from graphql.validation import ValidationContext
from strawberry.extensions import SchemaExtension

from graph.bounded import BoundedCache

MAX_DOCUMENTS = 1000  # distinct texts remembered, the least recently used go first
MAX_BYTES = 64 * 1024 * 1024  # what all of them may weigh together (estimated)
MAX_DOCUMENT_BYTES = 1024 * 1024  # one document weighing more is not kept (~16 KB of text)
AST_BYTES_PER_CHAR = 60
_STANDARD = frozenset(specified_rules)


def _weigh(key: tuple, _value: object) -> int:
    return len(key[1]) * AST_BYTES_PER_CHAR


_parsed: BoundedCache[tuple[int, str, tuple], DocumentNode] = BoundedCache(
    MAX_DOCUMENTS, MAX_BYTES, MAX_DOCUMENT_BYTES, _weigh
)
# Texts known to pass the standard rules (the text is the key; True the value).
_valid: BoundedCache[tuple[int, str], bool] = BoundedCache(
    MAX_DOCUMENTS, MAX_BYTES // 8, MAX_DOCUMENT_BYTES // 8, lambda key, _: len(key[1])
)


def _document_only(rule: type) -> bool:
    """A rule that looks at the document as a whole (enter_document and nothing else):
    it can run without a walk of the document."""
    hooks = {
        name
        for klass in rule.__mro__
        if klass.__module__ != "graphql.validation.rules" and klass.__name__ != "ValidationRule"
        for name in vars(klass)
        if name.startswith(("enter", "leave"))
    }
    return hooks == {"enter_document"}


def _run_extra(schema: Any, document: DocumentNode, rules: list[type]) -> list[GraphQLError]:
    """The request's own rules on a remembered document: document-level ones called
    directly, any other through graphql-core's walk."""
    errors: list[GraphQLError] = []
    walked = [rule for rule in rules if not _document_only(rule)]
    direct = [rule for rule in rules if _document_only(rule)]
    if direct:
        context = ValidationContext(schema, document, TypeInfo(schema), errors.append)
        for rule in direct:
            rule(context).enter_document(document)
    if walked:
        errors += validate(schema, document, walked)
    return errors


def _options(ctx: Any) -> tuple:
    options = ctx.parse_options or {}
    return tuple(sorted(options.items())) if isinstance(options, dict) else (repr(options),)


class DocumentCache(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        text = ctx.query
        key = None
        if ctx.graphql_document is None and isinstance(text, str):
            key = (id(ctx.schema), text, _options(ctx))
            ctx.graphql_document = _parsed.get(key)
        yield
        if key is not None and ctx.graphql_document is not None and key not in _parsed:
            _parsed.put(key, ctx.graphql_document)

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        rules = tuple(ctx.validation_rules)
        text = ctx.query
        if not isinstance(text, str) or not _STANDARD.issubset(rules):
            yield
            return
        key = (id(ctx.schema), text)
        if key in _valid and ctx.graphql_document is not None:
            extra = [rule for rule in rules if rule not in _STANDARD]
            schema, document = ctx.schema._schema, ctx.graphql_document
            # Strawberry validates only when no errors are set yet.
            ctx.pre_execution_errors = _run_extra(schema, document, extra)
            yield
            return
        yield
        if ctx.pre_execution_errors == []:
            _valid.put(key, True)
