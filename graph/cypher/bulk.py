"""Look-ups for bulk ingestion: what the graph already has of the ids and sources a file
names, and where merged ids now point."""

from __future__ import annotations

from graph.cypher.common import relationship_pattern
from graph.db import Cypher


def entity_kinds(ids: list[str]) -> Cypher:
    """The kind of each id that exists, directly or as a merged id (its survivor's kind)."""
    return (
        "UNWIND $ids AS id "
        "OPTIONAL MATCH (n:Entity {id: id}) "
        "OPTIONAL MATCH (:Redirect {id: id})-[:MERGED_INTO]->(s:Entity) "
        "WITH id, coalesce(n.kind, s.kind) AS kind WHERE kind IS NOT NULL "
        "RETURN id, kind",
        {"ids": ids},
    )


def existing_sources(ids: list[str]) -> Cypher:
    return (
        "UNWIND $ids AS id MATCH (s:Source {id: id}) RETURN s.id AS id",
        {"ids": ids},
    )


def redirects(ids: list[str]) -> Cypher:
    """For each id merged into another entity: the survivor's id and name (the merge
    mutation leaves `(:Redirect {id})-[:MERGED_INTO]->(survivor)`, always one hop)."""
    return (
        "UNWIND $ids AS id "
        "MATCH (:Redirect {id: id})-[:MERGED_INTO]->(s:Entity) "
        "RETURN id, s.id AS survivor, s.name AS name",
        {"ids": ids},
    )


def entity_state(ids: list[str]) -> Cypher:
    """What a guarded write (graph.bulk.writer) needs of each existing entity: which
    properties it has, who set them, its provenance and its name."""
    return (
        "UNWIND $ids AS id MATCH (n:Entity {id: id}) "
        "RETURN id, keys(n) AS keys, n._setBy AS setBy, n._prov AS prov, n.name AS name",
        {"ids": ids},
    )


def relationship_state(rel_type: str, pairs: list[list[str]]) -> Cypher:
    """The same for existing relationships of one declared type, by [from, to]."""
    pattern = relationship_pattern([rel_type])
    return (
        "UNWIND $pairs AS pair "
        f"MATCH (:Entity {{id: pair[0]}})-[r{pattern}]->(:Entity {{id: pair[1]}}) "
        "RETURN pair[0] AS from, pair[1] AS to, keys(r) AS keys, r._setBy AS setBy, "
        "r._prov AS prov",
        {"pairs": pairs},
    )
