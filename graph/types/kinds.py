"""GraphQL types built from the domain declaration (graph.domain.kinds): one object type
per kind, one interface per shared group of fields (Organizational), and for each
relationship type the objects that expose it: a wrapper with its properties (Position,
AgreementParty, ...), an edge and a connection for pages, and the inputs that filter and
sort by its properties.

Every "many" relationship field is a list with `first`, `where` and `orderBy`, and has a
`...Connection` twin with keyset cursors, `totalCount`, `pageInfo` and `aggregate`
(see README.md, "Relationship fields"). Resolvers read what the root field's query
prefetched (graph.resolvers.related); `make schema` writes the result as SDL.
"""

# No `from __future__ import annotations`: the resolvers built here carry real types in
# their annotations, which Strawberry reads.
import datetime as dt
from enum import Enum
from types import GenericAlias
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.cypher.nodes import relationship_id
from graph.cypher.plan import DEFAULT_LIST, DEFAULT_PAGE, MAX_LIST, SOURCES_KEY
from graph.domain import (
    BOOL,
    DATE,
    DOMAIN,
    INT,
    NUMBER,
    RELATIONSHIP_SORTS,
    TEXT,
    TEXTS,
    Interface,
    KindDecl,
    Money,
    Property,
    RelationshipField,
    RelationshipType,
    sort_key_name,
)
from graph.execution import READER
from graph.resolvers import related
from graph.types.claims import claim_fields
from graph.types.connections import PageInfo
from graph.types.entities import RELATIONSHIP_ID, Entity, to_entity
from graph.types.filters import EntityWhere, OrderBy, SortDirection, add_edge_filters
from graph.types.values import Money as MoneyValue
from graph.types.values import Provenance, provenance_of

_PY: dict[str, Any] = {
    TEXT: str,
    INT: int,
    NUMBER: float,
    BOOL: bool,
    DATE: dt.date,
    TEXTS: list[str],
}


# Types made at run time (a page's edge type, a field's item type) are put into
# annotations through these, which a type checker reads as Any rather than as types.
_make_enum: Any = Enum
_Private: Any = strawberry.Private


def list_of(item: Any) -> Any:
    return GenericAlias(list, (item,))


def optional(item: Any) -> Any:
    return item | None


def pascal(name: str) -> str:
    """PARTY_TO -> PartyTo."""
    return "".join(word.capitalize() for word in name.split("_"))


# --- aggregates --------------------------------------------------------------------


@strawberry.type(
    description="Money added up in one currency: the sum of the amounts of the entities "
    "counted, each entity's own amount counted once."
)
class MoneySum:
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    amount: float = strawberry.field(description="The sum of the amounts in this currency.")
    count: int = strawberry.field(description="How many entities have an amount in it.")
    min: float = strawberry.field(description="The smallest of those amounts.")
    max: float = strawberry.field(description="The largest of those amounts.")


@strawberry.type(description="The earliest and latest date among the entities counted.")
class DateSpan:
    earliest: dt.date = strawberry.field(description="The earliest date.")
    latest: dt.date = strawberry.field(description="The latest date.")
    count: int = strawberry.field(description="How many of the entities have a date.")


@strawberry.type(
    description="The money of one property of the relationships counted, added up in one "
    "currency: each relationship's own amount counted once."
)
class EdgeMoneySum:
    property: str = strawberry.field(description="The relationship property, e.g. `amount`.")
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    amount: float = strawberry.field(description="The sum of the amounts in this currency.")
    count: int = strawberry.field(description="How many relationships have an amount in it.")
    min: float = strawberry.field(description="The smallest of those amounts.")
    max: float = strawberry.field(description="The largest of those amounts.")


@strawberry.type(
    description="Figures over every entity a relationship field reaches with its filter "
    "(all pages, not just this one)."
)
class RelatedAggregate:
    count: int = strawberry.field(description="How many relationships match.")
    totals: list[MoneySum] = strawberry.field(
        description="Per currency, the sum of the money the entities at the other end total "
        "(a credit's amount, an agreement's total credit). It adds up those entities' own "
        "amounts: for a bank's `creditsGrantedConnection` the credits it granted; for an "
        "organization's `agreementsConnection` the totals of the agreements it signed, "
        "whose share of each this entity is not known."
    )
    dates: DateSpan | None = strawberry.field(
        description="The span of the other ends' dates (an event's date, an agreement's "
        "signing); null when none has one."
    )
    edge_totals: list[EdgeMoneySum] = strawberry.field(
        description="Per money property of the relationships themselves and per currency, "
        "the sum of their amounts (a fund's investments: what it put into each), each "
        "relationship counted once; empty when the relationship type declares no money."
    )


