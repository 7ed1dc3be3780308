"""Abuse limits, checked before Neo4j is touched.

Four limits on a GraphQL document, each from settings (`MAX_QUERY_DEPTH`, `MAX_ALIASES`,
`MAX_TOKENS`, `MAX_QUERY_COST`). A document over any of them is refused with
`extensions.code` QUERY_TOO_COMPLEX and a message naming the limit and by how much; the
extensions also carry `limit`, `maximum` and `actual` for programs
(graph.errors.QueryTooComplex).

- **tokens** are counted by graphql-core's lexer before the document is parsed (the
  lexer stops a little past the limit, so a huge document costs little to refuse);
- **depth** (the deepest nesting of fields, fragments expanded), **aliases** (aliased
  fields in the operation that runs, fragments counted at each use) and **cost** are
  computed by a validation rule from the parsed document, the operation's variables and
  the schema's argument defaults.

The cost is an estimate of the objects the operation resolves. Each field returning an
object (or a list of them) costs `size x (weight + cost of its selection)`:

- `size` is 1 for a single object; for a list it is the field's `first`, `limit` or `k`
  argument (its value, its variable's value, or its default); a list without such an
  argument counts as `DEFAULT_LIST_SIZE`. The lists directly inside a page, a path or a
  subgraph take their size from the field that made it: a connection's `edges` from its
  `first`, a neighbourhood's `nodes`/`edges` from its `limit`, a path's `nodes`/`edges`
  from `maxHops + 1`, `connect`'s from its pairs of ids. Sizes are clamped to
  `MAX_LIST_SIZE` (larger ones are refused by the resolvers' own range checks anyway).
- `weight` is 1, or a field's `hops` / `maxHops`: how far the graph search goes.
- Scalars cost nothing. Introspection (`__schema`, `__type`) is costed like the rest,
  and an operation that uses it also passes graphql-core's MaxIntrospectionDepthRule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_interface_type,
    is_list_type,
    is_object_type,
)
from graphql.error import GraphQLSyntaxError
from graphql.language import Lexer, Source, TokenKind
from graphql.validation import MaxIntrospectionDepthRule, validate
from strawberry.extensions import SchemaExtension

from graph.cypher.paths import PATHS_PER_PAIR
from graph.errors import QueryTooComplex

# A list without a size argument (e.g. `provenance`, `units`) is estimated at this many.
DEFAULT_LIST_SIZE = 10
# No list argument is accepted above this by any resolver.
MAX_LIST_SIZE = 1000
# How many paths `connect` keeps per pair of ids.


@dataclass(frozen=True)
class Limits:
    depth: int = 15
    aliases: int = 30
    tokens: int = 5000
    cost: int = 100_000


def too_complex(limit: str, maximum: int, actual: int, what: str) -> GraphQLError:
    error = QueryTooComplex(limit, maximum, actual, what)
    return GraphQLError(error.message, extensions=error.extensions)


def count_tokens(text: str, stop_after: int) -> int:
    """Tokens in `text` (punctuation, names, values; comments are not tokens), counting
    no further than `stop_after`. A lexing error ends the count: the parser reports it."""
    lexer = Lexer(Source(text))
    count = 0
    try:
        while lexer.advance().kind != TokenKind.EOF:
            count += 1
            if count >= stop_after:
                break
    except GraphQLSyntaxError:
        pass
    return count


def token_error(text: str, maximum: int) -> GraphQLError | None:
    # Counting stops at 10x the limit: "by at least" is enough to act on.
    cap = max(maximum * 10, maximum + 1)
    count = count_tokens(text, cap)
    if count <= maximum:
        return None
    what = "the number of tokens" if count < cap else "the number of tokens (at least)"
    return too_complex("tokens", maximum, count, what)


@dataclass
class Summary:
    depth: int = 0
    aliases: int = 0
    cost: int = 0

    def add(self, other: Summary, depth_offset: int = 0) -> None:
        self.depth = max(self.depth, other.depth + depth_offset)
        self.aliases += other.aliases
        self.cost += other.cost


class Estimator:
    """Depth, aliases and cost of one operation. Fragments are summarized once per type
    and inner list size (memoized), so spreading a fragment many times costs nothing
    extra to estimate; cycles (refused by validation anyway) are cut."""

    def __init__(self, schema: Any, document: Any, variables: dict[str, Any] | None) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[tuple[str, int | None], Summary] = {}
        self.visiting: set[str] = set()
        self.variable_defaults: dict[str, Any] = {}
        self.introspection = False  # whether __schema or __type was met

    def operation(self, op: OperationDefinitionNode) -> Summary:
        self.variable_defaults = {
            d.variable.name.value: d.default_value for d in op.variable_definitions or ()
        }
        root = self.schema.get_root_type(op.operation)
        if root is None:
            return Summary()
        return self.selections(op.selection_set, root, None)

    def selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, inner: int | None
    ) -> Summary:
        total = Summary()
        if selection_set is None:
            return total
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total.add(self.field(selection, parent, inner))
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    condition = self.schema.get_type(selection.type_condition.name.value) or parent
                total.add(self.selections(selection.selection_set, condition, inner))
            elif isinstance(selection, FragmentSpreadNode):
                total.add(self.spread(selection.name.value, inner))
        return total

    def spread(self, name: str, inner: int | None) -> Summary:
        key = (name, inner)
        if key in self.memo:
            return self.memo[key]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:
            return Summary()
        self.visiting.add(name)
        condition = self.schema.get_type(fragment.type_condition.name.value)
        summary = (
            self.selections(fragment.selection_set, condition, inner) if condition else Summary()
        )
        self.visiting.discard(name)
        self.memo[key] = summary
        return summary

    def field(self, node: FieldNode, parent: GraphQLNamedType, inner: int | None) -> Summary:
        summary = Summary(depth=1, aliases=1 if node.alias else 0)
        name = node.name.value
        if name == "__schema":
            definition = SchemaMetaFieldDef
            self.introspection = True
        elif name == "__type":
            definition = TypeMetaFieldDef
            self.introspection = True
        elif name.startswith("__") or not (is_object_type(parent) or is_interface_type(parent)):
            return summary  # __typename
        else:
            definition = parent.fields.get(name)
        if definition is None:
            return summary
        args = self.arguments(node, definition)
        named = get_named_type(definition.type)
        is_list = is_list_type(get_nullable_type(definition.type))
        child_inner = self.inner_size(name, args, is_list)
        children = self.selections(node.selection_set, named, child_inner)
        summary.add(children, depth_offset=1)
        if node.selection_set is None:  # a scalar or an enum: free
            summary.cost = 0
            return summary
        size = 1
        if is_list:
            given = _first_of(args, "first", "limit", "k")
            fallback = inner if inner is not None else DEFAULT_LIST_SIZE
            size = given if given is not None else fallback
        weight = _first_of(args, "hops", "maxHops") or 1
        summary.cost = _clamp(size) * (_clamp(weight) + children.cost)
        return summary

    @staticmethod
    def inner_size(name: str, args: dict[str, Any], is_list: bool) -> int | None:
        """The size of the lists directly inside the object this field returns."""
        if name == "connect":
            ids = args.get("ids")
            count = len(ids) if isinstance(ids, list) else 10
            pairs = max(1, count * (count - 1) // 2)
            hops = _int(args.get("maxHops")) or 1
            return pairs * PATHS_PER_PAIR * (hops + 1)
        if _int(args.get("limit")) is not None:
            return _int(args["limit"])
        if _int(args.get("maxHops")) is not None:
            return (_int(args["maxHops"]) or 0) + 1
        if not is_list and _int(args.get("first")) is not None:
            return _int(args["first"])
        return None

    def arguments(self, node: FieldNode, definition: Any) -> dict[str, Any]:
        """The size-related arguments' values: literal, variable or default."""
        values: dict[str, Any] = {}
        given = {a.name.value: a.value for a in node.arguments or ()}
        for arg_name, arg in definition.args.items():
            if arg_name not in {"first", "limit", "k", "hops", "maxHops", "ids"}:
                continue
            value = self.value(given[arg_name]) if arg_name in given else arg.default_value
            values[arg_name] = value
        return values

    def value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            default = self.variable_defaults.get(name)
            return self.value(default) if default is not None else None
        if isinstance(node, IntValueNode):
            try:
                return int(node.value)
            except ValueError:
                return None
        if isinstance(node, ListValueNode):
            return list(node.values)
        return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _first_of(args: dict[str, Any], *names: str) -> int | None:
    for name in names:
        value = _int(args.get(name))
        if value is not None:
            return value
    return None


