"""The `domain` root field: the declared kinds and relationship types as data, so that a
client (the explorer's legend, a frontend's forms) reads them from the API instead of
keeping a copy. Built from graph.domain.kinds; no database involved."""

from __future__ import annotations

from enum import Enum

import strawberry

from graph.domain import (
    BOOL,
    DATE,
    DOMAIN,
    INT,
    MONEY,
    NUMBER,
    TEXT,
    TEXTS,
    KindDecl,
    Money,
    Property,
    RelationshipType,
)
from graph.domain.model import label_of


@strawberry.enum(description="The type of a declared property.")
class PropertyType(Enum):
    TEXT = strawberry.enum_value("TEXT", description="Text.")
    INT = strawberry.enum_value("INT", description="A whole number.")
    NUMBER = strawberry.enum_value("NUMBER", description="A number.")
    BOOLEAN = strawberry.enum_value("BOOLEAN", description="True or false.")
    DATE = strawberry.enum_value("DATE", description="A calendar date (ISO 8601).")
    TEXT_LIST = strawberry.enum_value("TEXT_LIST", description="A list of texts.")
    MONEY = strawberry.enum_value(
        "MONEY", description="An amount and an ISO 4217 currency (the `Money` type)."
    )


_TYPES = {
    TEXT: PropertyType.TEXT,
    INT: PropertyType.INT,
    NUMBER: PropertyType.NUMBER,
    BOOL: PropertyType.BOOLEAN,
    DATE: PropertyType.DATE,
    TEXTS: PropertyType.TEXT_LIST,
    MONEY: PropertyType.MONEY,
}


@strawberry.type(description="A declared property of a kind or a relationship type.")
class PropertyInfo:
    name: str = strawberry.field(description="The field name in this API.")
    label: str = strawberry.field(
        description="What people call it, for a form or a details panel, e.g. 'Chinese "
        "name' for nameZh."
    )
    type: PropertyType = strawberry.field(description="Its type.")
    description: str = strawberry.field(description="What it holds.")
    stored_as: list[str] = strawberry.field(
        description="The Neo4j properties that hold it (money: amount and currency), as "
        "write mutations and bulk files name them."
    )
    converted_from: str | None = strawberry.field(
        description="For money: the property this one is the source's own conversion of."
    )


@strawberry.type(description="A relationship field of a kind.")
class RelationshipFieldInfo:
    name: str = strawberry.field(
        description="The field name (a list with a `...Connection` twin when `many`)."
    )
    type: str = strawberry.field(description="The relationship type it follows.")
    direction: str = strawberry.field(description="OUT: from this kind; IN: towards it.")
    many: bool = strawberry.field(description="A list (true) or a single entity (false).")
    description: str = strawberry.field(description="What it lists.")


@strawberry.type(description="A declared kind of entity.")
class KindInfo:
    name: str = strawberry.field(description="The `EntityKind` value, e.g. CREDIT.")
    label: str = strawberry.field(description="Its GraphQL type and Neo4j label, e.g. Credit.")
    description: str = strawberry.field(description="What it is.")
    collection: str = strawberry.field(description="The root field listing it, e.g. credits.")
    interfaces: list[str] = strawberry.field(description="Interfaces its type implements.")
    properties: list[PropertyInfo] = strawberry.field(description="Its typed properties.")
    relationships: list[RelationshipFieldInfo] = strawberry.field(
        description="Its relationship fields."
    )
    date: str | None = strawberry.field(
        description="The property that places it on a timeline, if any."
    )
    totals: str | None = strawberry.field(
        description="The money property that totals and aggregates add up, if any."
    )


@strawberry.type(description="A declared relationship type.")
class RelationshipTypeInfo:
    name: str = strawberry.field(description="The type, e.g. LENT.")
    description: str = strawberry.field(description="What it means.")
    from_kinds: list[str] = strawberry.field(name="from", description="Kinds it may start at.")
    to_kinds: list[str] = strawberry.field(name="to", description="Kinds it may end at.")
    properties: list[PropertyInfo] = strawberry.field(
        description="The relationship's own properties."
    )


@strawberry.type(description="The declared domain: kinds and relationship types.")
class DomainInfo:
    kinds: list[KindInfo] = strawberry.field(description="Every kind, in declaration order.")
    relationship_types: list[RelationshipTypeInfo] = strawberry.field(
        description="Every relationship type, in declaration order."
    )
    common_properties: list[PropertyInfo] = strawberry.field(
        description="Properties any entity may carry besides its kind's (and id, kind, "
        "name and aliases), in declaration order."
    )


def _info(prop: Property | Money, of: str | None = None) -> PropertyInfo:
    return PropertyInfo(
        name=prop.name,
        label=label_of(prop),
        type=PropertyType.MONEY if isinstance(prop, Money) else _TYPES[prop.type],
        description=prop.description,
        stored_as=list(prop.columns) if isinstance(prop, Money) else [prop.stored],
        converted_from=of,
    )


def _properties(props: tuple[Property | Money, ...]) -> list[PropertyInfo]:
    out = []
    for p in props:
        out.append(_info(p))
        if isinstance(p, Money) and p.converted is not None:
            out.append(_info(p.converted, p.name))
    return out


def _kind(k: KindDecl) -> KindInfo:
    return KindInfo(
        name=k.name,
        label=k.label,
        description=k.description,
        collection=k.collection,
        interfaces=[i.name for i in k.interfaces],
        properties=_properties(k.all_properties()),
        relationships=[
            RelationshipFieldInfo(
                name=f.name,
                type=f.type,
                direction=str(f.direction),
                many=f.many,
                description=f.description,
            )
            for f in k.all_relationships()
        ],
        date=k.date,
        totals=k.totals,
    )


def _relationship_type(r: RelationshipType) -> RelationshipTypeInfo:
    return RelationshipTypeInfo(
        name=r.name,
        description=r.description,
        from_kinds=list(r.sources),
        to_kinds=list(r.targets),
        properties=_properties(r.properties),
    )


def domain_info() -> DomainInfo:
    return DomainInfo(
        kinds=[_kind(k) for k in DOMAIN.kinds],
        relationship_types=[_relationship_type(r) for r in DOMAIN.relationship_types],
        common_properties=_properties(DOMAIN.common),
    )
