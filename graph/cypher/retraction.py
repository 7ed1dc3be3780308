"""What a source asserts, its retraction and its restoration (README.md, "Retracting a
source"). A fact is asserted by a source when one of its provenance entries
(`source|paragraph|locator`) names it; there is no index on list elements, so these
queries read the facts' provenance (an admin's occasional work, and a paged analyst's
look before it)."""

from __future__ import annotations

from typing import Any

from graph.cypher.common import (
    SORT_NAME,
    relationship_pattern,
    search_text_of,
    sort_name_of,
    stored_rows,
)
from graph.db import Cypher

_BY = "any(p IN coalesce({var}._prov, []) WHERE p STARTS WITH $prefix)"
_ONLY = "all(p IN coalesce({var}._prov, []) WHERE p STARTS WITH $prefix)"


def _prefix(source_id: str) -> str:
    return source_id + "|"


def source_state(source_id: str) -> Cypher:
    return (
        "MATCH (s:Source {id: $id}) RETURN s.id AS id, coalesce(s.retracted, false) AS retracted",
        {"id": source_id},
    )


def asserted_entities(source_id: str, first: int, after: str | None, counted: bool) -> Cypher:
    """A page of the entities the source asserts, in id order (`first` + 1 rows), each
    with whether the source is its only one; `total` when `counted`."""
    by, only = _BY.format(var="n"), _ONLY.format(var="n")
    return (
        "CALL () { MATCH (n:Entity) WHERE $counted AND " + by + " RETURN count(n) AS total } "
        "CALL () { "
        "  MATCH (n:Entity) WHERE n.id > $after AND " + by + " "
        "  WITH n ORDER BY n.id LIMIT $limit "
        "  RETURN collect({node: properties(n), only: " + only + "}) AS rows "
        "} "
        "RETURN CASE WHEN $counted THEN total END AS total, rows",
        {
            "prefix": _prefix(source_id),
            "after": after or "",
            "limit": first + 1,
            "counted": counted,
        },
    )


def asserted_relationships(
    source_id: str, first: int, after: list[str] | None, counted: bool
) -> Cypher:
    """A page of the declared relationships the source asserts, in (start id, type, end
    id) order, each with whether the source is its only one."""
    pattern = relationship_pattern(None)
    by, only = _BY.format(var="r"), _ONLY.format(var="r")
    return (
        "CALL () { MATCH (:Entity)-[r"
        + pattern
        + "]->(:Entity) WHERE $counted AND "
        + by
        + " RETURN count(r) AS total } "
        "CALL () { "
        "  MATCH (a:Entity)-[r" + pattern + "]->(b:Entity) WHERE " + by + " "
        "  WITH a, r, b, [a.id, type(r), b.id] AS key WHERE $after IS NULL OR key > $after "
        "  WITH a, r, b, key ORDER BY key LIMIT $limit "
        "  RETURN collect({type: type(r), from: a.id, to: b.id, props: properties(r), "
        "    only: " + only + "}) AS rows "
        "} "
        "RETURN CASE WHEN $counted THEN total END AS total, rows",
        {"prefix": _prefix(source_id), "after": after, "limit": first + 1, "counted": counted},
    )


def everything_asserted(source_id: str, limit: int) -> Cypher:
    """Every fact the source asserts (at most `limit` of each), with its state, read
    under write locks (the source node's first, so two retractions of one source queue):
    entities with labels and properties; relationships with their ends, type,
    properties and element id."""
    pattern = relationship_pattern(None)
    return (
        "MATCH (s:Source {id: $id}) SET s._lock = true REMOVE s._lock WITH s "
        "CALL () { MATCH (n:Entity) WHERE " + _BY.format(var="n") + " "
        "  WITH n LIMIT $limit SET n._lock = true REMOVE n._lock "
        "  RETURN collect({id: n.id, labels: labels(n), props: properties(n)}) AS entities } "
        "CALL () { MATCH (a:Entity)-[r"
        + pattern
        + "]->(b:Entity) WHERE "
        + _BY.format(var="r")
        + "  WITH a, r, b LIMIT $limit "
        "  RETURN collect({rid: elementId(r), from: a.id, type: type(r), to: b.id, "
        "    props: properties(r)}) AS relationships } "
        "RETURN entities, relationships",
        {"id": source_id, "prefix": _prefix(source_id), "limit": limit},
    )


def still_linked(ids: list[str], dropped: list[str]) -> Cypher:
    """Of the entities `ids`, those with a relationship that is not among `dropped`
    (element ids): another source's relationship keeps them standing."""
    return (
        "UNWIND $ids AS id MATCH (n:Entity {id: id}) "
        "WHERE EXISTS { MATCH (n)-[r]-(:Entity) WHERE NOT elementId(r) IN $dropped } "
        "RETURN collect(n.id) AS linked",
        {"ids": ids, "dropped": dropped},
    )


