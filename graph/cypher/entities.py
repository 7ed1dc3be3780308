"""Queries that return entities by id, and their relationships."""

from __future__ import annotations

from graph.cypher.common import relationship_pattern
from graph.cypher.plan import Plan, RelPlan, Window
from graph.cypher.projection import project
from graph.db import Cypher

# An id merged into another entity keeps resolving, to the survivor.
RESOLVE_ID = (
    "CALL () {{ MATCH (n:Entity {{id: {p}}}) RETURN n "
    "UNION MATCH (:Redirect {{id: {p}}})-[:MERGED_INTO]->(n:Entity) RETURN n }} "
)


def entity_by_id(entity_id: str, plan: Plan | None = None) -> Cypher:
    params: dict = {"id": entity_id}
    query = RESOLVE_ID.format(p="$id") + f"RETURN {project('n', plan, params)} AS node LIMIT 1"
    return query, params


def entities_by_ids(ids: list[str]) -> Cypher:
    return (
        "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN properties(n) AS node",
        {"ids": ids},
    )


_ARROWS = {"OUT": ("-", "->"), "IN": ("<-", "-"), "BOTH": ("-", "-")}


def relationships_of(ids: list[str], types: list[str] | None, direction: str, first: int) -> Cypher:
    """The relationships of several entities at once (one query for a whole level).

    Rows come back ordered by type, then by the other end's name and id, so a page of
    `first` is stable.
    """
    left, right = _ARROWS[direction]
    pattern = relationship_pattern(types)
    query = (
        "UNWIND $ids AS id "
        "MATCH (n:Entity {id: id}) "
        "CALL (n) { "
        f"  MATCH (n){left}[r{pattern}]{right}(m:Entity) "
        "  RETURN r, m ORDER BY type(r), m.name, m.id LIMIT $first "
        "} "
        "RETURN id, type(r) AS type, startNode(r) = n AS outgoing, "
        "properties(r) AS props, properties(m) AS other"
    )
    return query, {"ids": ids, "first": first}


def sources_by_ids(ids: list[str]) -> Cypher:
    return (
        "UNWIND $ids AS id MATCH (s:Source {id: id}) RETURN properties(s) AS source",
        {"ids": ids},
    )


def relationship_between(from_id: str, rel_type: str, to_id: str) -> Cypher:
    pattern = relationship_pattern([rel_type])
    return (
        f"MATCH (a:Entity {{id: $from}})-[r{pattern}]->(b:Entity {{id: $to}}) "
        "RETURN properties(a) AS a, properties(r) AS r, properties(b) AS b",
        {"from": from_id, "to": to_id},
    )


def windows_of(ids: list[str], window: Window, total: bool, aggregate: bool) -> Cypher:
    """One relationship window (graph.cypher.related) of several entities at once, when
    the root field's query did not prefetch it. Rows come back under `__pf` as they
    would have prefetched, the other ends with all their properties."""
    rel = RelPlan(
        window.types,
        window.direction,
        window.first,
        Plan(),
        edge_props=True,
        window=window,
        total=total,
        aggregate=aggregate,
    )
    plan = Plan(rels={window.key: rel}, props=frozenset({"id"}), planned=True)
    params: dict = {"ids": ids}
    query = (
        "UNWIND $ids AS id MATCH (n:Entity {id: id}) "
        f"RETURN id, {project('n', plan, params)} AS node"
    )
    return query, params


def sources_page(first: int, after: tuple | None = None, counted: bool = True) -> Cypher:
    """Sources by publication date (undated last), then id: `first` of them, after the
    (date, id) of a previous page's last one. One more than `first` is read, to tell
    whether more follow; with `counted`, the total comes with each row."""
    where = ""
    if after is not None:
        where = (
            "WHERE CASE WHEN $afterDate IS NULL "
            "THEN s.publishedOn IS NULL AND s.id > $afterId "
            "ELSE s.publishedOn > $afterDate OR s.publishedOn IS NULL "
            "OR (s.publishedOn = $afterDate AND s.id > $afterId) END "
        )
    total = "CALL () { MATCH (s:Source) RETURN count(s) AS total } " if counted else ""
    query = (
        f"{total}MATCH (s:Source) {where}"
        f"RETURN properties(s) AS source{', total' if counted else ''} "
        "ORDER BY s.publishedOn, s.id LIMIT $limit"
    )
    date, source_id = after if after is not None else (None, None)
    return query, {"limit": first + 1, "afterDate": date, "afterId": source_id}