# --- scalar and money fields -----------------------------------------------------------


def _value_field(prop: Property, holder: str) -> Any:
    """A field reading one stored property of the node (holder "node") or of the
    relationship (holder "props")."""
    column, default = prop.stored, prop.default
    if prop.type == TEXTS:

        def resolve(self) -> Any:
            value = getattr(self, holder).get(column)
            return list(value) if value else []

        resolve.__annotations__ = {"return": list[str]}
    elif default is not None:

        def resolve(self) -> Any:
            value = getattr(self, holder).get(column)
            return default if value is None else value

        resolve.__annotations__ = {"return": _PY[prop.type]}
    else:

        def resolve(self) -> Any:
            return getattr(self, holder).get(column)

        resolve.__annotations__ = {"return": optional(_PY[prop.type])}
    return strawberry.field(resolver=resolve, name=prop.name, description=prop.description)


def _money_field(money: Money, holder: str = "node") -> Any:
    amount, currency = money.columns

    def resolve(self) -> Any:
        values = getattr(self, holder)
        return MoneyValue.of(values.get(amount), values.get(currency))

    resolve.__annotations__ = {"return": optional(MoneyValue)}
    return strawberry.field(resolver=resolve, name=money.name, description=money.description)


def _property_fields(props: tuple[Property | Money, ...], holder: str = "node") -> dict[str, Any]:
    """Fields for properties of the node (holder "node") or of a relationship ("props")."""
    out: dict[str, Any] = {}
    for prop in props:
        if isinstance(prop, Money):
            out[prop.name] = _money_field(prop, holder)
            if prop.converted is not None:
                out[prop.converted.name] = _money_field(prop.converted, holder)
        else:
            out[prop.name] = _value_field(prop, holder)
    return out


# --- relationship types: wrappers, edges, connections, filters, sorts -----------------


async def _edge_provenance(self: Any, info: Info) -> list[Provenance]:
    return await provenance_of(info, self.props.get("_prov"), self.props.get(SOURCES_KEY))


_edge_provenance.__annotations__ = {"info": Info, "return": list[Provenance]}


def _props(self: Any) -> dict:
    return self.props


def _constant(value: str) -> Any:
    return lambda _self: value


