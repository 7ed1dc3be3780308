"""Paths between entities, over declared relationship types only: one shortest path, all
shortest paths, the k shortest simple paths, and the subgraph that connects a set of
entities.

The path selectors (`ALL SHORTEST`, `SHORTEST k GROUPS`) and quantified path patterns
are GQL syntax that Neo4j has had since 5.21 and keeps in Cypher 25. Predicates inside
the parenthesized pattern filter *before* selection, so a kind filter or the
no-repeated-node rule never makes a search come back short:
https://neo4j.com/docs/cypher-manual/current/patterns/reference/shortest-paths/
"""

from __future__ import annotations

from graph.cypher.common import relationship_pattern
from graph.cypher.plan import Plan
from graph.cypher.projection import project
from graph.db import Cypher

MAX_HOPS = 10
# `connect` keeps at most this many shortest paths per pair of entities.
PATHS_PER_PAIR = 10
MAX_K = 20

_EDGES = (
    "[r IN relationships(p) | {type: type(r), from: startNode(r).id, "
    "to: endNode(r).id, props: properties(r)}]"
)

# Ties in length are broken by the ids along the path, then by each edge's type and
# start, so the same question always gets the same paths in the same order.
_TIE_BREAK = "[n IN nodes(p) | n.id], [r IN relationships(p) | type(r) + ' ' + startNode(r).id]"

# No node twice: `x` holds the path's inner nodes (the ends are `a` and `b`).
_SIMPLE = "all(i IN range(0, size(x) - 1) WHERE x[i] <> a AND x[i] <> b AND NOT x[i] IN x[i + 1..])"


def _check_hops(max_hops: int, high: int = MAX_HOPS) -> int:
    if not 1 <= max_hops <= high:
        raise ValueError("max_hops out of range")
    return int(max_hops)


def _between(max_hops: int, types: list[str] | None, kinds: list[str] | None) -> str:
    """`(a) ... (b)` in 1 to max_hops steps; the inner nodes `x` must be of `kinds`.

    The last step stands apart so the kind filter applies to inner nodes only, never
    to the ends.
    """
    rel = relationship_pattern(types)
    if max_hops == 1:  # no inner nodes (a quantifier may not be {0,0})
        return f"(a)-[{rel}]-(b)"
    inner = " WHERE x.kind IN $kinds" if kinds is not None else ""
    return f"(a) (()-[{rel}]-(x:Entity){inner}){{0,{max_hops - 1}}} ()-[{rel}]-(b)"


def _simple(pattern: str, max_hops: int) -> str:
    """The pattern with no entity twice on it. One step has no inner entity to repeat, and
    Neo4j 5.26 fails on a parenthesised pattern with no quantified part inside, so it stays
    bare."""
    return f"({pattern} WHERE {_SIMPLE})" if max_hops > 1 else pattern


def _same_entity(entity_id: str, plan: Plan | None) -> Cypher:
    """The zero-length path from an entity to itself."""
    params: dict = {"from": entity_id}
    node = project("a", plan, params)
    return f"MATCH (a:Entity {{id: $from}}) RETURN [{node}] AS nodes, [] AS edges", params


def all_shortest_paths(
    from_id: str,
    to_id: str,
    max_hops: int,
    first: int,
    types: list[str] | None = None,
    kinds: list[str] | None = None,
    plan: Plan | None = None,
) -> Cypher:
    """Every path of the shortest length (at most `first` of them), in tie-break order.

    A shortest path never repeats a node, so no extra rule is needed for that.
    """
    hops = _check_hops(max_hops)
    if from_id == to_id:
        return _same_entity(from_id, plan)
    query = (
        "MATCH (a:Entity {id: $from}), (b:Entity {id: $to}) "
        f"MATCH p = ALL SHORTEST {_between(hops, types, kinds)} "
        "RETURN [n IN nodes(p) | {node}] AS nodes, " + _EDGES + " AS edges "
        f"ORDER BY {_TIE_BREAK} LIMIT $first"
    )
    params: dict = {"from": from_id, "to": to_id, "first": first, "kinds": kinds}
    return query.replace("{node}", project("n", plan, params)), params


