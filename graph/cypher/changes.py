"""Deletes, merges and history: the writes besides upserts, and what they leave behind.

Every change is a `Change` node (id, at, by, via, action, target, subject, object, type,
provenance), written in the same transaction as the change itself, created
`:Unsequenced` until the transaction stamps it with its commit number (`seq`,
graph/cypher/version.py).
"""

from __future__ import annotations

from typing import Any

from graph.cypher.common import (
    SORT_NAME,
    relationship_pattern,
    search_text_of,
    sort_name_of,
    stored,
)
from graph.db import Cypher


def resolve_ids(ids: list[str]) -> Cypher:
    """Each id as it is now: itself, or the survivor it was merged into."""
    return (
        "UNWIND $ids AS id "
        "OPTIONAL MATCH (:Redirect {id: id})-[:MERGED_INTO]->(s:Entity) "
        "RETURN id, coalesce(s.id, id) AS current",
        {"ids": ids},
    )


def lock_entity(entity_id: str) -> Cypher:
    """Takes the entity's write lock until the transaction ends (waiting for whoever holds
    it). One row: its id, or a null id when it was deleted (merged away) while this
    waited; no row when there is no such entity."""
    return (
        "MATCH (n:Entity {id: $id}) SET n._lock = true REMOVE n._lock RETURN n.id AS id",
        {"id": entity_id},
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
        "CREATE (c:Change:Unsequenced {id: randomUUID(), at: $at, by: $by, via: $via, "
        "action: $action, "
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
    """Deletes an entity with its relationships and the redirects of ids merged into it
    (a redirect never points at nothing), recording a Change for the entity and one for
    each relationship removed; returns how many relationships went. Run it after
    `lock_entity`, so that no merge adds a redirect to it in between."""
    return (
        "MATCH (n:Entity {id: $id}) "
        "CALL (n) { MATCH (old:Redirect)-[:MERGED_INTO]->(n) DETACH DELETE old } "
        "CALL (n) { "
        "  MATCH (n)-[r]-(:Entity) "
        "  CREATE (:Change:Unsequenced {id: randomUUID(), at: $at, by: $by, via: $via, "
        "    action: 'delete', "
        "    target: 'relationship', subject: startNode(r).id, object: endNode(r).id, "
        "    type: type(r), provenance: coalesce(r._prov, []), note: $note}) "
        "  RETURN count(r) AS rels "
        "} "
        "CREATE (:Change:Unsequenced {id: randomUUID(), at: $at, by: $by, via: $via, "
        "  action: 'delete', "
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


def _union(var: str, other: str, key: str) -> str:
    return (
        f"coalesce({var}.{key}, []) + [p IN coalesce({other}.{key}, []) WHERE NOT p IN "
        f"coalesce({var}.{key}, [])]"
    )


def move_relationships(merged_id: str, survivor_id: str, rel_type: str) -> Cypher:
    """Re-attaches the merged entity's relationships of one declared type to the survivor,
    both directions. Where the survivor already has the same relationship, the two
    collapse into one: the survivor's properties stay, and the provenance and the bulk
    history (`_changes`) of both are kept. Relationships between the two entities
    themselves are dropped (`finish_merge` keeps their history)."""
    pattern = relationship_pattern([rel_type])
    on_match = (
        f"ON MATCH SET r2._prov = {_union('r2', 'r', '_prov')}, "
        f"r2._changes = {_union('r2', 'r', '_changes')}, "
        f"r2._claims = {_union('r2', 'r', '_claims')} "
    )
    return (
        "MATCH (m:Entity {id: $merged}), (s:Entity {id: $survivor}) "
        "CALL (m, s) { "
        f"  MATCH (m)-[r{pattern}]->(x:Entity) WHERE x <> s AND x <> m "
        f"  MERGE (s)-[r2{pattern}]->(x) "
        "  ON CREATE SET r2 = properties(r) "
        f"  {on_match}"
        "  RETURN count(*) AS outgoing "
        "} "
        "CALL (m, s) { "
        f"  MATCH (x:Entity)-[r{pattern}]->(m) WHERE x <> s AND x <> m "
        f"  MERGE (x)-[r2{pattern}]->(s) "
        "  ON CREATE SET r2 = properties(r) "
        f"  {on_match}"
        "  RETURN count(*) AS incoming "
        "} "
        "RETURN outgoing + incoming AS moved",
        {"merged": merged_id, "survivor": survivor_id},
    )


def finish_merge(merged_id: str, survivor_id: str, props: dict[str, Any]) -> Cypher:
    """Gives the survivor the merged properties, aliases and provenance, points the merged
    id (and ids merged into it before: chains collapse, every redirect points at a live
    entity) at the survivor, then deletes the merged entity.

    The merged id's redirect keeps the bulk history that would go with the entity: the
    batches that wrote it (its `_changes`) and those that wrote the relationships dropped
    because they joined it to the survivor (or to itself), as `_history` entries
    `<change id>|<subject>|<object>` (object empty for the entity), which `history`
    follows. Changes recorded by the API name the ids themselves and need nothing."""
    return (
        "MATCH (m:Entity {id: $merged}), (s:Entity {id: $survivor}) "
        "WITH m, s, [c IN coalesce(m._changes, []) | c + '|' + m.id + '|'] + COLLECT { "
        "  MATCH (m)-[r]-(x:Entity) WHERE (x = s OR x = m) AND r._changes IS NOT NULL "
        "  UNWIND r._changes AS c "
        "  RETURN DISTINCT c + '|' + startNode(r).id + '|' + endNode(r).id "
        "} AS links "
        "SET s += $props "
        f"SET s._search = {search_text_of('s')}, "
        f"  s.{SORT_NAME} = {sort_name_of('s')} "
        "MERGE (red:Redirect {id: $merged}) "
        "SET red._history = coalesce(red._history, []) + "
        "  [l IN links WHERE NOT l IN coalesce(red._history, [])] "
        "WITH m, s, red "
        "CALL (red) { MATCH (red)-[stale:MERGED_INTO]->() DELETE stale } "
        "MERGE (red)-[:MERGED_INTO]->(s) "
        "WITH m, s "
        "OPTIONAL MATCH (old:Redirect)-[link:MERGED_INTO]->(m) "
        "DELETE link "
        "WITH m, s, collect(old) AS olds "
        "FOREACH (o IN olds | MERGE (o)-[:MERGED_INTO]->(s)) "
        "DETACH DELETE m "
        "RETURN s.id AS id",
        {"merged": merged_id, "survivor": survivor_id, "props": stored(props)},
    )


def history(entity_id: str, first: int) -> Cypher:
    """Changes to an entity (under its id, or the id it was merged into, and every id
    merged into it) and to its relationships, newest first: the Change nodes that name
    it; the batches of bulk ingestion and seeding that wrote it or its relationships
    (their ids kept in `_changes` on each fact, see graph/cypher/writes.py), each shown
    as a change to that fact with the batch's provenance entries the fact holds; and the
    batches kept on the redirects of merged ids (`_history`, see `finish_merge`)."""
    return (
        "OPTIONAL CALL () { "
        "  MATCH (e:Entity {id: $id}) RETURN e AS n "
        "  UNION MATCH (:Redirect {id: $id})-[:MERGED_INTO]->(e:Entity) RETURN e AS n "
        "} "
        "WITH n, COLLECT { MATCH (r:Redirect)-[:MERGED_INTO]->(n) RETURN r } AS redirects "
        "WITH n, coalesce(n._prov, []) AS prov, "
        "  [$id] + [x IN [n.id] WHERE x IS NOT NULL] + [r IN redirects | r.id] AS ids, "
        "  reduce(h = [], r IN redirects | h + coalesce(r._history, [])) AS links "
        "CALL (ids, n, prov, links) { "
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
        "  UNION "
        "  UNWIND links AS link WITH split(link, '|') AS part "
        "  MATCH (c:Change {id: part[0]}) "
        "  RETURN c {.*, subject: part[1], object: CASE part[2] WHEN '' THEN null "
        "    ELSE part[2] END, "
        "    provenance: [p IN coalesce(c.provenance, []) WHERE p IN prov]} AS change "
        "} "
        "WITH change ORDER BY change.at DESC, change.id DESC, change.subject, change.object "
        "LIMIT $first "
        "RETURN change",
        {"id": entity_id, "first": first},
    )


def changes_after(after: int, after_id: str | None, upto: int, first: int) -> Cypher:
    """Change records committed after seq `after` (or, with `after_id`, after that change
    of commit `after`) and up to commit `upto`, in commit order and within a commit by id
    (the `change_seq` index), at most `first` of them."""
    return (
        "MATCH (c:Change) WHERE c.seq >= $after AND c.seq <= $upto "
        "AND (c.seq > $after OR ($afterId IS NOT NULL AND c.id > $afterId)) "
        "RETURN properties(c) AS change ORDER BY c.seq, c.id LIMIT $first",
        {"after": after, "afterId": after_id, "upto": upto, "first": first},
    )
