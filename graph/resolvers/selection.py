"""From a GraphQL selection to a prefetch plan: which relationships, nested how deep,
and where sources are needed, so that a root field's whole answer comes back from one
Cypher query (see `graph.cypher.projection`).

The walk follows what graphql-core will execute: fields, aliases (merged by field and
arguments), inline fragments and named fragments with their type conditions, and
`@include` / `@skip` with the request's variables. Fields the plan does not know fall
back to the request's batch loaders, so a gap here costs speed, never correctness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
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
from strawberry.types import Info

from graph.cypher.plan import DEFAULT_LIST, MAX_LIST, Plan
from graph.domain import RELATIONSHIP_TYPES

ORG_TYPES = {"Organization", "Bank", "Organizational"}


@dataclass(frozen=True)
class Spec:
    rel_type: str
    direction: str
    # For fields that return a wrapper (Position, AgreementParty, ...): the wrapper's
    # field holding the other end, and the one holding this entity itself.
    other_field: str | None = None
    self_field: str | None = None


def _spec(rel: str, direction: str, other: str | None = None, own: str | None = None) -> Spec:
    return Spec(rel, direction, other, own)


# (type condition, field) -> spec; type "*" applies to every entity type.
RELATIONSHIP_FIELDS: dict[tuple[str, str], Spec] = {}
for _types, _field, _s in [
    (ORG_TYPES, "parent", _spec("PART_OF", "OUT")),
    (ORG_TYPES, "units", _spec("PART_OF", "IN")),
    (ORG_TYPES, "members", _spec("MEMBER_OF", "IN")),
    (ORG_TYPES, "memberOf", _spec("MEMBER_OF", "OUT")),
    (ORG_TYPES, "people", _spec("HOLDS_POSITION", "IN", "person", "organization")),
    (ORG_TYPES, "agreements", _spec("PARTY_TO", "OUT", "agreement", "party")),
    (ORG_TYPES, "creditsGranted", _spec("LENT", "OUT")),
    (ORG_TYPES, "creditsReceived", _spec("BORROWED", "OUT")),
    (ORG_TYPES, "patents", _spec("OWNS", "OUT")),
    (ORG_TYPES, "organized", _spec("ORGANIZED", "OUT")),
    (ORG_TYPES, "attended", _spec("ATTENDED", "OUT")),
    (ORG_TYPES, "established", _spec("ESTABLISHED", "OUT")),
    (ORG_TYPES, "establishedBy", _spec("ESTABLISHED", "IN")),
    (ORG_TYPES, "administers", _spec("ADMINISTERS", "OUT")),
    (ORG_TYPES, "administeredBy", _spec("ADMINISTERS", "IN")),
    (ORG_TYPES | {"Place"}, "locatedIn", _spec("LOCATED_IN", "OUT")),
    (ORG_TYPES | {"Place"}, "locatedHere", _spec("LOCATED_IN", "IN")),
    (ORG_TYPES | {"Place"}, "eventsHeldHere", _spec("HELD_AT", "IN")),
    (ORG_TYPES, "launchedAt", _spec("LAUNCHED", "IN")),
    (ORG_TYPES, "comments", _spec("COMMENTED_ON", "IN", "by", "about")),
    (ORG_TYPES, "contributors", _spec("CONTRIBUTED_TO", "IN", "person", "publisher")),
    ({"Bank"}, "credits", _spec("LENT", "OUT")),
    ({"Person"}, "positions", _spec("HOLDS_POSITION", "OUT", "organization", "person")),
    ({"Person"}, "comments", _spec("COMMENTED_ON", "OUT", "about", "by")),
    ({"Person"}, "contributions", _spec("CONTRIBUTED_TO", "OUT", "publisher", "person")),
    ({"Agreement"}, "parties", _spec("PARTY_TO", "IN", "party", "agreement")),
    ({"Agreement"}, "credits", _spec("UNDER", "IN")),
    ({"Credit"}, "lender", _spec("LENT", "IN")),
    ({"Credit"}, "borrower", _spec("BORROWED", "IN")),
    ({"Credit"}, "securedBy", _spec("SECURES", "IN")),
    ({"Credit"}, "agreement", _spec("UNDER", "OUT")),
    ({"Patent"}, "owner", _spec("OWNS", "IN")),
    ({"Patent"}, "secures", _spec("SECURES", "OUT")),
    ({"Event"}, "place", _spec("HELD_AT", "OUT")),
    ({"Event"}, "organizers", _spec("ORGANIZED", "IN")),
    ({"Event"}, "attendees", _spec("ATTENDED", "IN")),
    ({"Event"}, "launched", _spec("LAUNCHED", "OUT")),
    ({"Event"}, "grants", _spec("AWARDED", "OUT")),
    ({"Grant"}, "awardedBy", _spec("AWARDED", "IN")),
    ({"Grant"}, "recipients", _spec("RECEIVED", "IN")),
]:
    for _type in _types:
        RELATIONSHIP_FIELDS[(_type, _field)] = _s


# The node properties each entity field reads (graph/types/entities.py), so a query
# projects only those. `id` and `kind` are always read (the runtime type, cursors, batch
# loaders); a field not listed here (`properties`, or one added later) reads them all.
ALWAYS = frozenset({"id", "kind", "name"})
NODE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "__typename": (),
    "id": (),
    "kind": (),
    "name": (),
    "aliases": ("aliases",),
    "provenance": ("_prov",),
    "orgType": ("orgType", "bankType"),
    "description": ("description",),
    "memberCount": ("memberCount",),
    "memberType": ("memberType",),
    "firstOfItsKind": ("firstOfItsKind",),
    "anonymous": ("anonymous",),
    "agreementType": ("agreementType",),
    "purpose": ("purpose",),
    "obligations": ("obligations",),
    "beneficiaries": ("beneficiaries",),
    "totalCredit": ("totalCredit", "totalCreditCurrency"),
    "totalCreditConverted": ("totalCreditConverted", "totalCreditConvertedCurrency"),
    "bankCount": ("bankCount",),
    "unnamedBankCount": ("unnamedBankCount",),
    "signedOn": ("signedOn",),
    "creditType": ("creditType",),
    "amount": ("amount", "currency"),
    "convertedAmount": ("convertedAmount", "convertedCurrency"),
    "collateral": ("collateral",),
    "patentNumber": ("patentNumber",),
    "count": ("count",),
    "eventType": ("eventType",),
    "date": ("date",),
    "attendanceMin": ("attendanceMin",),
    "attendeeGroups": ("attendeeGroups",),
    "recipientCount": ("recipientCount",),
    "recipientType": ("recipientType",),
    "placeType": ("placeType",),
}


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
    def entity(self, selection_set: SelectionSetNode | None, type_name: str = "Entity") -> Plan:
        plan = Plan(props=frozenset(), planned=True)
        props: set[str] | None = set(ALWAYS)
        for cond, node in self.fields(selection_set, type_name):
            name = node.name.value
            if name == "provenance":
                plan.sources = True
            if name == "relationships":
                self._relationships(plan, cond, node)
                continue
            spec = RELATIONSHIP_FIELDS.get((cond, name))
            if spec is not None:
                self._typed(plan, spec, node)
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

    def _typed(self, plan: Plan, spec: Spec, node: FieldNode) -> None:
        rel = plan.add((spec.rel_type,), spec.direction, DEFAULT_LIST)
        if spec.other_field is None:
            rel.other.merge(self.entity(node.selection_set))
            return
        rel.edge_props = True
        for _, sub in self.fields(node.selection_set, "wrapper"):
            name = sub.name.value
            if name == spec.other_field:
                rel.other.merge(self.entity(sub.selection_set))
            elif name == spec.self_field:
                plan.merge(self.entity(sub.selection_set))
            elif name == "provenance":
                rel.edge_sources = True


def plan_for(info: Info, path: tuple[str, ...] = ()) -> Plan:
    """The plan for the entities a root field returns; `path` leads from the root field's
    selection to the entity selection (e.g. ("edges", "node") for a connection)."""
    plan = Plan()
    if not getattr(info.context, "prefetch", True):
        return plan
    planner = Planner(info)
    raw = info._raw_info
    gtype = get_named_type(raw.return_type)
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
