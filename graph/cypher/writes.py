"""Upserts for entities, relationships and sources, in batches (UNWIND + MERGE).

Provenance is a list of `source|paragraph|locator` strings on each node and
relationship; a repeated assertion adds nothing, a new source adds an entry.
"""

from __future__ import annotations

from typing import Any

from graph.cypher.common import relationship_pattern
from graph.db import Cypher
from graph.domain import Kind

_ADD_PROVENANCE = (
    "coalesce({var}._prov, []) + [p IN row.prov WHERE NOT p IN coalesce({var}._prov, [])]"
)


def upsert_source(source: dict[str, Any]) -> Cypher:
    return (
        "MERGE (s:Source {id: $id}) SET s += $props RETURN s.id AS id",
        {"id": source["id"], "props": {k: v for k, v in source.items() if k != "id"}},
    )


def upsert_entities(kind: Kind, rows: list[dict[str, Any]]) -> Cypher:
    """Rows: {id, name, aliases, search, props, prov}. All rows are of one kind, whose
    label comes from the declared domain (an allow-list)."""
    label = kind.label
    query = (
        "UNWIND $rows AS row "
        "MERGE (n:Entity {id: row.id}) "
        "ON CREATE SET n.created = true "
        f"SET n:{label}, n.kind = $kind, n.name = row.name, "
        "n.aliases = reduce(a = coalesce(n.aliases, []), x IN row.aliases | "
        "  CASE WHEN x IN a THEN a ELSE a + x END), "
        "n += row.props, "
        f"n._prov = {_ADD_PROVENANCE.format(var='n')} "
        "SET n._search = reduce(s = '', x IN n.aliases | s + x + ' ; ') "
        "WITH n, n.created AS created REMOVE n.created "
        "RETURN count(*) AS written, sum(CASE WHEN created THEN 1 ELSE 0 END) AS created"
    )
    return query, {"rows": rows, "kind": kind.value}


def upsert_relationships(rel_type: str, rows: list[dict[str, Any]]) -> Cypher:
    """Rows: {from, to, props, prov}, all of one declared relationship type."""
    pattern = relationship_pattern([rel_type])
    query = (
        "UNWIND $rows AS row "
        "MATCH (a:Entity {id: row.from}) "
        "MATCH (b:Entity {id: row.to}) "
        f"MERGE (a)-[r{pattern}]->(b) "
        "ON CREATE SET r.created = true "
        "SET r += row.props, "
        f"r._prov = {_ADD_PROVENANCE.format(var='r')} "
        "WITH r, r.created AS created REMOVE r.created "
        "RETURN count(*) AS written, sum(CASE WHEN created THEN 1 ELSE 0 END) AS created"
    )
    return query, {"rows": rows}


def graph_counts() -> Cypher:
    return (
        "CALL () { MATCH (n) RETURN count(n) AS nodes } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
        "CALL () { MATCH (n) UNWIND coalesce(n._prov, []) AS p RETURN count(p) AS nodeProv } "
        "CALL () { MATCH ()-[r]->() UNWIND coalesce(r._prov, []) AS p "
        "          RETURN count(p) AS relProv } "
        "RETURN nodes, relationships, nodeProv, relProv",
        {},
    )
