"""Deletes, merges and history: the writes besides upserts, and what they leave behind.

Every change is a `Change` node (id, at, by, via, action, target, subject, object, type,
provenance), written in the same transaction as the change itself.
"""

from __future__ import annotations

from typing import Any

from graph.cypher.common import SORT_NAME, relationship_pattern, sort_name_of
from graph.db import Cypher


def resolve_ids(ids: list[str]) -> Cypher:
    """Each id as it is now: itself, or the survivor it was merged into."""
    return (
        "UNWIND $ids AS id "
        "OPTIONAL MATCH (:Redirect {id: id})-[:MERGED_INTO]->(s:Entity) "
        "RETURN id, coalesce(s.id, id) AS current",
        {"ids": ids},
    )


def entity_snapshot(entity_id: str) -> Cypher:
    """Properties of an entity and the declared relationship types it has, for merging."""
    pattern = relationship_pattern(None)
    return (
        "MATCH (n:Entity {id: $id}) "
        f"RETURN properties(n) AS node, COLLECT {{ MATCH (n)-[r{pattern}]-() "
        "RETURN DISTINCT type(r) } AS types",
        {"id": entity_id},
    )


def record_change(change: dict[str, Any], entry: dict[str, Any]) -> Cypher:
    """One Change node. `entry`: action, target, subject, object, type, provenance."""
    return (
        "CREATE (c:Change {id: randomUUID(), at: $at, by: $by, via: $via, action: $action, "
        "target: $target, subject: $subject, object: $object, type: $type, "
        "provenance: $provenance, note: $note}) RETURN c.id AS id",
        {
            "object": None,
            "type": None,
            "provenance": [],
            "note": None,
            **change,
            **entry,
        },
    )


def delete_entity(entity_id: str, change: dict[str, Any], note: str | None) -> Cypher:
    """Deletes an entity with its relationships, recording a Change for the entity and one
    for each relationship removed; returns how many relationships went."""
    return (
        "MATCH (n:Entity {id: $id}) "
        "CALL (n) { "
        "  MATCH (n)-[r]-(:Entity) "
        "  CREATE (:Change {id: randomUUID(), at: $at, by: $by, via: $via, action: 'delete', "
        "    target: 'relationship', subject: startNode(r).id, object: endNode(r).id, "
        "    type: type(r), provenance: coalesce(r._prov, []), note: $note}) "
        "  RETURN count(r) AS rels "
        "} "
        "CREATE (:Change {id: randomUUID(), at: $at, by: $by, via: $via, action: 'delete', "
        "  target: 'entity', subject: n.id, object: null, type: n.kind, "
        "  provenance: coalesce(n._prov, []), note: $note}) "
        "DETACH DELETE n RETURN rels",
        {"id": entity_id, "note": note, **change},
    )


def delete_relationship(from_id: str, rel_type: str, to_id: str) -> Cypher:
    pattern = relationship_pattern([rel_type])
    return (
        f"MATCH (:Entity {{id: $from}})-[r{pattern}]->(:Entity {{id: $to}}) "
        "WITH r, properties(r) AS props DELETE r RETURN props",
        {"from": from_id, "to": to_id},
    )


def move_relationships(merged_id: str, survivor_id: str, rel_type: str) -> Cypher:
    """Re-attaches the merged entity's relationships of one declared type to the survivor,
    both directions. Where the survivor already has the same relationship, only the
    provenance is joined; relationships between the two entities themselves are dropped."""
    pattern = relationship_pattern([rel_type])
    union_prov = (
        "coalesce(r2._prov, []) + [p IN coalesce(r._prov, []) WHERE NOT p IN "
        "coalesce(r2._prov, [])]"
    )
    return (
        "MATCH (m:Entity {id: $merged}), (s:Entity {id: $survivor}) "
        "CALL (m, s) { "
        f"  MATCH (m)-[r{pattern}]->(x:Entity) WHERE x <> s "
        f"  MERGE (s)-[r2{pattern}]->(x) "
        "  ON CREATE SET r2 = properties(r) "
        f"  ON MATCH SET r2._prov = {union_prov} "
        "  RETURN count(*) AS outgoing "
        "} "
        "CALL (m, s) { "
        f"  MATCH (x:Entity)-[r{pattern}]->(m) WHERE x <> s "
        f"  MERGE (x)-[r2{pattern}]->(s) "
        "  ON CREATE SET r2 = properties(r) "
        f"  ON MATCH SET r2._prov = {union_prov} "
        "  RETURN count(*) AS incoming "
        "} "
        "RETURN outgoing + incoming AS moved",
        {"merged": merged_id, "survivor": survivor_id},
    )