class RelationshipTypes:
    """The GraphQL objects of each relationship type, made once on first use."""

    def __init__(self) -> None:
        self.wrappers: dict[str, type] = {}
        self.edges: dict[str, type] = {}
        self.connections: dict[str, type] = {}
        self.edge_wheres: dict[str, type | None] = {}
        self.order_bys: dict[str, type] = {}

    def wrapper(self, rel: RelationshipType) -> type:
        found = self.wrappers.get(rel.name)
        if found is not None:
            return found
        assert rel.wrapper is not None
        w = rel.wrapper
        namespace: dict[str, Any] = {
            "__annotations__": {w.start: Entity, w.end: Entity, "props": _Private[dict]},
            w.start: strawberry.field(description=f"The start of the {rel.name} relationship."),
            w.end: strawberry.field(description=f"The end of the {rel.name} relationship."),
        }
        start, end, rel_type = w.start, w.end, rel.name

        def wrapper_id(self: Any) -> strawberry.ID:
            ends = getattr(self, start).node["id"], getattr(self, end).node["id"]
            return strawberry.ID(relationship_id(ends[0], rel_type, ends[1]))

        namespace["relationship_id"] = strawberry.field(
            resolver=wrapper_id, description=RELATIONSHIP_ID
        )
        namespace.update(_property_fields(rel.properties, "props"))
        namespace["provenance"] = strawberry.field(
            resolver=_edge_provenance, description="Where the relationship was asserted."
        )
        namespace.update(claim_fields(_props, _constant(rel.name)))
        cls = strawberry.type(type(w.name, (), namespace), name=w.name, description=w.description)
        self.wrappers[rel.name] = cls
        return cls

    def edge(self, rel: RelationshipType) -> type:
        found = self.edges.get(rel.name)
        if found is not None:
            return found
        name = f"{pascal(rel.name)}Edge"
        namespace: dict[str, Any] = {
            "__annotations__": {
                "cursor": str,
                "node": Entity,
                "relationship_id": strawberry.ID,
                "props": _Private[dict],
            },
            "cursor": strawberry.field(
                description="Opaque position of this item; pass as `after`."
            ),
            "node": strawberry.field(description="The entity at the other end."),
            "relationship_id": strawberry.field(description=RELATIONSHIP_ID),
        }
        namespace.update(_property_fields(rel.properties, "props"))
        namespace["provenance"] = strawberry.field(
            resolver=_edge_provenance, description="Where the relationship was asserted."
        )
        namespace.update(claim_fields(_props, _constant(rel.name)))
        cls = strawberry.type(
            type(name, (), namespace),
            name=name,
            description=f"One {rel.name} relationship of a page: the entity at the other end, "
            "the relationship's own properties, its provenance and a cursor.",
        )
        self.edges[rel.name] = cls
        return cls

    def connection(self, rel: RelationshipType) -> type:
        found = self.connections.get(rel.name)
        if found is not None:
            return found
        edge_type = self.edge(rel)
        name = f"{pascal(rel.name)}Connection"

        def edges(self) -> Any:
            holder = self.node["id"]
            return [
                edge_type(
                    cursor=related.cursor_of(self.window, row),
                    node=to_entity(row["other"]),
                    relationship_id=_relationship_id(rel.name, holder, row),
                    props=row["props"],
                )
                for row in self.fetched.rows[: self.window.first]
            ]

        edges.__annotations__ = {"return": list_of(edge_type)}

        def page_info(self) -> PageInfo:
            return related.page_info(self.window, self.fetched)

        async def total_count(self, info: Info) -> int:
            return await related.total_of(self.node, info, self.window, self.fetched)

        async def aggregate(self, info: Info) -> RelatedAggregate:
            fetched = await related.aggregate_of(self.node, info, self.window, self.fetched)
            return RelatedAggregate(
                count=fetched.total or 0,
                totals=[MoneySum(**t) for t in fetched.totals or []],
                dates=DateSpan(**fetched.dates) if fetched.dates else None,
                edge_totals=[
                    EdgeMoneySum(property=name, **t)
                    for name, sums in sorted((fetched.edge_totals or {}).items())
                    for t in sums
                ],
            )

        namespace: dict[str, Any] = {
            "__annotations__": {
                "node": _Private[dict],
                "window": _Private[Any],
                "fetched": _Private[Any],
            },
            "edges": strawberry.field(resolver=edges, description="The items of this page."),
            "page_info": strawberry.field(resolver=page_info, description="Paging information."),
            "total_count": strawberry.field(
                resolver=total_count,
                description="How many relationships match the filter, over all pages.",
            ),
            "aggregate": strawberry.field(
                resolver=aggregate,
                description="Count, money totals per currency and the span of dates over "
                "everything that matches the filter.",
            ),
        }
        cls = strawberry.type(
            type(name, (), namespace),
            name=name,
            description=f"A page of {rel.name} relationships ({rel.description}).",
        )
        self.connections[rel.name] = cls
        return cls

    def edge_where(self, rel: RelationshipType) -> type | None:
        if rel.name in self.edge_wheres:
            return self.edge_wheres[rel.name]
        name = f"{pascal(rel.name)}EdgeWhere"
        cls = add_edge_filters(
            type(name, (), {"__annotations__": {}}),
            {p.name: p for p in rel.properties},
            lambda p: f"`{p.name}` is this." if p.type == BOOL else f"Conditions on `{p.name}`.",
        )
        made = None
        if cls.__annotations__:
            made = strawberry.input(
                cls,
                name=name,
                description=f"Conditions on a {rel.name} relationship's own properties; all "
                "given must hold.",
            )
        self.edge_wheres[rel.name] = made
        return made

    def order_by(self, rel: RelationshipType) -> type:
        found = self.order_bys.get(rel.name)
        if found is not None:
            return found
        sorts = RELATIONSHIP_SORTS[rel.name]
        if not sorts:
            self.order_bys[rel.name] = OrderBy
            return OrderBy
        values = {
            "NAME": strawberry.enum_value("NAME", description="The other end's name."),
            "DATE": strawberry.enum_value("DATE", description="The other end's date."),
            "AMOUNT": strawberry.enum_value("AMOUNT", description="The other end's amount."),
        }
        for p in rel.properties:
            key = sort_key_name(p.name)
            if key not in sorts:
                continue
            what = f"The relationship's `{p.name}`"
            if isinstance(p, Money):
                what += ", by amount (currencies are not converted)"
            values[key] = strawberry.enum_value(key, description=f"{what}.")
        prefix = pascal(rel.name)
        key_enum: Any = strawberry.enum(
            _make_enum(f"{prefix}SortKey", values),
            name=f"{prefix}SortKey",
            description=f"What to sort {rel.name} relationships by.",
        )
        default_key = key_enum.NAME
        namespace = {
            "__annotations__": {"key": key_enum, "direction": SortDirection},
            "key": strawberry.field(default=default_key, description="What to sort by."),
            "direction": strawberry.field(default=SortDirection.ASC, description="Which way."),
        }
        cls = strawberry.input(
            type(f"{prefix}OrderBy", (), namespace),
            name=f"{prefix}OrderBy",
            description="Sort order; ties are broken by the other end's id.",
        )
        self.order_bys[rel.name] = cls
        return cls


