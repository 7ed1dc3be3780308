"""Which entities and relationships a GraphQL answer holds, and where it was cut.

An export runs an ordinary query. Before it runs, `prepare` gives the document what the
answer must carry to be read back: `__typename` on every abstract selection (to know
an object's type), `id` on every Node (entities, `Edge`), `relationshipId` on every view
of a relationship, `truncated` on a subgraph, `pageInfo { hasNextPage }` on a page, and
a path's or a subgraph's `edges` (a path exported is its nodes and the edges between
them). The client need select none of them, nor any provenance. A field the client already
asks for under that name is shared with it; a name the client gave to another field
(`id: name`) makes the added field take an alias of its own (`kgExport_id`).

`members` then walks the answer with the document, as the engine completed it
(fragments, type conditions, `@skip` / `@include`), and collects:

- every entity (an object whose type implements `Entity`), by id;
- every relationship: an `Edge` (its `id`), anything with a `relationshipId` (a
  `Relationship`, a page edge, a wrapper such as `AgreementParty`), and the one a typed
  relationship field follows from an entity to the entity it answers with
  (`lender`, `creditsGranted`, ...: the field's declared type and direction);
- every place where the answer stops short of what matched: a subgraph `truncated`, a
  page with `hasNextPage`, a list holding as many items as its `first`, `limit` or `k`
  allows (more may follow). Each is said once per path, list indexes written `[]`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_composite_type,
    is_interface_type,
    is_list_type,
    is_object_type,
)
from graphql.execution.values import get_argument_values, get_directive_values, get_variable_values

from graph.cypher.nodes import parse_relationship_id
from graph.domain import DECLS, Direction

ALIAS_PREFIX = "kgExport_"
ENTITY_INTERFACE = "Entity"
NODE_INTERFACE = "Node"
EDGE_TYPE = "Edge"
PAGE_INFO = "PageInfo"
SIZE_ARGUMENTS = ("first", "limit", "k")
TYPENAME = "__typename"

# Per entity type: its typed relationship fields -> (relationship type, direction).
RELATIONSHIP_FIELDS: dict[str, dict[str, tuple[str, Direction]]] = {
    decl.label: {f.name: (f.type, f.direction) for f in decl.all_relationships()}
    for decl in DECLS.values()
}


# ------------------------------------------------------------------ the document


def _needed(parent: GraphQLNamedType) -> list[tuple[str, str]]:
    """The fields an export reads on objects of `parent`: (field name, its text)."""
    needed: list[tuple[str, str]] = []
    if is_abstract_type(parent):
        needed.append((TYPENAME, TYPENAME))
    if not (is_object_type(parent) or is_interface_type(parent)):
        return needed
    fields = parent.fields
    is_node = parent.name == NODE_INTERFACE or any(
        i.name == NODE_INTERFACE for i in parent.interfaces
    )
    if is_node and "id" in fields:
        needed.append(("id", "id"))
    if "relationshipId" in fields:
        needed.append(("relationshipId", "relationshipId"))
    if "truncated" in fields:
        needed.append(("truncated", "truncated"))
    if "edges" in fields and get_named_type(fields["edges"].type).name == EDGE_TYPE:
        needed.append(("edges", "edges { id }"))  # a path's or a subgraph's, even unasked
    if "pageInfo" in fields and get_named_type(fields["pageInfo"].type).name == PAGE_INFO:
        needed.append(("pageInfo", "pageInfo { hasNextPage }"))
    return needed


class _Preparer:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.insertions: list[tuple[int, str]] = []

    def keys(self, selection_set: SelectionSetNode, seen: set[str]) -> dict[str, str]:
        """Response key -> field name, over the set, its inline fragments and spreads."""
        found: dict[str, str] = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.setdefault((selection.alias or selection.name).value, selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                found.update(self.keys(selection.selection_set, seen))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    found.update(self.keys(fragment.selection_set, seen | {name}))
        return found

    def selection_set(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode) and selection.selection_set is not None:
                definition = getattr(parent, "fields", {}).get(selection.name.value)
                if definition is not None:
                    self.selection_set(selection.selection_set, get_named_type(definition.type))
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    condition = self.schema.get_type(selection.type_condition.name.value) or parent
                self.selection_set(selection.selection_set, condition)
        taken = self.keys(selection_set, set())
        added = []
        for name, text in _needed(parent):
            if taken.get(name, name) != name:  # the client named another field so
                text = f"{ALIAS_PREFIX}{name.strip('_')}: {text}"
            added.append(text)
        if added and selection_set.loc is not None:
            # Just before the closing brace: the client's text keeps its lines (and, up to
            # that brace, its columns), so errors point where the client wrote.
            self.insertions.append((selection_set.loc.end - 1, " " + " ".join(added) + " "))

    def text(self, document: DocumentNode, source: str) -> str:
        for definition in document.definitions:
            parent: GraphQLNamedType | None = None
            if isinstance(definition, OperationDefinitionNode):
                parent = self.schema.get_root_type(definition.operation)
            elif isinstance(definition, FragmentDefinitionNode):
                parent = self.schema.get_type(definition.type_condition.name.value)
            selection_set = getattr(definition, "selection_set", None)
            if parent is not None and selection_set is not None:
                self.selection_set(selection_set, parent)
        out = source
        for at, text in sorted(self.insertions, reverse=True):
            out = out[:at] + text + out[at:]
        return out


def prepare(schema: GraphQLSchema, document: DocumentNode, source: str) -> str:
    """`source` (parsed as `document`) with the fields an export reads added wherever
    they are missing."""
    return _Preparer(schema, document).text(document, source)


# ------------------------------------------------------------------ the answer


@dataclass
class Membership:
    entities: dict[str, None] = field(default_factory=dict)  # ids, in the answer's order
    relationships: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    cuts: dict[str, str] = field(default_factory=dict)  # path -> what cut it

    def add_entity(self, entity_id: Any) -> None:
        if isinstance(entity_id, str) and entity_id:
            self.entities.setdefault(entity_id, None)

    def add_relationship(self, relationship_id: Any) -> None:
        if not isinstance(relationship_id, str):
            return
        parsed = parse_relationship_id(relationship_id)
        if parsed is not None:
            self.relationships.setdefault(relationship_id, parsed)

    def add_cut(self, path: Iterable[str | int], why: str) -> None:
        where = "".join(f".{p}" if isinstance(p, str) else "[]" for p in path).lstrip(".")
        self.cuts.setdefault(where or "(root)", why)

    @property
    def count(self) -> int:
        """Members found so far (cheap: what grows while an answer is walked)."""
        return len(self.entities) + len(self.relationships)

    @property
    def size(self) -> int:
        """Entities (those shown and the ends of relationships) and relationships."""
        ends = {end for start, _, stop in self.relationships.values() for end in (start, stop)}
        return len(self.entities.keys() | ends) + len(self.relationships)

    def cut_texts(self) -> tuple[str, ...]:
        return tuple(f"{path}: {why}" for path, why in self.cuts.items())


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, Any] | None,
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
        # The engine ran the operation with these variables: they coerce.
        self.variables = None if isinstance(coerced, list) else coerced
        self.found = Membership()
        self._collected: dict[tuple[tuple[int, ...], str], dict[str, list[FieldNode]]] = {}
        self._sizes: dict[int, int | None] = {}

    # -- fields as the engine collects them

    def included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> bool:
        if not node.directives:
            return True
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip is not None and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include is not None and include.get("if") is False)

    def applies(self, condition: str | None, runtime: GraphQLObjectType) -> bool:
        if condition is None or condition == runtime.name:
            return True
        conditional = self.schema.get_type(condition)
        return (
            conditional is not None
            and is_abstract_type(conditional)
            and self.schema.is_sub_type(conditional, runtime)
        )

    def collect(
        self, selection_sets: list[SelectionSetNode], runtime: GraphQLObjectType
    ) -> dict[str, list[FieldNode]]:
        memo = (tuple(id(s) for s in selection_sets), runtime.name)
        cached = self._collected.get(memo)
        if cached is not None:
            return cached
        fields: dict[str, list[FieldNode]] = {}
        pending = list(selection_sets)
        while pending:
            for selection in pending.pop(0).selections:
                if not isinstance(
                    selection, FieldNode | InlineFragmentNode | FragmentSpreadNode
                ) or not self.included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if self.applies(condition.name.value if condition else None, runtime):
                        pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment and self.applies(fragment.type_condition.name.value, runtime):
                        pending.append(fragment.selection_set)
        self._collected[memo] = fields
        return fields

    def size_of(self, definition: Any, node: FieldNode) -> int | None:
        """The `first`, `limit` or `k` the list field ran with."""
        if id(node) not in self._sizes:
            size = None
            if any(name in definition.args for name in SIZE_ARGUMENTS):
                values = get_argument_values(definition, node, self.variables)
                size = next(
                    (values[n] for n in SIZE_ARGUMENTS if isinstance(values.get(n), int)), None
                )
            self._sizes[id(node)] = size
        return self._sizes[id(node)]

    # -- the walk

    def operation(self, operation: OperationDefinitionNode, data: dict[str, Any]) -> None:
        root = self.schema.get_root_type(operation.operation)
        if root is not None:
            self.object(data, [operation.selection_set], root, ())

    def value(
        self,
        value: Any,
        selection_sets: list[SelectionSetNode],
        static: GraphQLNamedType,
        path: tuple[str | int, ...],
        follows: tuple[str, str, Direction] | None,
    ) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                self.value(item, selection_sets, static, (*path, index), follows)
            return
        if not isinstance(value, dict):
            return
        entity_id = self.object(value, selection_sets, static, path)
        if follows is not None and entity_id is not None:
            holder, rel_type, direction = follows
            start, end = (holder, entity_id) if direction == Direction.OUT else (entity_id, holder)
            self.found.add_relationship(f"{start}|{rel_type}|{end}")

    def object(
        self,
        value: dict[str, Any],
        selection_sets: list[SelectionSetNode],
        static: GraphQLNamedType,
        path: tuple[str | int, ...],
    ) -> str | None:
        """Walks one object; its entity id when it is an entity."""
        runtime: GraphQLNamedType | None = static
        if is_abstract_type(static):
            typename = value.get(TYPENAME, value.get(ALIAS_PREFIX + "typename"))
            runtime = self.schema.get_type(typename) if isinstance(typename, str) else None
        if not isinstance(runtime, GraphQLObjectType):
            return None
        fields = self.collect(selection_sets, runtime)
        read = {nodes[0].name.value: value.get(key) for key, nodes in fields.items()}
        entity_id = None
        if any(i.name == ENTITY_INTERFACE for i in runtime.interfaces):
            entity_id = read.get("id") if isinstance(read.get("id"), str) else None
            self.found.add_entity(entity_id)
        if runtime.name == EDGE_TYPE:
            self.found.add_relationship(read.get("id"))
        self.found.add_relationship(read.get("relationshipId"))
        if runtime.name == PAGE_INFO and read.get("hasNextPage") is True:
            self.found.add_cut(path[:-1], "a page: more pages follow (`pageInfo.hasNextPage`)")
        if "truncated" in runtime.fields and read.get("truncated") is True:
            self.found.add_cut(path, "cut at its limit (`truncated`)")

        typed = RELATIONSHIP_FIELDS.get(runtime.name, {}) if entity_id else {}
        for key, nodes in fields.items():
            name = nodes[0].name.value
            definition = runtime.fields.get(name)
            if definition is None or not is_composite_type(get_named_type(definition.type)):
                continue
            child = value.get(key)
            inner = [n.selection_set for n in nodes if n.selection_set is not None]
            declared = typed.get(name)
            follows = (entity_id, *declared) if declared and entity_id else None
            before = self.found.count
            self.value(child, inner, get_named_type(definition.type), (*path, key), follows)
            if isinstance(child, list) and is_list_type(get_nullable_type(definition.type)):
                size = self.size_of(definition, nodes[0])
                if size is not None and len(child) >= size and self.found.count > before:
                    self.found.add_cut(
                        (*path, key),
                        f"a list of {len(child)}, as many as its `first`/`limit`/`k` of "
                        f"{size} allows: more may follow",
                    )
        return entity_id


def chosen_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((o for o in operations if o.name and o.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def members(
    schema: GraphQLSchema,
    document: DocumentNode,
    data: dict[str, Any] | None,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> Membership:
    """The entities, relationships and cuts of `data`, the answer to `document` (as
    `prepare` made it) run with `operation_name` and `variables`."""
    operation = chosen_operation(document, operation_name)
    if operation is None or not isinstance(data, dict):
        return Membership()
    walker = _Walker(schema, document, operation, variables)
    walker.operation(operation, data)
    return walker.found
