"""Abuse limits, checked before Neo4j is touched.

Limits on a GraphQL operation, each from settings (`MAX_QUERY_DEPTH`, `MAX_ALIASES`,
`MAX_TOKENS`, `MAX_QUERY_COST`, `MAX_FILTER_CLAUSES`, `MAX_LIST_ITEMS`). An operation
over any of them is refused with
`extensions.code` QUERY_TOO_COMPLEX and a message naming the limit and by how much; the
extensions also carry `limit`, `maximum` and `actual` for programs
(graph.errors.QueryTooComplex).

- **tokens** are counted by graphql-core's lexer before the document is parsed (the
  lexer stops a little past the limit, so a huge document costs little to refuse);
- **depth** (the deepest nesting of fields, fragments expanded), **aliases** (aliased
  fields in the operation that runs, fragments counted at each use) and **cost** are
  computed by a validation rule from the parsed document, the operation's variables and
  the schema's argument defaults. Size arguments are read as graphql-core will coerce
  them (`1000.0` sent for an `Int` is 1000), never from their raw JSON form.
- **filter clauses** (every input object in the operation's arguments, literal or in a
  variable: each `{...}` of a `where`, an `AND`/`OR` branch, a `related` step) and
  **list items** (the longest list in any argument) are counted from the raw JSON of
  the variables before anything is coerced, so a filter of thousands of branches is
  refused before it costs any CPU to convert or any Cypher to build.
- A batched request (a JSON array of operations) shares one cost budget (`Budget`, one
  per request in the context): each operation spends from it, and the one that overdraws it is
  refused.

The cost is an estimate of the objects the operation resolves. Each field returning an
object (or a list of them) costs `size x (weight + cost of its selection)`:

- `size` is 1 for a single object; for a list it is the field's `first`, `limit` or `k`
  argument (its value, its variable's coerced value, or its default); a list without
  such an argument counts as `UNSIZED_LIST` (the planner's default list, the most such
  a list returns unless the domain declaration bounds it lower: `DOMAIN_LISTS`). The
  lists directly inside a page, a path or a subgraph take their size from the field
  that made it: a connection's `edges` from its `first`, a neighbourhood's `nodes`
  from its `limit` (and its `edges` from 3 x `limit`), a path's `nodes`/`edges` from `maxHops + 1`,
  `connect`'s from its pairs of ids. Sizes are clamped to `MAX_LIST_SIZE` (larger ones
  are refused by the resolvers' own range checks anyway).
- `weight` is 1, or a field's `hops` / `maxHops`: how far the graph search goes.
- each filter clause of a field's arguments adds `size`: it is checked per item.
- Scalars cost nothing. Introspection (`__schema`, `__type`) is costed like the rest
  (its lists, bounded by the schema rather than the data, at `INTROSPECTION_LIST`), and
  an operation that uses it also passes graphql-core's MaxIntrospectionDepthRule.
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
    ListValueNode,
    ObjectValueNode,
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
    type_from_ast,
    value_from_ast,
)
from graphql.error import GraphQLSyntaxError
from graphql.language import Lexer, Source, TokenKind
from graphql.pyutils import Undefined
from graphql.utilities import coerce_input_value
from graphql.validation import MaxIntrospectionDepthRule, validate
from strawberry.extensions import SchemaExtension

from graph.bounded import BoundedCache
from graph.cypher.neighborhood import EDGES_PER_NODE
from graph.cypher.paths import PATHS_PER_PAIR
from graph.cypher.plan import DEFAULT_LIST
from graph.domain import DECLS, DOMAIN
from graph.errors import QueryTooComplex
from graph.resolvers.paths import MAX_CONNECT_IDS

# A list without a size argument (e.g. `provenance`) is estimated at the planner's
# default list size: the most such a list returns.
UNSIZED_LIST = DEFAULT_LIST
# A fact's provenance is read from the fact itself (no query of its own) and holds one
# entry per source and place that asserts it: a few in practice, but not bounded by
# anything yet, so it is estimated at this many (the one list still estimated rather than
# bounded; see the README's Limits).
PROVENANCE_ESTIMATE = 10
# Introspection's lists (types, fields, args) are bounded by the schema, not by the data,
# and their nesting by graphql-core's MaxIntrospectionDepthRule: a nominal size.
INTROSPECTION_LIST = 10
# Lists the domain declaration bounds: the schema's own description.
DOMAIN_LISTS = {
    "kinds": len(DECLS),
    "relationshipTypes": len(DOMAIN.relationship_types),
    "entitiesByKind": len(DECLS),
    "relationshipsByType": len(DOMAIN.relationship_types),
}
# Every list without a size argument counted at something other than UNSIZED_LIST.
# A fact's claims, like its provenance, are read from the fact itself: one per value a
# property is given (a few per property), estimated like provenance; `contested` names
# properties, at most one per declared property.
LIST_SIZES = {
    **DOMAIN_LISTS,
    "provenance": PROVENANCE_ESTIMATE,
    "claims": PROVENANCE_ESTIMATE,
    "contested": PROVENANCE_ESTIMATE,
}
# No list argument is accepted above this by any resolver.
MAX_LIST_SIZE = 1000
SIZE_ARGUMENTS = frozenset({"first", "limit", "k", "hops", "maxHops", "ids"})


@dataclass(frozen=True)
class Limits:
    depth: int = 15
    aliases: int = 30
    tokens: int = 5000
    cost: int = 100_000
    filter_clauses: int = 200
    list_items: int = 10_000


class Budget:
    """What is left of one request's cost budget: shared by the operations of a batch."""

    def __init__(self, cost: int) -> None:
        self.left = cost

    def spend(self, cost: int) -> bool:
        """Spends `cost` if it is left; False (and nothing spent) if it is not."""
        if cost > self.left:
            return False
        self.left -= cost
        return True


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