def k_shortest_paths(
    from_id: str,
    to_id: str,
    k: int,
    max_hops: int,
    types: list[str] | None = None,
    kinds: list[str] | None = None,
    plan: Plan | None = None,
) -> Cypher:
    """The k shortest simple paths (no node twice), shortest first, ties in a stable order.

    `SHORTEST k GROUPS` returns every path of the k shortest lengths; k paths always lie
    within them, and sorting before the LIMIT makes ties deterministic (plain
    `SHORTEST k` would pick among equally long paths arbitrarily).
    """
    hops = _check_hops(max_hops)
    if not 1 <= k <= MAX_K:
        raise ValueError("k out of range")
    if from_id == to_id:
        return _same_entity(from_id, plan)
    # k and the hop bound are integers checked above: Neo4j 5 takes neither as a parameter.
    query = (
        "MATCH (a:Entity {id: $from}), (b:Entity {id: $to}) "
        f"MATCH p = SHORTEST {int(k)} GROUPS "
        f"{_simple(_between(hops, types, kinds), hops)} "
        "RETURN [n IN nodes(p) | {node}] AS nodes, " + _EDGES + " AS edges "
        f"ORDER BY length(p), {_TIE_BREAK} LIMIT $k"
    )
    params: dict = {"from": from_id, "to": to_id, "k": k, "kinds": kinds}
    return query.replace("{node}", project("n", plan, params)), params


def connecting_subgraph(
    ids: list[str],
    max_hops: int,
    per_pair: int,
    types: list[str] | None = None,
    plan: Plan | None = None,
) -> Cypher:
    """The entities of `ids` that exist, plus every shortest path between each pair of
    them (at most `per_pair` per pair, in tie-break order), nodes and edges once each.

    `truncated` says whether some pair had more shortest paths than `per_pair`.
    """
    hops = _check_hops(max_hops)
    rel = relationship_pattern(types)
    query = (
        "UNWIND $ids AS id "
        "MATCH (n:Entity {id: id}) "
        "WITH collect(n) AS ends "
        "CALL (ends) { "
        "  UNWIND range(0, size(ends) - 2) AS i "
        "  UNWIND range(i + 1, size(ends) - 1) AS j "
        "  WITH ends[i] AS a, ends[j] AS b "
        "  CALL (a, b) { "
        f"    MATCH p = ALL SHORTEST (a)-[{rel}]-{{1,{hops}}}(b) "
        f"    RETURN p ORDER BY {_TIE_BREAK} LIMIT $perPair + 1 "
        "  } "
        "  WITH a, b, collect(p) AS found "
        "  WITH found[..$perPair] AS kept, size(found) > $perPair AS cut "
        "  UNWIND kept AS p "
        "  UNWIND relationships(p) AS r "
        "  RETURN collect(DISTINCT r) AS rels, sum(CASE WHEN cut THEN 1 ELSE 0 END) > 0 AS cut "
        "} "
        "CALL (ends, rels) { "
        "  UNWIND ends + [r IN rels | startNode(r)] + [r IN rels | endNode(r)] AS n "
        "  WITH DISTINCT n ORDER BY n.name, n.id "
        "  RETURN collect({node}) AS nodes "
        "} "
        "CALL (rels) { "
        "  UNWIND rels AS r "
        "  WITH r ORDER BY type(r), startNode(r).id, endNode(r).id "
        "  RETURN collect({type: type(r), from: startNode(r).id, to: endNode(r).id, "
        "                  props: properties(r)}) AS edges "
        "} "
        "RETURN nodes, edges, cut AS truncated"
    )
    params: dict = {"ids": ids, "perPair": per_pair}
    return query.replace("{node}", project("n", plan, params)), params


def shortest_path(
    from_id: str,
    to_id: str,
    max_hops: int,
    types: list[str] | None = None,
    plan: Plan | None = None,
) -> Cypher:
    _check_hops(max_hops)
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
