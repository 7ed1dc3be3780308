"""Paths between entities: the shortest one, all shortest ones, the k shortest, and what
connects N entities."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.types import Info

from graph.cypher import entities as entities_q
from graph.cypher import paths as q
from graph.domain import RELATIONSHIP_TYPES, Kind
from graph.errors import BadUserInput
from graph.resolvers.arguments import check_range, check_relationship_types
from graph.resolvers.selection import plan_for
from graph.types.entities import to_entity
from graph.types.subgraphs import Edge, Path, Subgraph

MAX_FIRST = 100
MAX_CONNECT_IDS = 10
MAX_CONNECT_HOPS = 6


def choose_types(types: list[str] | None, exclude: list[str] | None) -> list[str] | None:
    """The relationship types to follow: `types` (or all declared) minus `exclude`.

    None means every declared type."""
    allowed = check_relationship_types(types)
    excluded = check_relationship_types(exclude) if exclude else []
    if not excluded:
        return allowed
    chosen = [t for t in (allowed or RELATIONSHIP_TYPES) if t not in excluded]
    if not chosen:
        raise BadUserInput("`types` minus `excludeTypes` leaves no relationship type to follow.")
    return chosen


def choose_kinds(kinds: list[str] | None, exclude: list[str] | None) -> list[str] | None:
    """The kinds a path may pass through: `kinds` (or all) minus `exclude`.

    None means any kind."""
    if kinds is not None and not kinds:
        raise BadUserInput("`kinds` must name at least one kind, or be omitted.")
    if kinds is None and not exclude:
        return None
    chosen = [k for k in (kinds or [k.value for k in Kind]) if k not in (exclude or [])]
    if not chosen:
        raise BadUserInput("`kinds` minus `excludeKinds` leaves no kind to pass through.")
    return list(dict.fromkeys(chosen))


@dataclass(frozen=True)
class PathFilter:
    """What a path may follow and pass through, as the client gave it."""

    types: list[str] | None = None
    exclude_types: list[str] | None = None
    kinds: list[str] | None = None
    exclude_kinds: list[str] | None = None

    def chosen(self) -> tuple[list[str] | None, list[str] | None]:
        return (
            choose_types(self.types, self.exclude_types),
            choose_kinds(self.kinds, self.exclude_kinds),
        )


def _path(row: dict) -> Path:
    return Path(
        length=len(row["edges"]),
        nodes=[to_entity(n) for n in row["nodes"]],
        edges=[Edge.from_row(e) for e in row["edges"]],
    )


async def find_all_shortest_paths(
    info: Info,
    from_id: str,
    to_id: str,
    max_hops: int,
    first: int,
    only: PathFilter,
) -> list[Path]:
    check_range("maxHops", max_hops, 1, q.MAX_HOPS)
    check_range("first", first, 1, MAX_FIRST)
    types, kinds = only.chosen()
    plan = plan_for(info, ("nodes",))
    cypher = q.all_shortest_paths(from_id, to_id, max_hops, first, types, kinds, plan)
    rows = await info.context.db.read(cypher)
    return [_path(row) for row in rows]


async def find_k_shortest_paths(
    info: Info,
    from_id: str,
    to_id: str,
    k: int,
    max_hops: int,
    only: PathFilter,
) -> list[Path]:
    check_range("k", k, 1, q.MAX_K)
    check_range("maxHops", max_hops, 1, q.MAX_HOPS)
    types, kinds = only.chosen()
    plan = plan_for(info, ("nodes",))
    cypher = q.k_shortest_paths(from_id, to_id, k, max_hops, types, kinds, plan)
    rows = await info.context.db.read(cypher)
    return [_path(row) for row in rows]


async def connect_entities(
    info: Info, ids: list[str], max_hops: int, types: list[str] | None
) -> Subgraph:
    distinct = list(dict.fromkeys(ids))
    if not 2 <= len(distinct) <= MAX_CONNECT_IDS:
        raise BadUserInput(
            f"`ids` must name between 2 and {MAX_CONNECT_IDS} distinct entities; "
            f"got {len(distinct)}."
        )
    check_range("maxHops", max_hops, 1, MAX_CONNECT_HOPS)
    chosen = check_relationship_types(types)
    plan = plan_for(info, ("nodes",))
    cypher = q.connecting_subgraph(distinct, max_hops, q.PATHS_PER_PAIR, chosen, plan)
    rows = await info.context.db.read(cypher)
    row = rows[0]
    return Subgraph(
        nodes=[to_entity(n) for n in row["nodes"]],
        edges=[Edge.from_row(e) for e in row["edges"]],
        truncated=row["truncated"],
    )


async def find_shortest_path(
    info: Info, from_id: str, to_id: str, max_hops: int, types: list[str] | None = None
) -> Path | None:
    check_range("maxHops", max_hops, 1, q.MAX_HOPS)
    chosen = check_relationship_types(types)
    db, plan = info.context.db, plan_for(info, ("nodes",))
    if from_id == to_id:
        rows = await db.read(entities_q.entity_by_id(from_id, plan))
        return Path(length=0, nodes=[to_entity(rows[0]["node"])], edges=[]) if rows else None
    rows = await db.read(q.shortest_path(from_id, to_id, max_hops, chosen, plan))
    if not rows:
        return None
    row = rows[0]
    return Path(
        length=len(row["edges"]),
        nodes=[to_entity(n) for n in row["nodes"]],
        edges=[Edge.from_row(e) for e in row["edges"]],
    )
