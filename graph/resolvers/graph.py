"""Paths and neighbourhoods."""

from __future__ import annotations

from strawberry.types import Info

from graph.cypher import entities as entities_q
from graph.cypher import neighborhood as neighborhood_q
from graph.cypher import paths as paths_q
from graph.resolvers.arguments import check_range, check_relationship_types
from graph.resolvers.selection import plan_for
from graph.types.entities import to_entity
from graph.types.graph import Edge, Path, Subgraph

MAX_HOPS = 10
MAX_NEIGHBORHOOD_HOPS = 3
MAX_NODES = 1000


async def find_shortest_path(
    info: Info, from_id: str, to_id: str, max_hops: int, types: list[str] | None = None
) -> Path | None:
    check_range("maxHops", max_hops, 1, MAX_HOPS)
    chosen = check_relationship_types(types)
    db, plan = info.context.db, plan_for(info, ("nodes",))
    if from_id == to_id:
        rows = await db.read(entities_q.entity_by_id(from_id, plan))
        return Path(length=0, nodes=[to_entity(rows[0]["node"])], edges=[]) if rows else None
    rows = await db.read(paths_q.shortest_path(from_id, to_id, max_hops, chosen, plan))
    if not rows:
        return None
    row = rows[0]
    return Path(
        length=len(row["edges"]),
        nodes=[to_entity(n) for n in row["nodes"]],
        edges=[Edge.from_row(e) for e in row["edges"]],
    )


async def find_neighborhood(
    info: Info,
    entity_id: str,
    hops: int,
    limit: int,
    types: list[str] | None = None,
    kinds: list[str] | None = None,
) -> Subgraph:
    check_range("hops", hops, 1, MAX_NEIGHBORHOOD_HOPS)
    check_range("limit", limit, 1, MAX_NODES)
    chosen = check_relationship_types(types)
    plan = plan_for(info, ("nodes",))
    rows = await info.context.db.read(
        neighborhood_q.neighborhood(entity_id, hops, limit, chosen, plan, kinds)
    )
    if not rows:
        return Subgraph(nodes=[], edges=[], truncated=False)
    row = rows[0]
    return Subgraph(
        nodes=[to_entity(n) for n in row["nodes"]],
        edges=[Edge.from_row(e) for e in row["edges"]],
        truncated=row["truncated"],
    )
