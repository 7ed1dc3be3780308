"""The vocabulary a domain is declared in: kinds, their typed properties, relationship
types and the relationship fields that follow them.

A declaration is plain data (frozen dataclasses, no I/O, no framework). Everything else
derives from it: Neo4j labels and indexes (`graph.cypher.setup`), the GraphQL types
(`graph.types.entities`), filters and sort keys (`graph.cypher.collections`), the
prefetch planner's maps (`graph.resolvers.selection`), timeline and totals
(`graph.cypher.analytics`), validation of writes and bulk rows (`graph.facts`). See
README.md, "Adding a kind".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

# Property types, as stored. "date" values are Neo4j DATEs (ISO text in JSON); "money"
# is two stored properties, an amount (number) and an ISO 4217 currency code.
TEXT, INT, NUMBER, BOOL, DATE, TEXTS, MONEY = (
    "string",
    "int",
    "float",
    "bool",
    "date",
    "string[]",
    "money",
)
SCALAR_TYPES = (TEXT, INT, NUMBER, BOOL, DATE, TEXTS)

_CAMEL = re.compile(r"^[a-z][A-Za-z0-9]*$")
_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")
_PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")


class Direction(StrEnum):
    OUT = "OUT"
    IN = "IN"


@dataclass(frozen=True)
class Property:
    """A typed property. `column` is the stored name when it differs from the field's
    (a bank keeps its `orgType` as `bankType`)."""

    name: str
    type: str
    description: str
    column: str | None = None
    # For a boolean or a list: the value a missing property reads as (the field is then
    # non-null).
    default: object = None
    # What people call it (a form's or a details panel's label), when its name in words
    # does not say it well (`nameZh`: "Chinese name").
    label: str | None = None

    @property
    def stored(self) -> str:
        return self.column or self.name


@dataclass(frozen=True)
class Money:
    """An amount in one currency: stored as `amount` (number) and `currency` (ISO 4217).
    `converted` is the source's own conversion to another currency, when it gives one:
    a claim about the same sum, never a second sum."""

    name: str
    description: str
    amount: str
    currency: str
    converted: Money | None = None
    label: str | None = None

    type = MONEY

    @property
    def columns(self) -> tuple[str, str]:
        return (self.amount, self.currency)


# The sort keys every relationship field has (the other end's name, date and amount; the
# generic connection's type). A relationship property whose key would be one of them is
# sorted by under `EDGE_<KEY>` instead (INVESTED_IN's money `amount`: EDGE_AMOUNT).
BUILT_IN_SORT_KEYS = frozenset({"NAME", "DATE", "AMOUNT", "TYPE"})
# The fields of a root collection's `related` filter besides the relationship's
# properties, which no relationship property may be named.
RELATED_FILTER_FIELDS = frozenset({"type", "direction", "where"})


def sort_key_name(prop: str) -> str:
    """The enum value that sorts by a relationship property (`since` -> SINCE; a money
    `amount` -> EDGE_AMOUNT, never the other end's AMOUNT)."""
    key = "".join(f"_{c}" if c.isupper() else c.upper() for c in prop).lstrip("_")
    return f"EDGE_{key}" if key in BUILT_IN_SORT_KEYS else key


def label_of(prop: Property | Money) -> str:
    """What people call a property: its declared label, else its name in words
    (`patentNumber`: "Patent number")."""
    if prop.label:
        return prop.label
    words = _WORD_START.sub(" ", prop.name).lower()
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Wrapper:
    """How a relationship with properties is shown as an object of its own: its GraphQL
    type name and the field names of the relationship's start and end."""

    name: str
    description: str
    start: str
    end: str


@dataclass(frozen=True)
class RelationshipType:
    name: str
    description: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    properties: tuple[Property | Money, ...] = ()
    wrapper: Wrapper | None = None

    def property(self, name: str) -> Property | Money | None:
        return next((p for p in self.properties if p.name == name), None)


@dataclass(frozen=True)
class RelationshipField:
    """A field of a kind that follows one relationship type one way. `many` fields are
    lists (and get a paged, filtered, counted `...Connection` twin); the others are the
    single entity at the other end."""

    name: str
    type: str
    direction: Direction
    description: str
    many: bool = True


@dataclass(frozen=True)
class Interface:
    """Fields shared by several kinds (an organization and a bank are both
    `Organizational`)."""

    name: str
    description: str
    properties: tuple[Property | Money, ...] = ()
    relationships: tuple[RelationshipField, ...] = ()


@dataclass(frozen=True)
class KindDecl:
    """One kind of entity, declared once."""

    name: str  # the EntityKind value, e.g. CREDIT
    label: str  # the Neo4j label and the GraphQL type, e.g. Credit
    description: str
    collection: str  # the root collection field, e.g. credits
    collection_description: str
    properties: tuple[Property | Money, ...] = ()
    relationships: tuple[RelationshipField, ...] = ()
    interfaces: tuple[Interface, ...] = ()
    # The property that places it on a timeline, and what that date means there.
    date: str | None = None
    date_meaning: str | None = None
    # The money it adds up in totals and aggregates.
    totals: str | None = None

    def all_properties(self) -> tuple[Property | Money, ...]:
        """Own properties override an interface's of the same name (a bank's orgType)."""
        own = {p.name for p in self.properties}
        inherited = tuple(p for i in self.interfaces for p in i.properties if p.name not in own)
        return inherited + self.properties

    def all_relationships(self) -> tuple[RelationshipField, ...]:
        own = {f.name for f in self.relationships}
        inherited = tuple(f for i in self.interfaces for f in i.relationships if f.name not in own)
        return inherited + self.relationships

    def property(self, name: str) -> Property | Money | None:
        return next((p for p in self.all_properties() if p.name == name), None)

    def money(self) -> tuple[Money, ...]:
        """Every money property, conversions included."""
        out: list[Money] = []
        for p in self.all_properties():
            if isinstance(p, Money):
                out.append(p)
                if p.converted is not None:
                    out.append(p.converted)
        return tuple(out)

    def date_column(self) -> str | None:
        prop = self.property(self.date) if self.date else None
        return prop.stored if isinstance(prop, Property) else None

    def totals_money(self) -> Money | None:
        prop = self.property(self.totals) if self.totals else None
        return prop if isinstance(prop, Money) else None


@dataclass(frozen=True)
class Domain:
    kinds: tuple[KindDecl, ...]
    relationship_types: tuple[RelationshipType, ...]
    # Properties every kind may carry besides id, kind, name and aliases.
    common: tuple[Property, ...] = ()
    entity_description: str = "Anything in the graph."
    extra: dict[str, object] = field(default_factory=dict)

    def kind(self, name: str) -> KindDecl:
        for k in self.kinds:
            if k.name == name:
                return k
        raise KeyError(name)

    def relationship_type(self, name: str) -> RelationshipType:
        for r in self.relationship_types:
            if r.name == name:
                return r
        raise KeyError(name)

    def interfaces(self) -> tuple[Interface, ...]:
        seen: dict[str, Interface] = {}
        for k in self.kinds:
            for i in k.interfaces:
                seen.setdefault(i.name, i)
        return tuple(seen.values())

    def extended(
        self,
        kinds: tuple[KindDecl, ...] = (),
        relationship_types: tuple[RelationshipType, ...] = (),
    ) -> Domain:
        """This domain with more kinds and relationship types (for a test's domain)."""
        return Domain(
            self.kinds + kinds,
            self.relationship_types + relationship_types,
            self.common,
            self.entity_description,
        )


# Kept by the service on every entity (fields of their own in records and inputs): no
# kind or relationship type may declare a property of these names.
MAINTAINED_PROPERTIES = frozenset({"id", "kind", "name", "aliases"})


def check(domain: Domain) -> list[str]:
    """What is wrong with a declaration (empty when nothing): names that would not be
    safe in Cypher or GraphQL, references to undeclared kinds or types, duplicates."""
    problems: list[str] = []
    kinds = {k.name for k in domain.kinds}
    rels = {r.name: r for r in domain.relationship_types}
    labels = [k.label for k in domain.kinds]
    if len(set(labels)) != len(labels) or len(kinds) != len(domain.kinds):
        problems.append("kind names and labels must be unique")
    for k in domain.kinds:
        if not _UPPER.match(k.name) or not _PASCAL.match(k.label):
            problems.append(f"{k.name}: names are UPPER_CASE, labels PascalCase")
        if not _CAMEL.match(k.collection):
            problems.append(f"{k.name}: collection {k.collection!r} is not camelCase")
        names = [p.name for p in k.all_properties()]
        for p in k.all_properties():
            stored = p.columns if isinstance(p, Money) else (p.stored,)
            if not _CAMEL.match(p.name) or any(not _CAMEL.match(c) for c in stored):
                problems.append(f"{k.name}.{p.name}: property names are camelCase")
            if isinstance(p, Property) and p.type not in SCALAR_TYPES:
                problems.append(f"{k.name}.{p.name}: unknown type {p.type!r}")
        if len(set(names)) != len(names):
            problems.append(f"{k.name}: a property is declared twice")
        for p in k.all_properties():
            stored = p.columns if isinstance(p, Money) else (p.stored,)
            if MAINTAINED_PROPERTIES & {p.name, *stored}:
                problems.append(f"{k.name}.{p.name}: {sorted(MAINTAINED_PROPERTIES)} are kept")
        dated = k.property(k.date) if k.date else None
        if k.date and not (isinstance(dated, Property) and dated.type == DATE):
            problems.append(f"{k.name}: date {k.date!r} is not one of its date properties")
        if k.totals and k.totals_money() is None:
            problems.append(f"{k.name}: totals {k.totals!r} is not one of its money properties")
        seen_fields = set(names)
        for f in k.all_relationships():
            if f.name in seen_fields:
                problems.append(f"{k.name}.{f.name}: the name is used twice")
            seen_fields.add(f.name)
            rel = rels.get(f.type)
            if rel is None:
                problems.append(f"{k.name}.{f.name}: undeclared relationship type {f.type}")
                continue
            own = rel.sources if f.direction == Direction.OUT else rel.targets
            # An interface's field must fit one kind that has it (the others answer empty).
            sharing = (
                [j.name for j in domain.kinds for i in j.interfaces if f in i.relationships]
                if f not in k.relationships
                else [k.name]
            )
            if not any(name in own for name in sharing):
                end = "start" if f.direction == Direction.OUT else "end"
                problems.append(f"{k.name}.{f.name}: {f.type} does not {end} at {k.name}")
    problems += _check_relationship_properties(domain)
    for r in domain.relationship_types:
        if not _UPPER.match(r.name):
            problems.append(f"{r.name}: relationship types are UPPER_CASE")
        for end in (*r.sources, *r.targets):
            if end not in kinds:
                problems.append(f"{r.name}: undeclared kind {end}")
        for p in r.properties:
            if isinstance(p, Money):
                if any(not _CAMEL.match(c) for c in p.columns):
                    problems.append(f"{r.name}.{p.name}: property names are camelCase")
            elif not _CAMEL.match(p.stored) or p.type not in SCALAR_TYPES:
                problems.append(f"{r.name}.{p.name}: a relationship property is a camelCase scalar")
            stored = p.columns if isinstance(p, Money) else (p.stored,)
            if MAINTAINED_PROPERTIES & {p.name, *stored}:
                problems.append(f"{r.name}.{p.name}: {sorted(MAINTAINED_PROPERTIES)} are kept")
    return problems


def _check_relationship_properties(domain: Domain) -> list[str]:
    """A relationship property's name means one thing across types (a root collection's
    `related` filter may leave the type out), and its sort key is its own."""
    problems: list[str] = []
    seen: dict[str, tuple[str, tuple[str, ...]]] = {}
    for r in domain.relationship_types:
        keys: set[str] = set()
        for p in r.properties:
            shape = (p.type, p.columns if isinstance(p, Money) else (p.stored,))
            if seen.setdefault(p.name, shape) != shape:
                problems.append(f"{r.name}.{p.name}: declared with another type or column")
            if p.name in RELATED_FILTER_FIELDS:
                problems.append(f"{r.name}.{p.name}: {sorted(RELATED_FILTER_FIELDS)} are kept")
            key = sort_key_name(p.name)
            if key in keys:
                problems.append(f"{r.name}.{p.name}: its sort key {key} is taken")
            keys.add(key)
    return problems