def _clamp(value: int) -> int:
    return min(max(value, 1), MAX_LIST_SIZE)


def chosen_operations(document: Any, operation_name: str | None) -> list[OperationDefinitionNode]:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return [op for op in operations if op.name and op.name.value == operation_name]
    return operations


def check_operation_limits(
    schema: Any,
    document: Any,
    limits: Limits,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> list[GraphQLError]:
    """The limits the operation that would run exceeds (empty when none)."""
    estimator = Estimator(schema, document, variables)
    worst = Summary()
    for op in chosen_operations(document, operation_name):
        summary = estimator.operation(op)
        worst.depth = max(worst.depth, summary.depth)
        worst.aliases = max(worst.aliases, summary.aliases)
        worst.cost = max(worst.cost, summary.cost)
    errors: list[GraphQLError] = []
    if estimator.introspection:
        # graphql-core's rule against introspection that nests `fields`, `interfaces`,
        # `possibleTypes` or `inputFields` (or `ofType`) deeper than any client needs.
        errors += validate(schema, document, [MaxIntrospectionDepthRule])
    if worst.depth > limits.depth:
        errors.append(too_complex("depth", limits.depth, worst.depth, "the depth"))
    if worst.aliases > limits.aliases:
        errors.append(
            too_complex("aliases", limits.aliases, worst.aliases, "the number of aliases")
        )
    if worst.cost > limits.cost:
        errors.append(too_complex("cost", limits.cost, worst.cost, "the estimated cost"))
    return errors


def _limits_of(execution_context: Any) -> Limits:
    return getattr(execution_context.context, "limits", None) or Limits()


class QueryLimits(SchemaExtension):
    """Refuses documents over the limits of the request's context (`Context.limits`)
    before they execute."""

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is None and ctx.query:
            error = token_error(ctx.query, _limits_of(ctx).tokens)
            if error is not None:
                # Strawberry turns an exception here into the response's only error.
                raise error
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        limits = _limits_of(ctx)

        class LimitsRule(ValidationRule):
            def enter_document(self, node: Any, *_: Any) -> Any:
                for error in check_operation_limits(
                    self.context.schema, node, limits, ctx.variables, ctx.operation_name
                ):
                    self.report_error(error)
                return self.BREAK

        ctx.validation_rules = (*ctx.validation_rules, LimitsRule)
        yield