def finish_merge(merged_id: str, survivor_id: str, props: dict[str, Any]) -> Cypher:
    """Gives the survivor the merged properties, aliases and provenance, points the merged
    id (and ids merged into it before) at the survivor, then deletes the merged entity."""
    return (
        "MATCH (m:Entity {id: $merged}), (s:Entity {id: $survivor}) "
        "SET s += $props "
        "SET s._search = reduce(t = '', x IN s.aliases | t + x + ' ; '), "
        f"  s.{SORT_NAME} = {sort_name_of('s')} "
        "MERGE (r:Redirect {id: $merged}) "
        "MERGE (r)-[:MERGED_INTO]->(s) "
        "WITH m, s "
        "OPTIONAL MATCH (old:Redirect)-[link:MERGED_INTO]->(m) "
        "DELETE link "
        "WITH m, s, collect(old) AS olds "
        "FOREACH (o IN olds | MERGE (o)-[:MERGED_INTO]->(s)) "
        "DETACH DELETE m "
        "RETURN s.id AS id",
        {"merged": merged_id, "survivor": survivor_id, "props": props},
    )


def history(entity_id: str, first: int) -> Cypher:
    """Changes to an entity (under its id, or the id it was merged into, and every id
    merged into it) and to its relationships, newest first: the Change nodes that name
    it; and the batches of bulk ingestion and seeding that wrote it or its relationships
    (their ids kept in `_changes` on each fact, see graph/cypher/writes.py), each shown
    as a change to that fact with the batch's provenance entries the fact holds."""
    return (
        "OPTIONAL CALL () { "
        "  MATCH (e:Entity {id: $id}) RETURN e AS n "
        "  UNION MATCH (:Redirect {id: $id})-[:MERGED_INTO]->(e:Entity) RETURN e AS n "
        "} "
        "WITH n, COLLECT { MATCH (r:Redirect)-[:MERGED_INTO]->(n) RETURN r } AS redirects "
        "WITH n, coalesce(n._prov, []) AS prov, "
        "  [$id] + [x IN [n.id] WHERE x IS NOT NULL] + [r IN redirects | r.id] AS ids "
        "CALL (ids, n, prov) { "
        "  UNWIND ids AS i MATCH (c:Change {subject: i}) RETURN properties(c) AS change "
        "  UNION "
        "  UNWIND ids AS i MATCH (c:Change {object: i}) RETURN properties(c) AS change "
        "  UNION "
        "  UNWIND coalesce(n._changes, []) AS cid MATCH (c:Change {id: cid}) "
        "  RETURN c {.*, subject: n.id, object: null, "
        "    provenance: [p IN coalesce(c.provenance, []) WHERE p IN prov]} AS change "
        "  UNION "
        "  MATCH (n)-[r]-(:Entity) WHERE r._changes IS NOT NULL "
        "  UNWIND r._changes AS cid MATCH (c:Change {id: cid}) "
        "  RETURN c {.*, subject: startNode(r).id, object: endNode(r).id, "
        "    provenance: [p IN coalesce(c.provenance, []) WHERE p IN coalesce(r._prov, [])]} "
        "    AS change "
        "} "
        "WITH change ORDER BY change.at DESC, change.id DESC, change.subject, change.object "
        "LIMIT $first "
        "RETURN change",
        {"id": entity_id, "first": first},
    )
