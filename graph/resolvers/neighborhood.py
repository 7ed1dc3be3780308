"""The neighbourhood of an entity: what lies within a few hops, ready to draw."""

from __future__ import annotations

from strawberry.types import Info

from graph.cypher import neighborhood as neighborhood_q
from graph.resolvers.arguments import check_range, check_relationship_types
from graph.resolvers.selection import plan_for
from graph.types.entities import to_entity
from graph.types.subgraphs import Edge, Subgraph

MAX_NEIGHBORHOOD_HOPS = 3
MAX_NODES = 1000


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
