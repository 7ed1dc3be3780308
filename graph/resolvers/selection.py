"""From a GraphQL selection to a prefetch plan: which relationships, nested how deep,
and where sources are needed, so that a root field's whole answer comes back from one
Cypher query (see `graph.cypher.projection`).

The walk follows what graphql-core will execute: fields, aliases (merged by field and
arguments), inline fragments and named fragments with their type conditions, and
`@include` / `@skip` with the request's variables. Fields the plan does not know fall
back to the request's batch loaders, so a gap here costs speed, never correctness.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSkipDirective,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter, get_arguments
from strawberry.types import Info

from graph.cypher.plan import DEFAULT_PAGE, MAX_LIST, Plan, RelPlan
from graph.domain import DOMAIN, RELATIONSHIP_TYPES, Money, RelationshipField
from graph.errors import GraphError
from graph.resolvers import related
from graph.resolvers.arguments import check_relationship_types

_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


def _relationship_fields() -> dict[tuple[str, str], tuple[RelationshipField, str]]:
    """(type name, field name) -> (declared field, "list" | "connection" | "one"), for
    every kind and interface of the domain (graph.domain.kinds)."""
    out: dict[tuple[str, str], tuple[RelationshipField, str]] = {}
    owners: list[tuple[str, tuple[RelationshipField, ...]]] = [
        (k.label, k.all_relationships()) for k in DOMAIN.kinds
    ]
    owners += [(i.name, i.relationships) for i in DOMAIN.interfaces()]
    for type_name, fields in owners:
        for f in fields:
            if f.many:
                out[(type_name, f.name)] = (f, "list")
                out[(type_name, f"{f.name}Connection")] = (f, "connection")
            else:
                out[(type_name, f.name)] = (f, "one")
    return out


def _node_properties() -> dict[str, tuple[str, ...]]:
    """Field name -> the stored properties it reads, over every kind (a bank's `orgType`
    is stored as `bankType`, so `orgType` reads both)."""
    out: dict[str, set[str]] = {}
    for k in DOMAIN.kinds:
        for p in k.all_properties():
            if isinstance(p, Money):
                for m in (p, p.converted) if p.converted else (p,):
                    out.setdefault(m.name, set()).update(m.columns)
            else:
                out.setdefault(p.name, set()).add(p.stored)
    fixed = {"__typename": (), "id": (), "kind": (), "name": (), "aliases": ("aliases",)}
    fixed["provenance"] = ("_prov",)
    return {**{name: tuple(sorted(cols)) for name, cols in out.items()}, **fixed}


RELATIONSHIP_FIELDS = _relationship_fields()
# The node properties each entity field reads, so a query projects only those. `id` and
# `kind` are always read (the runtime type, cursors, batch loaders); a field not listed
# here (`properties`) reads them all.
ALWAYS = frozenset({"id", "kind", "name"})
NODE_PROPERTIES = _node_properties()


class Planner:
    def __init__(self, info: Info) -> None:
        raw = info._raw_info
        self.fragments = raw.fragments
        variables = raw.variable_values
        if isinstance(variables, dict):  # graphql-core versions differ here
            variables = VariableValues(sources={}, coerced=variables)
        self.variables = variables
        self.schema = raw.schema

    # -- walking --------------------------------------------------------------------
    def _skipped(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if"):
            return True
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return bool(include is not None and not include.get("if"))

    def fields(
        self, selection_set: SelectionSetNode | None, type_name: str
    ) -> list[tuple[str, FieldNode]]:
        out: list[tuple[str, FieldNode]] = []
        if selection_set is None:
            return out
        for sel in selection_set.selections:
            if self._skipped(sel):
                continue
            if isinstance(sel, FieldNode):
                out.append((type_name, sel))
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else type_name
                out += self.fields(sel.selection_set, cond)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = self.fragments.get(sel.name.value)
                if fragment is not None:
                    out += self.fields(fragment.selection_set, fragment.type_condition.name.value)
        return out

    def _args(self, type_name: str, node: FieldNode) -> dict[str, Any] | None:
        gtype = self.schema.get_type(type_name)
        field_def = getattr(gtype, "fields", {}).get(node.name.value) if gtype else None
        if field_def is None:
            return None
        try:
            return get_argument_values(field_def, node, self.variables)
        except Exception:  # invalid arguments: the resolver will report them
            return None

    # -- planning -------------------------------------------------------------------
    def _not_entity(self, type_name: str) -> bool:
        """An object type that is no entity (a Source or an Edge under `node`): its fields
        say nothing about the entity's plan."""
        gtype = self.schema.get_type(type_name)
        return isinstance(gtype, GraphQLObjectType) and not any(
            i.name == "Entity" for i in gtype.interfaces
        )

    def entity(self, selection_set: SelectionSetNode | None, type_name: str = "Entity") -> Plan:
        plan = Plan(props=frozenset(), planned=True)
        props: set[str] | None = set(ALWAYS)
        for cond, node in self.fields(selection_set, type_name):
            if cond != type_name and self._not_entity(cond):
                continue
            name = node.name.value
            if name == "provenance":
                plan.sources = True
            if name == "relationships":
                self._relationships(plan, cond, node)
                continue
            if name == "relationshipsConnection":
                self._generic_connection(plan, cond, node)
                continue
            found = RELATIONSHIP_FIELDS.get((cond, name))
            if found is not None:
                self._typed(plan, cond, node, *found)
            elif name in NODE_PROPERTIES:
                if props is not None:
                    props.update(NODE_PROPERTIES[name])
            else:
                props = None
        # Merged in last: a wrapper's own entity (`_typed`) may have widened them already.
        plan.merge(Plan(props=frozenset(props) if props is not None else None, planned=True))
        return plan

    def _relationships(self, plan: Plan, cond: str, node: FieldNode) -> None:
        args = self._args(cond if cond != "Entity" else "Entity", node)
        if args is None:
            return
        types, first = args.get("types"), args.get("first", 50)
        direction = getattr(args.get("direction"), "value", args.get("direction")) or "BOTH"
        if not 1 <= first <= MAX_LIST:
            return
        if types is not None:
            types = tuple(dict.fromkeys(types))
            if not types or any(t not in RELATIONSHIP_TYPES for t in types):
                return
        rel = plan.add(types, str(direction), first)
        rel.edge_props = True
        for _, sub in self.fields(node.selection_set, "Relationship"):
            if sub.name.value == "other":
                rel.other.merge(self.entity(sub.selection_set))
            elif sub.name.value == "provenance":
                rel.edge_sources = True

    def _kwargs(self, type_name: str, node: FieldNode) -> dict[str, Any] | None:
        """The field's arguments as its resolver receives them (Strawberry's inputs), so
        that the window built here is the one the resolver builds (graph.resolvers.related)."""
        gtype = self.schema.get_type(type_name)
        field_def: Any = getattr(gtype, "fields", {}).get(node.name.value) if gtype else None
        field = (field_def.extensions or {}).get(_BACKREF) if field_def else None
        if field is None:
            return None
        # The resolvers' `info` is dropped below: no argument conversion reads it.
        no_info: Any = None
        try:
            raw = get_argument_values(field_def, node, self.variables)
            # Strawberry keeps itself on graphql-core's schema, an attribute the stubs omit.
            strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
            _, kwargs = get_arguments(
                field=field,
                source=None,
                info=no_info,
                kwargs=raw,
                config=strawberry_schema.config,
                scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            )
        except Exception:  # invalid arguments: the resolver will report them
            return None
        kwargs.pop("info", None)
        return kwargs

    def _typed(
        self, plan: Plan, cond: str, node: FieldNode, field: RelationshipField, shape: str
    ) -> None:
        try:
            if shape == "one":
                window = related.one_window(field)
            else:
                kwargs = self._kwargs(cond, node)
                if kwargs is None:
                    return
                make = related.list_window if shape == "list" else related.page_window
                window = make(field, **kwargs)
        except GraphError:  # the resolver reports it
            return
        rel = plan.add_window(window)
        if shape == "connection":
            self._connection(plan, rel, field, node)
            return
        declared = DOMAIN.relationship_type(field.type)
        if declared.wrapper is None:
            rel.other.merge(self.entity(node.selection_set))
            return
        rel.edge_props = True
        start, end = declared.wrapper.start, declared.wrapper.end
        other_field, self_field = (end, start) if field.direction == "OUT" else (start, end)
        for _, sub in self.fields(node.selection_set, "wrapper"):
            name = sub.name.value
            if name == other_field:
                rel.other.merge(self.entity(sub.selection_set))
            elif name == self_field:
                plan.merge(self.entity(sub.selection_set))
            elif name == "provenance":
                rel.edge_sources = True

    def _connection(
        self, plan: Plan, rel: RelPlan, field: RelationshipField | None, node: FieldNode
    ) -> None:
        for _, sub in self.fields(node.selection_set, "connection"):
            name = sub.name.value
            if name == "totalCount":
                rel.total = True
            elif name == "aggregate":
                rel.aggregate = True
            elif name == "edges":
                for _, part in self.fields(sub.selection_set, "edge"):
                    what = part.name.value
                    if what == "node" and field is None:  # a generic Relationship
                        rel.edge_props = True
                        for _, r in self.fields(part.selection_set, "Relationship"):
                            if r.name.value == "other":
                                rel.other.merge(self.entity(r.selection_set))
                            elif r.name.value == "provenance":
                                rel.edge_sources = True
                    elif what == "node":
                        rel.other.merge(self.entity(part.selection_set))
                    elif what == "provenance":
                        rel.edge_sources = True
                    elif what not in ("cursor", "__typename"):
                        rel.edge_props = True

    def _generic_connection(self, plan: Plan, cond: str, node: FieldNode) -> None:
        args = self._args(cond, node)
        if args is None:
            return
        direction = getattr(args.get("direction"), "value", args.get("direction")) or "BOTH"
        try:
            types = check_relationship_types(args.get("types"))
            window = related.generic_window(
                types, str(direction), args.get("first", DEFAULT_PAGE), args.get("after")
            )
        except GraphError:
            return
        self._connection(plan, plan.add_window(window), None, node)


def plan_for(info: Info, path: tuple[str, ...] = ()) -> Plan:
    """The plan for the entities a root field returns; `path` leads from the root field's
    selection to the entity selection (e.g. ("edges", "node") for a connection)."""
    plan = Plan()
    if not getattr(info.context, "prefetch", True):
        return plan
    planner = Planner(info)
    raw = info._raw_info
    gtype: Any = get_named_type(raw.return_type)
    for step in path:
        members = gtype.types if isinstance(gtype, GraphQLUnionType) else [gtype]
        gtype = next(get_named_type(t.fields[step].type) for t in members if step in t.fields)
    for node in raw.field_nodes:
        selections = [node.selection_set]
        for step in path:
            selections = [
                sub.selection_set
                for selection_set in selections
                for _, sub in planner.fields(selection_set, "step")
                if sub.name.value == step
            ]
        for selection_set in selections:
            plan.merge(planner.entity(selection_set, gtype.name))
    return plan
