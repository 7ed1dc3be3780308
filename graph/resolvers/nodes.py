"""`node(id)` and `nodes(ids)`: any entity, source or relationship by its global id, in
one query whatever the mix (graph.cypher.nodes), shaped for the selection like `entity`."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from graph.cypher import nodes as q
from graph.errors import BadUserInput
from graph.resolvers.selection import plan_for
from graph.types.entities import to_entity
from graph.types.node import Node
from graph.types.subgraphs import Edge
from graph.types.values import Source

MAX_NODES = 100


def _node_of(row: dict[str, Any] | None) -> Node | None:
    if row is None:
        return None
    if row["entity"] is not None:
        return to_entity(row["entity"])
    if row["source"] is not None:
        return Source.from_node(row["source"])
    if row["edge"] is not None:
        return Edge.from_row(row["edge"])
    return None


async def find_nodes(info: Info, ids: list[str]) -> list[Node | None]:
    """The node of each id, in the order asked; null for an id that names nothing."""
    if len(ids) > MAX_NODES:
        raise BadUserInput(f"`ids` may hold at most {MAX_NODES} ids; got {len(ids)}.")
    return await fetch_nodes(info, ids)


async def fetch_nodes(info: Info, ids: list[str]) -> list[Node | None]:
    """`find_nodes` without its cap (federation's `_entities` takes what the router sends,
    bounded by MAX_LIST_ITEMS like any list argument)."""
    asks = [ask for i, text in enumerate(ids) if (ask := q.ask_of(i, text)) is not None]
    rows: dict[int, dict[str, Any]] = {}
    if asks:
        found = await info.context.db.read(q.nodes_by_ids(asks, plan_for(info)))
        rows = {row["i"]: row for row in found}
    return [_node_of(rows.get(i)) for i in range(len(ids))]


async def find_node(info: Info, node_id: str) -> Node | None:
    return (await find_nodes(info, [node_id]))[0]
