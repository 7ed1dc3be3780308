"""The neighbourhood of an entity, expanded hop by hop, cut at a node limit."""

from __future__ import annotations

from graph.cypher.common import relationship_pattern
from graph.cypher.plan import Plan
from graph.cypher.projection import project
from graph.db import Cypher

# The edges of a neighbourhood are cut at this many per node of its limit (a dense
# neighbourhood can have far more edges than nodes), and `truncated` says so.
EDGES_PER_NODE = 3


def neighborhood(
    entity_id: str,
    hops: int,
    limit: int,
    types: list[str] | None = None,
    plan: Plan | None = None,
    kinds: list[str] | None = None,
) -> Cypher:
    """Nodes within `hops` of the centre (nearest first, at most `limit` in all) and the
    declared relationships among them (at most `EDGES_PER_NODE x limit`, in the order of
    their ends' ids). `truncated` says whether either limit cut it short.

    With `kinds`, only entities of those kinds are reached (the centre always counts).
    Each hop expands the previous frontier once (breadth first), so a node is reached by
    its shortest distance and no path is enumerated twice.
    """
    if not 1 <= hops <= 3:
        raise ValueError("hops out of range")
    pattern = relationship_pattern(types)
    hop = (
        "CALL (seen, frontier) { "
        "  UNWIND frontier AS f "
        f"  MATCH (f)-[{pattern}]-(m:Entity) "
        "  WHERE ($kinds IS NULL OR m.kind IN $kinds) AND NOT m IN seen "
        "  WITH DISTINCT m ORDER BY m.name, m.id "
        "  RETURN collect(m) AS found "
        "} "
        "WITH seen, found, size(seen) + size(found) > $limit AS cut, truncated "
        "WITH seen + found[..($limit - size(seen))] AS seen, "
        "found[..($limit - size(seen))] AS frontier, truncated OR cut AS truncated "
    )
    query = (
        "MATCH (c:Entity {id: $id}) "
        "WITH [c] AS seen, [c] AS frontier, false AS truncated " + hop * hops + "CALL (seen) { "
        "  UNWIND seen AS x "
        f"  MATCH (x)-[r{pattern}]->(y:Entity) WHERE y IN seen "
        "  WITH x, r, y ORDER BY x.id, type(r), y.id LIMIT $maxEdges + 1 "
        "  RETURN collect({type: type(r), from: x.id, to: y.id, props: properties(r)}) AS edges "
        "} "
        "WITH seen, edges[..$maxEdges] AS edges, truncated OR size(edges) > $maxEdges AS truncated "
        "UNWIND seen AS n "
        "WITH edges, truncated, collect({node}) AS nodes "
        "RETURN nodes, edges, truncated"
    )
    params: dict = {
        "id": entity_id,
        "limit": limit,
        "kinds": kinds,
        "maxEdges": EDGES_PER_NODE * limit,
    }
    return query.replace("{node}", project("n", plan, params)), params