REL_TYPES = RelationshipTypes()


def _relationship_id(rel_type: str, holder_id: str, row: dict) -> str:
    """The id of a relationship row fetched for the entity `holder_id`."""
    other = row["other"]["id"]
    start, end = (holder_id, other) if row["outgoing"] else (other, holder_id)
    return relationship_id(start, rel_type, end)


# --- relationship fields ---------------------------------------------------------------


def _wrap(field: RelationshipField, rel: RelationshipType, holder: Any, row: dict) -> Any:
    """A row as the wrapper object, its start and end set by the field's direction."""
    assert rel.wrapper is not None
    other = to_entity(row["other"])
    start, end = (holder, other) if field.direction == "OUT" else (other, holder)
    return REL_TYPES.wrapper(rel)(
        # `props` is left out of a row when the selection reads none of them.
        **{rel.wrapper.start: start, rel.wrapper.end: end, "props": row.get("props") or {}}
    )


class _Reader:
    """How a relationship field gets its window and turns rows into its value: used by
    its resolver (rows prefetched or loaded), and by graph.execution's shortcut as the
    field's READER (the window made once per field node, not once per object of a list,
    the rows read straight from what the root field's query prefetched)."""

    def __init__(self, field: RelationshipField) -> None:
        self.field = field
        self.rel = DOMAIN.relationship_type(field.type)

    def prepare(self, kwargs: dict[str, Any]) -> related.Window:
        if self.field.many:
            return related.list_window(self.field, **kwargs)
        return related.one_window(self.field)

    def items(self, holder: Any, rows: list) -> Any:
        """The field's value from its rows: a list, or one entity (or None)."""
        if not self.field.many:
            return to_entity(rows[0]["other"]) if rows else None
        if self.rel.wrapper:
            return [_wrap(self.field, self.rel, holder, row) for row in rows]
        return [to_entity(row["other"]) for row in rows]

    def read(self, source: Any, window: related.Window) -> Any:
        return self.items(source, related.prefetched_rows(source.node, window))


def _list_field(field: RelationshipField) -> Any:
    reader = _Reader(field)
    rel = reader.rel
    item = REL_TYPES.wrapper(rel) if rel.wrapper else Entity
    order_type = REL_TYPES.order_by(rel)

    async def resolve(self, info, first=DEFAULT_LIST, where=None, order_by=None) -> Any:
        window = reader.prepare({"first": first, "where": where, "order_by": order_by})
        fetched = await related.fetch(self.node, info, window)
        return reader.items(self, fetched.rows)

    resolve.__annotations__ = {
        "info": Info,
        "first": Annotated[
            int,
            strawberry.argument(
                description=f"At most this many (1 to {MAX_LIST}; default {DEFAULT_LIST})."
            ),
        ],
        "where": Annotated[
            optional(EntityWhere),
            strawberry.argument(description="Only those whose other end matches this."),
        ],
        "order_by": Annotated[
            optional(order_type),
            strawberry.argument(description="Sort order (default: name ascending)."),
        ],
        "return": list_of(item),
    }
    return strawberry.field(
        resolver=resolve,
        name=field.name,
        description=f"{field.description} At most `first` (default {DEFAULT_LIST}); "
        f"`{field.name}Connection` pages through all of them and counts them.",
        metadata={READER: reader},
    )