# Token counts of texts within a limit: clients send the same few operations again and
# again, and lexing one costs about as much as the rest of a small request's GraphQL
# work. Bounded by bytes; a text over its limit is counted every time, never kept.
_COUNTED: BoundedCache[str, int] = BoundedCache(
    1000, 16 * 1024 * 1024, 256 * 1024, lambda text, _count: len(text) + 100
)


def token_error(text: str, maximum: int) -> GraphQLError | None:
    known = _COUNTED.get(text)
    if known is not None and known <= maximum:
        return None
    # Counting stops at 10x the limit: "by at least" is enough to act on.
    cap = max(maximum * 10, maximum + 1)
    count = count_tokens(text, cap)
    if count <= maximum:
        _COUNTED.put(text, count)
        return None
    what = "the number of tokens" if count < cap else "the number of tokens (at least)"
    return too_complex("tokens", maximum, count, what)


@dataclass
class Summary:
    depth: int = 0
    aliases: int = 0
    cost: int = 0
    clauses: int = 0  # input objects in the arguments

    def add(self, other: Summary, depth_offset: int = 0) -> None:
        self.depth = max(self.depth, other.depth + depth_offset)
        self.aliases += other.aliases
        self.cost += other.cost
        self.clauses += other.clauses


@dataclass
class Breadth:
    """The input objects and the longest list in a raw JSON value (a variable's), counted
    without recursion and no further than `stop_after` objects."""

    objects: int = 0
    longest: int = 0

    @classmethod
    def of(cls, value: Any, stop_after: int) -> Breadth:
        found = cls()
        stack = [value]
        while stack and found.objects <= stop_after:
            item = stack.pop()
            if isinstance(item, dict):
                found.objects += 1
                stack.extend(item.values())
            elif isinstance(item, list):
                found.longest = max(found.longest, len(item))
                stack.extend(item)
        return found


