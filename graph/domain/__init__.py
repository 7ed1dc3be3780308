"""The declared domain, and the tables derived from it that the rest of the service reads.

`graph.domain.kinds` declares the kinds, properties and relationship types once
(`graph.domain.model` is its vocabulary). Everything that varies in a Cypher query
(labels, relationship types, property names) comes from here: this package is the
allow-list. `DOMAIN` (graph.settings) can name another declaration, such as a test's
domain with one more kind; the service is then built from it through the same code.
"""

from __future__ import annotations

import importlib
from enum import StrEnum
from typing import TYPE_CHECKING

from graph.domain.model import (
    BOOL,
    DATE,
    INT,
    MONEY,
    NUMBER,
    TEXT,
    TEXTS,
    Direction,
    Domain,
    Interface,
    KindDecl,
    Money,
    Property,
    RelationshipField,
    RelationshipType,
    Wrapper,
    check,
    sort_key_name,
)
from graph.settings import domain_declaration


def _load() -> Domain:
    module, _, attribute = domain_declaration().partition(":")
    domain = getattr(importlib.import_module(module), attribute)
    problems = check(domain)
    if problems:
        raise SystemExit("The domain declaration is not valid: " + "; ".join(problems))
    return domain


DOMAIN: Domain = _load()

# The names the older modules use for property types.
STRING, FLOAT, STRINGS = TEXT, NUMBER, TEXTS


class DeclaredKind(StrEnum):
    """A declared kind (graph.domain.kinds); its members are made from the declaration."""

    @property
    def label(self) -> str:
        return LABELS[self]


# The enum's members exist only at run time (made from DOMAIN by the functional API, which
# a type checker cannot follow): to the checker, Kind is DeclaredKind.
if TYPE_CHECKING:
    Kind = DeclaredKind
else:
    Kind = DeclaredKind("Kind", {k.name: k.name for k in DOMAIN.kinds})

ENTITY_LABEL = "Entity"
SOURCE_LABEL = "Source"

DECLS: dict[str, KindDecl] = {k.name: k for k in DOMAIN.kinds}
LABELS: dict[str, str] = {Kind(k.name): k.label for k in DOMAIN.kinds}
KIND_DESCRIPTIONS: dict[str, str] = {Kind(k.name): k.description for k in DOMAIN.kinds}
COMMON_PROPERTIES: dict[str, str] = {p.stored: p.type for p in DOMAIN.common}


def _columns(decl: KindDecl | RelationshipType) -> dict[str, str]:
    """The stored properties of a kind or relationship type and their types (money as
    its two columns)."""
    out: dict[str, str] = {}
    props = decl.all_properties() if isinstance(decl, KindDecl) else decl.properties
    for p in props:
        if isinstance(p, Money):
            for m in (p, p.converted) if p.converted else (p,):
                out[m.amount] = NUMBER
                out[m.currency] = TEXT
        else:
            out[p.stored] = p.type
    return out


KIND_PROPERTIES: dict[str, dict[str, str]] = {Kind(k.name): _columns(k) for k in DOMAIN.kinds}
# Currency columns (ISO 4217 codes) and the amount each belongs to, per kind.
MONEY_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    Kind(k.name): tuple(m.columns for m in k.money()) for k in DOMAIN.kinds
}
RELATIONSHIP_TYPES: dict[str, RelationshipType] = {r.name: r for r in DOMAIN.relationship_types}
RELATIONSHIP_PROPERTIES: dict[str, dict[str, str]] = {
    r.name: _columns(r) for r in DOMAIN.relationship_types
}
RELATIONSHIP_MONEY_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    r.name: tuple(p.columns for p in r.properties if isinstance(p, Money))
    for r in DOMAIN.relationship_types
}
# Every declared relationship property by name (one declaration per name: `check`), the
# vocabulary of a root collection's `related` filter, which may leave the type out.
RELATIONSHIP_PROPERTY_DECLS: dict[str, Property | Money] = {
    p.name: p for r in DOMAIN.relationship_types for p in r.properties
}
# Per relationship type, its sort keys (`orderBy: {key: ...}`) and the stored property
# each sorts by: text, date and numbers as they are, money by its amount.
SORTABLE_TYPES = (TEXT, DATE, INT, NUMBER)
RELATIONSHIP_SORTS: dict[str, dict[str, str]] = {
    r.name: {
        sort_key_name(p.name): p.amount if isinstance(p, Money) else p.stored
        for p in r.properties
        if isinstance(p, Money) or p.type in SORTABLE_TYPES
    }
    for r in DOMAIN.relationship_types
}

# Which property is "the date" of each kind on a timeline, and which money it totals:
# one definition, read by filters, sort keys, aggregates, timeline and totals.
DATE_COLUMNS: dict[str, str] = {
    Kind(k.name): column for k in DOMAIN.kinds if (column := k.date_column()) is not None
}
TOTALS: dict[str, Money] = {
    Kind(k.name): money for k in DOMAIN.kinds if (money := k.totals_money()) is not None
}


def label_for(kind: str) -> str:
    """The Neo4j label of a kind; raises KeyError for anything not declared."""
    return LABELS[Kind(kind)]


def is_relationship_type(name: str) -> bool:
    return name in RELATIONSHIP_TYPES


def endpoints_ok(rel_type: str, start_kind: str, end_kind: str) -> bool:
    declared = RELATIONSHIP_TYPES[rel_type]
    return start_kind in declared.sources and end_kind in declared.targets


__all__ = [
    "BOOL",
    "DATE",
    "DATE_COLUMNS",
    "DECLS",
    "DOMAIN",
    "ENTITY_LABEL",
    "FLOAT",
    "INT",
    "KIND_DESCRIPTIONS",
    "KIND_PROPERTIES",
    "LABELS",
    "MONEY",
    "MONEY_COLUMNS",
    "RELATIONSHIP_MONEY_COLUMNS",
    "RELATIONSHIP_PROPERTIES",
    "RELATIONSHIP_PROPERTY_DECLS",
    "RELATIONSHIP_SORTS",
    "SORTABLE_TYPES",
    "RELATIONSHIP_TYPES",
    "SOURCE_LABEL",
    "STRING",
    "STRINGS",
    "TOTALS",
    "Direction",
    "Domain",
    "Interface",
    "Kind",
    "KindDecl",
    "Money",
    "Property",
    "RelationshipField",
    "RelationshipType",
    "Wrapper",
    "endpoints_ok",
    "label_for",
    "sort_key_name",
    "is_relationship_type",
]
