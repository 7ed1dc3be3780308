"""Conflicts: a `Conflict` node per property of a fact that sources give two or more
values for (graph/claims.py; made by the upserts of graph/cypher/writes.py). Its id is
`<target>#<property>`, the target being an entity id or a relationship id
(`from|TYPE|to`); `subject`/`object` are the entity ids it concerns, `kind` the entity's
kind or the relationship's type."""

from __future__ import annotations

from typing import Any

from graph.claims import SEP
from graph.db import Cypher

# The fact a Conflict is about, with its stored properties; none when it is gone
# (deleted, or merged away: the survivor gets conflicts of its own).
_TARGET = (
    "CALL (k) { "
    "  OPTIONAL MATCH (n:Entity {id: k.subject}) WHERE k.target = 'entity' "
    "  OPTIONAL MATCH (a:Entity {id: k.subject})-[r]->(b:Entity {id: k.object}) "
    "    WHERE k.target = 'relationship' AND type(r) = k.kind "
    "  RETURN CASE WHEN n IS NOT NULL THEN properties(n) "
    "    WHEN r IS NOT NULL THEN properties(r) END AS props, "
    "    CASE WHEN r IS NOT NULL THEN properties(a) END AS start, "
    "    CASE WHEN r IS NOT NULL THEN properties(b) END AS end "
    "} "
)

_FILTERS = (
    "($status IS NULL OR k.status = $status) "
    "AND ($kind IS NULL OR k.kind = $kind) "
    "AND ($entity IS NULL OR k.subject = $entity OR k.object = $entity) "
    "AND ($property IS NULL OR k.property = $property) "
)
_BY_SOURCE = (
    "($source IS NULL OR any(x IN props._claims WHERE x STARTS WITH k.property + $sep "
    "  AND split(split(x, $sep)[2], '|')[0] = $source)) "
)


def conflicts_page(
    *,
    status: str | None,
    kind: str | None,
    entity: str | None,
    property: str | None,
    source: str | None,
    first: int,
    after: str | None,
    counted: bool,
) -> Cypher:
    """One page of conflicts in id order (`first` + 1 rows, so the caller knows whether
    more follow), each with its fact; `total` counts every match when `counted`."""
    params: dict[str, Any] = {
        "status": status,
        "kind": kind,
        "entity": entity,
        "property": property,
        "source": source,
        "sep": SEP,
        "after": after,
        "limit": first + 1,
        "counted": counted,
    }
    total = (
        "CALL () { "
        "  MATCH (k:Conflict) WHERE $counted AND " + _FILTERS + _TARGET + "WITH k, props "
        "  WHERE props IS NOT NULL AND " + _BY_SOURCE + "RETURN count(k) AS total "
        "} "
    )
    query = (
        total + "CALL () { "
        "  MATCH (k:Conflict) WHERE ($after IS NULL OR k.id > $after) AND "
        + _FILTERS
        + "  WITH k ORDER BY k.id "
        + _TARGET
        + "  WITH k, props, start, end WHERE props IS NOT NULL AND "
        + _BY_SOURCE
        + "  WITH k, props, start, end ORDER BY k.id LIMIT $limit "
        "  RETURN collect({conflict: properties(k), props: props, start: start, end: end}) "
        "    AS rows "
        "} "
        "RETURN CASE WHEN $counted THEN total END AS total, rows"
    )
    return query, params


def conflict_by_id(conflict_id: str) -> Cypher:
    return (
        "MATCH (k:Conflict {id: $id}) " + _TARGET + "RETURN properties(k) AS conflict, "
        "props, start, end",
        {"id": conflict_id},
    )


def resolve_conflict(
    conflict: dict[str, Any],
    prefix: str,
    key: str,
    columns: dict[str, Any],
    considered: list[str],
    note: str | None,
    change: dict[str, Any],
) -> Cypher:
    """Shows the chosen value (`columns`), pins it (`_pinned`, so no count of sources
    moves it), and marks the conflict resolved with the values it weighed; returns the
    fact's properties after."""
    target = (
        "MATCH (n:Entity {id: $subject}) WITH k, n AS t "
        if conflict["target"] == "entity"
        else "MATCH (:Entity {id: $subject})-[r]->(:Entity {id: $object}) "
        "WHERE type(r) = k.kind WITH k, r AS t "
    )
    return (
        "MATCH (k:Conflict {id: $id}) " + target + "SET t += $columns, "
        "  t._pinned = [x IN coalesce(t._pinned, []) WHERE NOT x STARTS WITH $prefix] "
        "    + [$prefix + $key] "
        "SET k.status = 'resolved', k.chosen = $key, k.note = $note, k.resolvedBy = $by, "
        "  k.resolvedAt = $at, k.considered = $considered "
        "RETURN properties(t) AS props",
        {
            "id": conflict["id"],
            "subject": conflict["subject"],
            "object": conflict.get("object"),
            "columns": columns,
            "prefix": prefix,
            "key": key,
            "considered": considered,
            "note": note,
            "by": change["by"],
            "at": change["at"],
        },
    )


def sync_conflicts(subject: str, kind: str, contested: list[dict[str, Any]], at: Any) -> Cypher:
    """Conflict nodes for an entity's contested properties (after a merge brought another
    entity's claims), `contested` = [{property, values}] with each value as the upserts
    write it (`property<US>value<US>`): made when missing; a resolved one reopens when it
    now has a value its resolution did not weigh."""
    return (
        "UNWIND $contested AS c "
        "MERGE (k:Conflict {id: $subject + '#' + c.property}) "
        "ON CREATE SET k.status = 'open', k.property = c.property, k.target = 'entity', "
        "  k.subject = $subject, k.object = null, k.kind = $kind, k.since = $at "
        "SET k.status = CASE WHEN k.status = 'resolved' "
        "  AND any(v IN c.values WHERE NOT v IN coalesce(k.considered, [])) "
        "  THEN 'open' ELSE k.status END, "
        "  k.values = size(c.values), k.updatedAt = $at "
        "RETURN count(k) AS conflicts",
        {"subject": subject, "kind": kind, "contested": contested, "at": at},
    )