def apply_retraction(
    source_id: str,
    *,
    drop_relationships: list[str],
    drop_entities: list[str],
    entities: list[dict[str, Any]],
    relationships: list[dict[str, Any]],
    snapshot: list[str],
    change: dict[str, Any],
    note: str | None,
) -> Cypher:
    """Removes what only the source asserted, rewrites the rest without it (`entities`:
    [{id, props}], `relationships`: [{rid, props}], props complete), drops the conflicts
    of removed facts, keeps `snapshot` (JSON of each fact as it was) on a Retraction
    node for `restoreSource`, and marks the source retracted."""
    return (
        "MATCH (s:Source {id: $source}) "
        "CALL () { UNWIND $dropRels AS rid MATCH ()-[r]->() WHERE elementId(r) = rid "
        "  DELETE r RETURN count(*) AS relsDropped } "
        "CALL () { UNWIND $dropEntities AS id MATCH (n:Entity {id: id}) "
        "  OPTIONAL MATCH (red:Redirect)-[:MERGED_INTO]->(n) DETACH DELETE red "
        "  WITH DISTINCT n DETACH DELETE n RETURN count(*) AS entitiesDropped } "
        "CALL () { UNWIND $entities AS row MATCH (n:Entity {id: row.id}) SET n = row.props "
        f"  SET n.{SORT_NAME} = {sort_name_of('n')}, "
        f"    n._search = {search_text_of('n')} "
        "  RETURN count(*) AS entitiesKept } "
        "CALL () { UNWIND $relationships AS row MATCH ()-[r]->() WHERE elementId(r) = row.rid "
        "  SET r = row.props RETURN count(*) AS relsKept } "
        "CREATE (:Retraction {id: randomUUID(), source: $source, at: $at, by: $by, "
        "  note: $note, facts: $snapshot, restored: false}) "
        "SET s.retracted = true, s.retractedAt = $at "
        "RETURN relsDropped, entitiesDropped, entitiesKept, relsKept",
        {
            "source": source_id,
            "dropRels": drop_relationships,
            "dropEntities": drop_entities,
            "entities": stored_rows(entities),
            "relationships": stored_rows(relationships),
            "snapshot": snapshot,
            "note": note,
            "at": change["at"],
            "by": change["by"],
        },
    )


def drop_conflicts(ids: list[str]) -> Cypher:
    return ("UNWIND $ids AS id MATCH (k:Conflict {id: id}) DELETE k", {"ids": ids})


def last_retraction(source_id: str) -> Cypher:
    return (
        "MATCH (s:Source {id: $id}) SET s._lock = true REMOVE s._lock "
        "WITH s MATCH (x:Retraction {source: $id, restored: false}) "
        "RETURN x.id AS id, x.facts AS facts ORDER BY x.at DESC LIMIT 1",
        {"id": source_id},
    )


def current_facts(entity_ids: list[str], relationships: list[list[str]]) -> Cypher:
    """The current state of entities and of relationships ([from, type, to]), those that
    still exist."""
    return (
        "CALL () { UNWIND $ids AS id MATCH (n:Entity {id: id}) "
        "  RETURN collect({id: n.id, props: properties(n)}) AS entities } "
        "CALL () { UNWIND $rels AS rel "
        "  MATCH (a:Entity {id: rel[0]})-[r]->(b:Entity {id: rel[2]}) WHERE type(r) = rel[1] "
        "  RETURN collect({from: a.id, type: type(r), to: b.id, props: properties(r)}) "
        "    AS relationships } "
        "RETURN entities, relationships",
        {"ids": entity_ids, "rels": relationships},
    )


def restore_entities(label: str, rows: list[dict[str, Any]]) -> Cypher:
    """Entities of one kind (`label` from the declared domain, an allow-list) as they
    were or given back their source: [{id, props}] with complete properties."""
    return (
        "UNWIND $rows AS row MERGE (n:Entity {id: row.id}) "
        f"SET n:{label} SET n = row.props RETURN count(n) AS written",
        {"rows": stored_rows(rows)},
    )


def restore_relationships(rel_type: str, rows: list[dict[str, Any]]) -> Cypher:
    """Relationships of one declared type, [{from, to, props}]; those whose ends are gone
    are left out (counted in `missing`)."""
    pattern = relationship_pattern([rel_type])
    return (
        "UNWIND $rows AS row "
        "OPTIONAL MATCH (a:Entity {id: row.from}) OPTIONAL MATCH (b:Entity {id: row.to}) "
        "CALL (row, a, b) { WITH * WHERE a IS NOT NULL AND b IS NOT NULL "
        f"  MERGE (a)-[r{pattern}]->(b) SET r = row.props RETURN count(r) AS one }} "
        "RETURN sum(one) AS written, count(*) - sum(one) AS missing",
        {"rows": stored_rows(rows)},
    )


def finish_restore(retraction_id: str, source_id: str, change: dict[str, Any]) -> Cypher:
    return (
        "MATCH (x:Retraction {id: $rid}) SET x.restored = true, x.restoredAt = $at, "
        "  x.restoredBy = $by "
        "WITH x MATCH (s:Source {id: $source}) SET s.retracted = false REMOVE s.retractedAt",
        {"rid": retraction_id, "source": source_id, "at": change["at"], "by": change["by"]},
    )