class Estimator:
    """Depth, aliases and cost of one operation. Fragments are summarized once per type
    and inner list size (memoized), so spreading a fragment many times costs nothing
    extra to estimate; cycles (refused by validation anyway) are cut."""

    def __init__(
        self, schema: Any, document: Any, variables: dict[str, Any] | None, limits: Limits
    ) -> None:
        self.schema = schema
        self.variables = variables if isinstance(variables, dict) else {}
        self.limits = limits
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[tuple[str, int | None], Summary] = {}
        self.visiting: set[str] = set()
        self.variable_types: dict[str, Any] = {}
        self.variable_defaults: dict[str, Any] = {}
        # Per variable of the operation: its raw value's input objects and longest list.
        self.breadth: dict[str, Breadth] = {}
        self.longest_list = 0
        self.introspection = False  # whether __schema or __type was met

    def operation(self, op: OperationDefinitionNode) -> Summary:
        self.variable_types, self.variable_defaults, self.breadth = {}, {}, {}
        self.memo = {}
        for definition in op.variable_definitions or ():
            name = definition.variable.name.value
            self.variable_types[name] = type_from_ast(self.schema, definition.type)
            self.variable_defaults[name] = definition.default_value
            if name in self.variables:
                found = Breadth.of(self.variables[name], self.limits.filter_clauses)
                self.breadth[name] = found
                self.longest_list = max(self.longest_list, found.longest)
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
        clauses = sum(self.clauses(argument.value) for argument in node.arguments or ())
        named = get_named_type(definition.type)
        is_list = is_list_type(get_nullable_type(definition.type))
        child_inner = self.inner_size(name, args, is_list)
        children = self.selections(node.selection_set, named, child_inner)
        summary.add(children, depth_offset=1)
        summary.clauses += clauses
        size = 1
        if inner is not None and parent.name == "Subgraph" and name == "edges":
            inner *= EDGES_PER_NODE  # a neighbourhood's edges: up to 3 per node
        if is_list:
            given = _first_of(args, "first", "limit", "k")
            unsized = (
                INTROSPECTION_LIST
                if parent.name.startswith("__")
                else LIST_SIZES.get(name, UNSIZED_LIST)
            )
            fallback = inner if inner is not None else unsized
            size = given if given is not None else fallback
        # A filter is checked per item of the list (or of the page) it filters.
        filtered = _clamp(size if is_list or child_inner is None else child_inner)
        if node.selection_set is None:  # a scalar or an enum: free, but for its filters
            summary.cost = clauses * filtered
            return summary
        weight = _first_of(args, "hops", "maxHops") or 1
        summary.cost = _clamp(size) * (_clamp(weight) + children.cost) + clauses * filtered
        return summary

    def clauses(self, value: Any) -> int:
        """Input objects in an argument's value; notes the longest list met."""
        count = 0
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, ObjectValueNode):
                count += 1
                stack.extend(field.value for field in item.fields)
            elif isinstance(item, ListValueNode):
                self.longest_list = max(self.longest_list, len(item.values))
                stack.extend(item.values)
            elif isinstance(item, VariableNode):
                found = self.breadth.get(item.name.value)
                count += found.objects if found else 0
        return count

    @staticmethod
    def inner_size(name: str, args: dict[str, Any], is_list: bool) -> int | None:
        """The size of the lists directly inside the object this field returns."""
        if name == "connect":
            ids = args.get("ids")
            count = len(ids) if isinstance(ids, list) else MAX_CONNECT_IDS
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
        """The size-related arguments' values as graphql-core will coerce them: literal,
        variable (its value, else its default) or the argument's default. A value that
        cannot be coerced is None (the operation will be refused for it anyway)."""
        values: dict[str, Any] = {}
        given = {a.name.value: a.value for a in node.arguments or ()}
        for arg_name, arg in definition.args.items():
            if arg_name not in SIZE_ARGUMENTS:
                continue
            if arg_name not in given:
                values[arg_name] = arg.default_value
                continue
            value = given[arg_name]
            if isinstance(value, VariableNode):
                values[arg_name] = self.variable(value.name.value)
            else:
                values[arg_name] = value_from_ast(value, arg.type, self.coerced_variables())
        return values

    def variable(self, name: str) -> Any:
        """A variable's coerced value (only size variables are coerced here: ints and
        lists of ids, cheap to convert)."""
        var_type = self.variable_types.get(name)
        if var_type is None:
            return None
        if name in self.variables:
            try:
                return coerce_input_value(self.variables[name], var_type)
            except (GraphQLError, TypeError, ValueError):
                return None
        default = self.variable_defaults.get(name)
        return value_from_ast(default, var_type) if default is not None else None

    def coerced_variables(self) -> dict[str, Any]:
        """Variables nested in a literal list (`ids: [$a, $b]`), coerced on demand."""
        return {name: self.variable(name) for name in self.variable_types}


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value is Undefined:
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
    budget: Budget | None = None,
) -> list[GraphQLError]:
    """The limits the operation that would run exceeds (empty when none). With a
    `budget`, the cost is spent from it (when within it)."""
    estimator = Estimator(schema, document, variables, limits)
    worst = Summary()
    for op in chosen_operations(document, operation_name):
        summary = estimator.operation(op)
        worst.depth = max(worst.depth, summary.depth)
        worst.aliases = max(worst.aliases, summary.aliases)
        worst.cost = max(worst.cost, summary.cost)
        worst.clauses = max(worst.clauses, summary.clauses)
    errors: list[GraphQLError] = []
    if worst.clauses > limits.filter_clauses:
        errors.append(
            too_complex(
                "filterClauses",
                limits.filter_clauses,
                worst.clauses,
                "the number of filter clauses (input objects in the arguments)",
            )
        )
    if estimator.longest_list > limits.list_items:
        errors.append(
            too_complex(
                "listItems",
                limits.list_items,
                estimator.longest_list,
                "the length of a list in the arguments",
            )
        )
    if errors:
        return errors  # nothing else is worth estimating
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
    elif budget is not None and not errors and not budget.spend(worst.cost):
        errors.append(
            too_complex(
                "cost",
                budget.left,
                worst.cost,
                "the estimated cost (what is left of the batch's shared budget)",
            )
        )
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
                budget = getattr(ctx.context, "budget", None)
                for error in check_operation_limits(
                    self.context.schema, node, limits, ctx.variables, ctx.operation_name, budget
                ):
                    self.report_error(error)
                return self.BREAK

        ctx.validation_rules = (*ctx.validation_rules, LimitsRule)
        yield
