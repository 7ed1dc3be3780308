"""Paths between two entities, over declared relationship types only."""

from __future__ import annotations

from graph.cypher.common import relationship_pattern
from graph.cypher.plan import Plan
from graph.cypher.projection import project
from graph.db import Cypher

_EDGES = (
    "[r IN relationships(p) | {type: type(r), from: startNode(r).id, "
    "to: endNode(r).id, props: properties(r)}]"
)


def shortest_path(
    from_id: str,
    to_id: str,
    max_hops: int,
    types: list[str] | None = None,
    plan: Plan | None = None,
) -> Cypher:
    if not 1 <= max_hops <= 10:
        raise ValueError("max_hops out of range")
    pattern = relationship_pattern(types)
    # The hop bound is an integer checked above; Cypher does not take it as a parameter.
    query = (
        "MATCH (a:Entity {id: $from}), (b:Entity {id: $to}) "
        f"MATCH p = shortestPath((a)-[{pattern}*..{int(max_hops)}]-(b)) "
        f"WITH p, {_EDGES} AS edges "
        "UNWIND nodes(p) AS n "
        f"WITH edges, collect({{node}}) AS nodes "
        "RETURN nodes, edges"
    )
    params: dict = {"from": from_id, "to": to_id}
    return query.replace("{node}", project("n", plan, params)), params