def _connection_field(field: RelationshipField) -> Any:
    rel = DOMAIN.relationship_type(field.type)
    conn = REL_TYPES.connection(rel)
    order_type = REL_TYPES.order_by(rel)
    edge_where = REL_TYPES.edge_where(rel)

    async def resolve(
        self, info, first=DEFAULT_PAGE, after=None, where=None, edge=None, order_by=None
    ) -> Any:
        window = related.page_window(field, first, after, where, edge, order_by)
        fetched = await related.fetch(self.node, info, window)
        return conn(node=self.node, window=window, fetched=fetched)

    annotations: dict[str, Any] = {
        "info": Info,
        "first": Annotated[
            int,
            strawberry.argument(
                description=f"Page size (1 to {MAX_LIST}; default {DEFAULT_PAGE})."
            ),
        ],
        "after": Annotated[
            optional(str),
            strawberry.argument(description="Cursor to continue after (`pageInfo.endCursor`)."),
        ],
        "where": Annotated[
            optional(EntityWhere),
            strawberry.argument(description="Only those whose other end matches this."),
        ],
        "order_by": Annotated[
            optional(order_type),
            strawberry.argument(description="Sort order (default: name ascending)."),
        ],
        "return": conn,
    }
    if edge_where is not None:
        annotations["edge"] = Annotated[
            optional(edge_where),
            strawberry.argument(description="Conditions on the relationship's own properties."),
        ]
    else:
        resolve = _without_edge(resolve)
    resolve.__annotations__ = annotations
    return strawberry.field(
        resolver=resolve,
        name=f"{field.name}Connection",
        description=f"{field.description} As pages of `first` (default {DEFAULT_PAGE}, at "
        f"most {MAX_LIST}) with cursors (every item once), filters, sorting, `totalCount` "
        "and aggregates.",
    )


def _without_edge(resolve: Any) -> Any:
    async def without(self, info, first=DEFAULT_PAGE, after=None, where=None, order_by=None):
        return await resolve(self, info, first, after, where, None, order_by)

    return without


def _one_field(field: RelationshipField) -> Any:
    reader = _Reader(field)

    async def resolve(self, info) -> Any:
        fetched = await related.fetch(self.node, info, reader.prepare({}))
        return reader.items(self, fetched.rows)

    resolve.__annotations__ = {"info": Info, "return": optional(Entity)}
    return strawberry.field(
        resolver=resolve,
        name=field.name,
        description=field.description,
        metadata={READER: reader},
    )


def _relationship_fields(fields: tuple[RelationshipField, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields:
        if field.many:
            out[field.name] = _list_field(field)
            out[f"{field.name}Connection"] = _connection_field(field)
        else:
            out[field.name] = _one_field(field)
    return out


# --- kinds and interfaces --------------------------------------------------------------


def _interface(decl: Interface) -> type:
    namespace: dict[str, Any] = {"__annotations__": {}}
    namespace.update(_property_fields(decl.properties))
    namespace.update(_relationship_fields(decl.relationships))
    return strawberry.interface(
        type(decl.name, (Entity,), namespace), name=decl.name, description=decl.description
    )


def _kind(decl: KindDecl, interfaces: dict[str, type]) -> type:
    bases = tuple(interfaces[i.name] for i in decl.interfaces) or (Entity,)
    namespace: dict[str, Any] = {"__annotations__": {}}
    namespace.update(_property_fields(decl.properties))
    namespace.update(_relationship_fields(decl.relationships))
    return strawberry.type(
        type(decl.label, bases, namespace), name=decl.label, description=decl.description
    )


def build_types() -> tuple[dict[str, type], list[type]]:
    """The object type of each kind (by kind name), and the wrapper types, which clients
    reach only through fields typed by them and so must be given to the schema too."""
    interfaces = {i.name: _interface(i) for i in DOMAIN.interfaces()}
    types = {k.name: _kind(k, interfaces) for k in DOMAIN.kinds}
    wrappers = [REL_TYPES.wrapper(r) for r in DOMAIN.relationship_types if r.wrapper]
    return types, wrappers
