"""Look-ups for bulk ingestion: what the graph already has of the ids and sources a file
names, and where merged ids now point."""

from __future__ import annotations

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
